import { Inject, Injectable, type OnApplicationBootstrap, RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';

interface Route {
  pattern: RegExp;
  method: string;
}

/** Nest's path syntax (`connectors/:name/config`) as a pattern for whole request paths. */
function patternOf(path: string): RegExp {
  const source = path
    .split('/')
    .filter((s) => s !== '')
    .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^/${source}/?$`);
}

const asList = (value: unknown): string[] => (Array.isArray(value) ? value : [value ?? '']) as string[];

/**
 * Which methods the API's routes take at a path, so a known path asked with another method gets
 * 405 with an Allow header, as Kafka Connect answers, rather than the router's 404.
 */
@Injectable()
export class RouteMethods implements OnApplicationBootstrap {
  private routes: Route[] = [];

  constructor(
    @Inject(DiscoveryService) private readonly discovery: DiscoveryService,
    @Inject(MetadataScanner) private readonly scanner: MetadataScanner,
  ) {}

  onApplicationBootstrap(): void {
    const routes: Route[] = [];
    for (const { instance, metatype } of this.discovery.getControllers()) {
      if (!instance || !metatype) continue;
      const prototype = Object.getPrototypeOf(instance) as Record<string, unknown>;
      for (const base of asList(Reflect.getMetadata(PATH_METADATA, metatype))) {
        for (const name of this.scanner.getAllMethodNames(prototype)) {
          const handler = prototype[name] as object;
          const paths = Reflect.getMetadata(PATH_METADATA, handler) as unknown;
          const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
          if (paths === undefined || method === undefined) continue;
          for (const path of asList(paths)) {
            routes.push({ pattern: patternOf(`${base}/${path}`), method: RequestMethod[method] });
          }
        }
      }
    }
    this.routes = routes;
  }

  /** The methods routes take at `path` (no query), GET bringing HEAD; empty for an unknown path. */
  allowed(path: string): string[] {
    const methods = new Set<string>();
    for (const route of this.routes) {
      if (!route.pattern.test(path)) continue;
      methods.add(route.method);
      if (route.method === 'GET') methods.add('HEAD');
    }
    return [...methods];
  }
}
