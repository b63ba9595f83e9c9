/** The source's version, as `GET /connector-plugins` and every event's source.version report it. */
export const VERSION = '0.1.0';
