import type { Test } from 'tap';
import { testDialects } from './databases.js';
import { startTestServer, type TestServer, type TestServerOptions } from './server.js';

/**
 * Runs `body` once per test database (SQLite, and MariaDB when TEST_MYSQL_URL is set) against its
 * own fresh server, closed when the subtest ends.
 */
export function forEachDatabase(
  t: Test,
  name: string,
  body: (t: Test, server: TestServer) => Promise<void>,
  options: TestServerOptions = {},
): void {
  for (const dialect of testDialects()) {
    t.test(`${name} [${dialect}]`, async (t) => {
      const server = await startTestServer(dialect, options);
      t.teardown(() => server.close());
      await body(t, server);
    });
  }
}
