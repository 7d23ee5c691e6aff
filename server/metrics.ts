import type { Context } from 'koa';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { readQueueStats } from '../db/queries/metrics.js';
import type { Clock } from './deps.js';
import type { Db } from '../db/index.js';
import type { Logger } from 'pino';
import type { AttemptSignal, DispatchSignals, SignalBus } from './signals.js';
import type { Workers } from './workers.js';
import { HANDSHAKE_TYPES } from './ingest/handshakes.js';

/** The contract's attempt error classes (server/delivery/http-client.ts AttemptError). */
const ATTEMPT_ERRORS: readonly string[] = [
  'http_status',
  'timeout',
  'connection_refused',
  'dns_failed',
  'tls_failed',
  'destination_blocked',
  'auth_failed',
];

/** Latency buckets (seconds) from a loopback receiver's milliseconds up to the 15 s default timeout. */
const LATENCY_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30];
/** Accept → first attempt: milliseconds when healthy, minutes when the queue is backed up. */
const QUEUE_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

export interface Metrics {
  registry: Registry;
  /** Koa handler for GET /metrics (Prometheus text format). */
  serve(ctx: Context): Promise<void>;
  /**
   * Adds `count` (e.g. a dispatcher's claimed-but-unfinished deliveries) to the in-flight gauge
   * every scrape reads; returns the function that removes it again.
   */
  addInFlight(count: () => number): () => void;
  /**
   * Counts a provider handshake Dispatch answered itself (CONTRACT §9.2). Called by the ingest
   * path directly: a handshake is no event, so no `ingested` signal carries it.
   */
  countHandshake(type: string): void;
  /** Detaches the metrics from the app's signals. */
  close(): void;
}

/**
 * A Prometheus registry for one app instance (never prom-client's global one, so two apps in
 * one process keep separate counts). Counters and histograms are fed by in-process signals
 * (`accepted`, `ingested`, `attempt`); queue gauges are read from the database at scrape time,
 * so every replica reports the same cluster-wide queue; in-flight is this process's own.
 */
export function createMetrics(deps: { db: Db; clock: Clock; signals: SignalBus; logger: Logger }): Metrics {
  const { db, clock, signals } = deps;
  const inFlightSources = new Set<() => number>();
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  const accepted = new Counter({
    name: 'dispatch_messages_accepted_total',
    help: 'Messages accepted (202) by POST /apps/{app}/messages.',
    registers: [registry],
  });
  const ingested = new Counter({
    name: 'dispatch_ingest_events_total',
    help: 'Requests received on ingest URLs, by how they were stored (accepted, duplicate, rejected).',
    labelNames: ['status'],
    registers: [registry],
  });
  const attempts = new Counter({
    name: 'dispatch_attempts_total',
    help: 'Delivery and forward attempts, by outcome (succeeded, failed) and error class (none when succeeded).',
    labelNames: ['outcome', 'error'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'dispatch_attempt_duration_seconds',
    help: 'Time from sending an attempt to its response (or error).',
    labelNames: ['outcome'],
    buckets: [...LATENCY_BUCKETS],
    registers: [registry],
  });
  const handshakes = new Counter({
    name: 'dispatch_ingest_handshakes_total',
    help: 'Provider endpoint-verification handshakes answered on ingest URLs (never stored as events), by type.',
    labelNames: ['type'],
    registers: [registry],
  });
  const firstAttempt = new Histogram({
    name: 'dispatch_accept_to_first_attempt_seconds',
    help: 'Time from accepting a message (or ingesting an event) to the start of its first attempt.',
    buckets: [...QUEUE_BUCKETS],
    registers: [registry],
  });
  new Gauge({
    name: 'dispatch_deliveries_in_flight',
    help: 'Deliveries this process has claimed and not finished (queued in or running through its p-queue).',
    registers: [registry],
    collect() {
      let inFlight = 0;
      for (const count of inFlightSources) inFlight += count();
      this.set(inFlight);
    },
  });
  const pending = new Gauge({
    name: 'dispatch_deliveries_pending',
    help: 'Deliveries not finished yet, across every process (queue depth).',
    registers: [registry],
  });
  const oldest = new Gauge({
    name: 'dispatch_oldest_pending_age_seconds',
    help: 'How long the longest-waiting due delivery has waited past its due time; 0 when the queue is caught up (retries scheduled for later do not count).',
    registers: [registry],
  });

  // start every known series at 0, so rate() and alerts see them before the first event
  for (const status of ['accepted', 'duplicate', 'rejected']) ingested.inc({ status }, 0);
  for (const type of HANDSHAKE_TYPES) handshakes.inc({ type }, 0);
  attempts.inc({ outcome: 'succeeded', error: 'none' }, 0);
  for (const error of ATTEMPT_ERRORS) attempts.inc({ outcome: 'failed', error }, 0);

  const onAccepted = (event: { count: number }) => accepted.inc(event.count);
  const onIngested = (event: DispatchSignals['ingested'][0]) => ingested.inc({ status: event.status });
  const onAttempt = (event: AttemptSignal) => {
    attempts.inc({ outcome: event.status, error: event.error ?? 'none' });
    if (event.durationMs === undefined) return;
    duration.observe({ outcome: event.status }, event.durationMs / 1000);
    if (event.firstAttempt && event.acceptedAt !== undefined && event.at !== undefined) {
      const startedAt = event.at - event.durationMs;
      firstAttempt.observe(Math.max(0, startedAt - event.acceptedAt) / 1000);
    }
  };
  signals.on('accepted', onAccepted);
  signals.on('ingested', onIngested);
  signals.on('attempt', onAttempt);

  return {
    registry,
    async serve(ctx) {
      // read at scrape time; if the database is down the scrape still answers with the rest
      try {
        const stats = await readQueueStats(db);
        pending.set(stats.pending);
        oldest.set(stats.oldestDueAt === null ? 0 : Math.max(0, clock.now() - stats.oldestDueAt) / 1000);
      } catch (error) {
        deps.logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'metrics could not read the queue');
      }
      ctx.type = registry.contentType;
      ctx.body = await registry.metrics();
    },
    countHandshake(type) {
      handshakes.inc({ type });
    },
    addInFlight(count) {
      inFlightSources.add(count);
      return () => inFlightSources.delete(count);
    },
    close() {
      signals.off('accepted', onAccepted);
      signals.off('ingested', onIngested);
      signals.off('attempt', onAttempt);
    },
  };
}

/**
 * Counts `count()` (a dispatcher's claimed-but-unfinished deliveries) in the app's in-flight
 * gauge until stopped; workers.ts wires the dispatcher in with it.
 */
export function reportInFlight(metrics: Metrics, count: () => number): Workers {
  const remove = metrics.addInFlight(count);
  return {
    stop() {
      remove();
      return Promise.resolve();
    },
  };
}
