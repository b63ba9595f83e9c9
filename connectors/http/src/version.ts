/** The connectors' version, as `GET /connector-plugins` reports it (kept equal to package.json's). */
export const VERSION = '0.1.0';
