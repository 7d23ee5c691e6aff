import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig, ConfigError } from '../config/index.js';
import { createDb, migrate } from '../db/index.js';
import { isDatabaseError, safeDatabaseError } from '../db/error-redaction.js';
import { createApp } from './app.js';
import { bootstrapDefaultWorkspace } from './bootstrap.js';
import { systemClock } from './deps.js';
import { drainable, type HttpDrain } from './http-drain.js';
import { createLogger } from './logger.js';
import { createRuntime } from './runtime.js';

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
  // everything the app owns (caches, writers, metrics, signals, workers, the database) hangs off it
  const runtime = createRuntime({ config, db: createDb({ databaseUrl: config.databaseUrl }), logger, clock: systemClock });

  // listening from the start: a SIGTERM during start-up finishes start-up, then drains, and exits 0
  const signalled = waitForSignal();
  let server: Server | null = null;
  let http: HttpDrain | null = null;
  try {
    // listen first so /healthz answers while migrations run; /readyz stays 503 until they finish
    server = createApp(runtime).listen(config.port, config.host);
    http = drainable(server);
    await new Promise<void>((resolve, reject) => server!.once('listening', resolve).once('error', reject));
    await migrate(runtime.db);
    const { generatedKey, workspace } = await bootstrapDefaultWorkspace(runtime.db, config.adminKey, runtime.clock.now());
    // ready only once the admin key exists, so automation may call the API as soon as /readyz says 200
    runtime.readiness.migrated = true;
    if (generatedKey) {
      process.stdout.write(
        `\nDispatch created the default workspace (${workspace.id}) and its admin API key.\n` +
          `It is shown only once; store it now:\n\n  ${generatedKey}\n\n`,
      );
    }
    runtime.startWorkers();
    logger.info(
      {
        port: (server.address() as AddressInfo).port,
        host: config.host,
        database: config.databaseUrl.split(':')[0],
        version: config.version,
      },
      'dispatch listening',
    );
    await signalled;
    logger.info({ graceMs: config.shutdownGraceMs }, 'shutting down');
    // requests in progress are answered (a send gets its 202) while the dispatcher finishes or
    // releases its attempts; both share the one grace, and the database stays open for both
    await Promise.all([http.drain(config.shutdownGraceMs), runtime.stopWorkers(config.shutdownGraceMs)]);
  } finally {
    // on a start-up failure: nothing was accepted yet, so closing at once loses nothing
    await runtime.stopWorkers(config.shutdownGraceMs);
    if (server?.listening) {
      server.close();
      server.closeAllConnections();
    }
    await runtime.close();
  }
}

/**
 * Resolves on the first SIGTERM or SIGINT. The listeners stay: a repeated signal during the drain
 * is ignored instead of killing the process mid-answer (the grace bounds the drain anyway).
 */
function waitForSignal(): Promise<string> {
  return new Promise((resolve) => {
    process.on('SIGTERM', () => resolve('SIGTERM'));
    process.on('SIGINT', () => resolve('SIGINT'));
  });
}

main().then(
  () => process.exit(0),
  (error) => {
    // a failed migration or bootstrap statement must not print the values it carried
    const message = error instanceof Error ? (isDatabaseError(error) ? safeDatabaseError(error).message : error.message) : String(error);
    process.stderr.write(`dispatch: ${message}\n`);
    process.exit(1);
  },
);
