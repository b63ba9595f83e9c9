import type { AuthOptions } from '../admin-module-options.js';
import { startAdminTestApp } from './admin-test-app.js';

/*
 * Runs the test admin app with Swagger UI on a free port, in a Node process of its own: the UI's
 * static assets need Node's require(esm), which Jest's module runtime lacks. Prints
 * "LISTENING <port>" once up; stops on SIGTERM. Argument: an optional bearer token.
 */
const token = process.argv[2];
const auth: AuthOptions = token ? { type: 'bearer', token } : { type: 'none' };
const t = await startAdminTestApp({ auth, docsUi: true });
await t.app.listen(0, '127.0.0.1');
const address = t.app.getHttpServer().address();
process.stdout.write(`LISTENING ${typeof address === 'object' && address ? address.port : 0}\n`);
process.once('SIGTERM', () => {
  void t.close().then(() => process.exit(0));
});
