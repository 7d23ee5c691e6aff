import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Writable } from 'node:stream';
import { loadConfig, type Config } from '../../config/index.js';
import { createDb, migrate, type Db } from '../../db/index.js';
import { createApp } from '../../server/app.js';
import { bootstrapDefaultWorkspace } from '../../server/bootstrap.js';
import type { AppDeps, Clock } from '../../server/deps.js';
import { createRuntime } from '../../server/runtime.js';
import { createLogger } from '../../server/logger.js';
import { createTestDatabase, type Dialect } from './databases.js';
import type { Json } from './json.js';

export interface TestServer {
  dialect: Dialect;
  url: string;
  db: Db;
  deps: AppDeps;
  config: Readonly<Config>;
  adminKey: string;
  workspaceId: string;
  /** Every log line written while the server ran (to check that secrets never appear). */
  logs: string[];
  /** Calls the API with the admin key (or `key`) and returns status, parsed body and headers. */
  request(
    method: string,
    path: string,
    options?: { body?: unknown; key?: string | null; headers?: Record<string, string>; rawBody?: string },
  ): Promise<ApiResponse>;
  close(): Promise<void>;
}

export interface ApiResponse {
  status: number;
  body: Json;
  headers: Headers;
}

export interface TestServerOptions {
  /** Environment overrides, as the operator would set them. */
  env?: Record<string, string>;
  clock?: Clock;
}

/**
 * Starts a real Dispatch HTTP server on port 0 over a fresh database of `dialect`, migrated and
 * bootstrapped with a known admin key. `t.teardown(server.close)` stops it and drops the database.
 */
export async function startTestServer(dialect: Dialect, options: TestServerOptions = {}): Promise<TestServer> {
  const database = await createTestDatabase(dialect);
  const adminKey = 'rlk_test_admin_key_0123456789abcdef';
  const config = loadConfig({
    DATABASE_URL: database.url,
    DISPATCH_ADMIN_KEY: adminKey,
    DISPATCH_LOG_LEVEL: 'debug',
    DISPATCH_ALLOW_PRIVATE_NETWORKS: 'true',
    ...options.env,
  });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const db = createDb({ databaseUrl: config.databaseUrl, poolSize: 10 });
  await migrate(db);
  const { workspace } = await bootstrapDefaultWorkspace(db, adminKey, Date.now());
  // the object graph server/index.ts builds, over this test's database and clock
  const deps = createRuntime({ config, db, logger: createLogger(config.logLevel, sink), clock: options.clock, migrated: true });
  const server: Server = createApp(deps).listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    dialect,
    url,
    db,
    deps,
    config,
    adminKey,
    workspaceId: workspace.id,
    logs,
    async request(method, path, { body, key, headers, rawBody } = {}) {
      const response = await fetch(url + path, {
        method,
        headers: {
          ...(key === null ? {} : { authorization: `Bearer ${key ?? adminKey}` }),
          ...(body !== undefined || rawBody !== undefined ? { 'content-type': 'application/json' } : {}),
          ...headers,
        },
        body: rawBody ?? (body === undefined ? undefined : JSON.stringify(body)),
      });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // not JSON (docs, metrics): keep the text
      }
      return { status: response.status, body: parsed, headers: response.headers };
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await deps.close();
      await database.drop();
    },
  };
}
