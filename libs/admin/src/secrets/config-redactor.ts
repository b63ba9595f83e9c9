import type { ConfigInfos, ConnectorInfo, Herder, TaskInfo } from '@sluice/runtime';
import { HIDDEN, ONLY_REFERENCES } from './hidden.js';
import { hideUrlPassword, restoreUrlPassword } from './url-password.js';

export { HIDDEN };

/**
 * The safety net: keys that look secret are hidden even when no definition says PASSWORD, such as
 * an HTTP header a connector sends (`http.headers.Authorization`, `http.headers.X-Api-Key`), a
 * client override (`consumer.override.sasl.jaas.config`) or a misspelt secret setting
 * (`auth.basic.pasword`, `auth.bearer.tokne`), which no definition names.
 */
const SECRET_NAME =
  /pas+w(or)?d|secret|tok(en|ne)|credentials?$|authori[sz]ation|api[._-]?key|cookie|private[._-]?key|jaas/i;

function listOf(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function matches(pattern: RegExp, key: string): boolean {
  pattern.lastIndex = 0; // a /g or /y pattern keeps state between test() calls
  return pattern.test(key);
}

/**
 * Hides secret config values in what the API returns. A key is secret when the definition of its
 * connector (or of its transform or predicate, under `transforms.<alias>.`) has type PASSWORD, when
 * its name looks secret, or when the module options name it. Values that are only ${...}
 * references are shown: they are not secrets themselves. In any other value, the password of a
 * URL's user info (`postgresql://user:password@host/db`) is hidden.
 */
export class ConfigRedactor {
  private readonly passwordFieldsCache = new Map<string, ReadonlySet<string>>();

  constructor(
    private readonly herder: Pick<Herder, 'pluginConfig'>,
    private readonly extra: readonly (string | RegExp)[] = [],
  ) {}

  /** `config` with secret values replaced; `connectorClass` defaults to the config's own. */
  async redact(
    config: Readonly<Record<string, string>>,
    connectorClass: string | undefined = config['connector.class'],
  ): Promise<Record<string, string>> {
    const isSecret = await this.secretTest(config, connectorClass);
    const out: Record<string, string> = {};
    for (const [key, value] of Object.entries(config)) {
      out[key] = isSecret(key) && !ONLY_REFERENCES.test(value) ? HIDDEN : hideUrlPassword(value);
    }
    return out;
  }

  async redactInfo(info: ConnectorInfo): Promise<ConnectorInfo> {
    return { ...info, config: await this.redact(info.config) };
  }

  /** Task configs, judged by the connector's class (a task config need not carry it). */
  async redactTasks(tasks: readonly TaskInfo[], connectorClass: string | undefined): Promise<TaskInfo[]> {
    return Promise.all(
      tasks.map(async (t) => ({
        id: t.id,
        config: await this.redact(t.config, t.config['connector.class'] ?? connectorClass),
      })),
    );
  }

  /** A validation answer with values of secret-looking keys hidden (PASSWORD ones already are). */
  async redactConfigInfos(
    infos: ConfigInfos,
    config: Readonly<Record<string, string>>,
  ): Promise<ConfigInfos> {
    const isSecret = await this.secretTest(config, config['connector.class']);
    return {
      ...infos,
      configs: infos.configs.map((c) => {
        const value = c.value.value;
        if (value === null || value === HIDDEN) return c;
        const hide = c.definition.type === 'PASSWORD' || isSecret(c.value.name);
        const shown = hide && !ONLY_REFERENCES.test(value) ? HIDDEN : hideUrlPassword(value);
        return shown === value ? c : { ...c, value: { ...c.value, value: shown } };
      }),
    };
  }

  /**
   * A config sent back after a GET holds "[hidden]" where secrets were: those keys keep their
   * stored values, so that a read-modify-write round trip does not overwrite a secret. A URL sent
   * back with its password hidden gets the stored one's password.
   */
  async restoreHidden(
    incoming: Readonly<Record<string, string>>,
    stored: Readonly<Record<string, string>> | undefined,
  ): Promise<Record<string, string>> {
    if (!stored) return { ...incoming };
    const isSecret = await this.secretTest(
      { ...stored, ...incoming },
      incoming['connector.class'] ?? stored['connector.class'],
    );
    const out: Record<string, string> = {};
    for (const [key, value] of Object.entries(incoming)) {
      const previous = stored[key];
      if (previous === undefined) out[key] = value;
      else if (value === HIDDEN && isSecret(key)) out[key] = previous;
      else out[key] = restoreUrlPassword(value, previous);
    }
    return out;
  }

  private async secretTest(
    config: Readonly<Record<string, string>>,
    connectorClass: string | undefined,
  ): Promise<(key: string) => boolean> {
    const declared = new Set<string>();
    const add = async (plugin: string | undefined, prefix: string): Promise<void> => {
      if (!plugin) return;
      for (const field of await this.passwordFields(plugin)) declared.add(prefix + field);
    };
    await add(connectorClass, '');
    for (const kind of ['transforms', 'predicates'] as const) {
      for (const alias of listOf(config[kind]))
        await add(config[`${kind}.${alias}.type`], `${kind}.${alias}.`);
    }
    return (key) =>
      declared.has(key) ||
      SECRET_NAME.test(key) ||
      this.extra.some((e) => (typeof e === 'string' ? e === key : matches(e, key)));
  }

  /** Names of a plugin's PASSWORD settings; plugins do not change while the worker runs, so cached. */
  private async passwordFields(plugin: string): Promise<ReadonlySet<string>> {
    const cached = this.passwordFieldsCache.get(plugin);
    if (cached) return cached;
    try {
      const definitions = await this.herder.pluginConfig(plugin);
      const fields = new Set(definitions.filter((d) => d.type === 'PASSWORD').map((d) => d.name));
      this.passwordFieldsCache.set(plugin, fields);
      return fields;
    } catch {
      // an unknown plugin (or one without definitions): the name-based safety net still applies
      return new Set();
    }
  }
}
