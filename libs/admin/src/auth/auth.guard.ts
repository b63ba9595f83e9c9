import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { HttpExceptionWithHeaders } from '../errors/rest-error.js';
import { CredentialsChecker } from './credentials-checker.js';
import { IS_PUBLIC } from './public.decorator.js';

/** The global guard: every route needs credentials when auth is configured, except @Public() ones. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    @Inject(CredentialsChecker) private readonly checker: CredentialsChecker,
    @Inject(Reflector) private readonly reflector: Reflector,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (!this.checker.enabled) return true;
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()])) {
      return true;
    }
    const request = context
      .switchToHttp()
      .getRequest<{ headers: Record<string, string | string[] | undefined> }>();
    const header = request.headers['authorization'];
    const outcome = this.checker.check(Array.isArray(header) ? header[0] : header);
    if (outcome.ok) return true;
    throw new HttpExceptionWithHeaders(outcome.message, 401, { 'WWW-Authenticate': outcome.challenge });
  }
}
