import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import type { Db } from '../db/index.js';
import { createAcceptWriter } from './delivery/accept-writer.js';
import { createEndpointFilters } from './delivery/endpoint-filters.js';
import { createMessageRate } from './delivery/message-rate.js';
import { createPayloadValidators } from './delivery/payload-validators.js';
import { createSendContextCache } from './delivery/send-context-cache.js';
import { systemClock, type AppDeps, type Clock } from './deps.js';
import { createGroupWriter } from './ingest/group-writer.js';
import { createSourceCache } from './ingest/source-cache.js';
import { createMetrics } from './metrics.js';
import { createApiKeyCache } from './middleware/auth.js';
import { createSignalBus, signalEmitter } from './signals.js';
import { startWorkers, type Workers } from './workers.js';

export interface RuntimeOptions {
  config: Readonly<Config>;
  /** The database handle; the runtime owns it from here and destroys it on `close`. */
  db: Db;
  logger: Logger;
  clock?: Clock;
  /** True when the caller already migrated (tests); server/index.ts sets it after migrating. */
  migrated?: boolean;
}

/** One app's object graph (its `AppDeps`) and the lifecycle of what it owns. */
export interface Runtime extends AppDeps {
  /** Starts the background workers (dispatcher, anomaly detectors, retention, sealer); once. */
  startWorkers(): void;
  /** Stops the workers, waiting up to `graceMs` for in-flight attempts; a no-op when none run. */
  stopWorkers(graceMs: number): Promise<void>;
  /** Stops the workers at once if they still run, detaches every listener and closes the database. */
  close(): Promise<void>;
}

/**
 * Builds everything one app owns (koa's `createApp` style, one level down): caches, group-commit
 * writers, limiter, metrics and the signal bus, all over this `db` and timed by this `clock`.
 * server/index.ts and the test servers both build their app here, so tests run the production
 * object graph; `createApp(runtime)` serves it over HTTP.
 */
export function createRuntime(options: RuntimeOptions): Runtime {
  const { config, db, logger } = options;
  const clock = options.clock ?? systemClock;
  const signals = createSignalBus();
  let workers: Workers | null = null;
  let closed = false;
  const endpointFilters = createEndpointFilters();

  const runtime: Runtime = {
    config,
    db,
    logger,
    clock,
    signals,
    emit: signalEmitter(signals, logger),
    readiness: { migrated: options.migrated ?? false },
    apiKeys: createApiKeyCache(db, clock),
    sourceCache: createSourceCache(db, clock),
    sendContexts: createSendContextCache(db, clock),
    endpointFilters,
    acceptWriter: createAcceptWriter(db, endpointFilters),
    ingestWriter: createGroupWriter(db),
    payloadValidators: createPayloadValidators(),
    messageRate: createMessageRate({ db, clock }),
    metrics: createMetrics({ db, clock, signals, logger }),
    startWorkers() {
      if (closed) throw new Error('the runtime is closed');
      workers ??= startWorkers(runtime);
    },
    async stopWorkers(graceMs) {
      const running = workers;
      workers = null;
      await running?.stop(graceMs);
    },
    async close() {
      if (closed) return;
      closed = true;
      await runtime.stopWorkers(0);
      runtime.metrics.close();
      signals.removeAllListeners();
      runtime.apiKeys.clear();
      runtime.sourceCache.clear();
      runtime.sendContexts.clear();
      await db.destroy();
    },
  };
  return runtime;
}
