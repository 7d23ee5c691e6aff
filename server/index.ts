import { EventEmitter } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig, ConfigError } from '../config/index.js';
import { createDb, migrate } from '../db/index.js';
import { createApp } from './app.js';
import { bootstrapDefaultWorkspace } from './bootstrap.js';
import { systemClock, type AppDeps } from './deps.js';
import { createLogger } from './logger.js';
import { startWorkers, type Workers } from './workers.js';

/** How long SIGTERM waits for in-flight work before leases are released and the process exits. */
const SHUTDOWN_GRACE_MS = 10_000;

/** Starts Dispatch: config → db → migrate → bootstrap → listen → background workers. */
export async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`dispatch: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  const db = createDb({ databaseUrl: config.databaseUrl });
  const deps: AppDeps = { config, db, logger, clock: systemClock, signals: new EventEmitter(), readiness: { migrated: false } };
  deps.signals.setMaxListeners(0);

  let server: Server | null = null;
  let workers: Workers | null = null;
  try {
    // listen first so /healthz answers while migrations run; /readyz stays 503 until they finish
    server = createApp(deps).listen(config.port, config.host);
    await new Promise<void>((resolve, reject) => server!.once('listening', resolve).once('error', reject));
    await migrate(db);
    const { generatedKey, workspace } = await bootstrapDefaultWorkspace(db, config.adminKey, Date.now());
    // ready only once the admin key exists, so automation may call the API as soon as /readyz says 200
    deps.readiness.migrated = true;
    if (generatedKey) {
      process.stdout.write(`\nDispatch created the default workspace (${workspace.id}) and its admin API key.\n`
        + `It is shown only once; store it now:\n\n  ${generatedKey}\n\n`);
    }
    workers = startWorkers(deps);
    logger.info({ port: (server.address() as AddressInfo).port, host: config.host, database: config.databaseUrl.split(':')[0], version: config.version }, 'dispatch listening');
    await waitForSignal();
    logger.info('shutting down');
    server.close();
    server.closeAllConnections?.();
  } finally {
    await workers?.stop(SHUTDOWN_GRACE_MS);
    if (server?.listening) server.close();
    await db.destroy();
  }
}

function waitForSignal(): Promise<string> {
  return new Promise((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`dispatch: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
