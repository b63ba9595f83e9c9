/** The logger the runtime hands to connectors and tasks (a pino child, bound to the connector and task). */
export interface ConnectLogger {
  debug(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
}
