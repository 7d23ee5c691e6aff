import type { EventEmitter } from 'node:events';
import type { Context } from 'koa';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { readQueueStats } from '../db/queries/metrics.js';
import type { AppDeps } from './deps.js';
import type { Workers } from './workers.js';

/** The 'attempt' signal as the delivery recorder emits it (the fields metrics read). */
interface AttemptSignal {
  kind: 'endpoint' | 'source';
  status: 'succeeded' | 'failed';
  /** The attempt's error class (contract Attempt.error), null on success. */
  error?: string | null;
  durationMs?: number;
  /** True for the first scheduled attempt of a delivery (not retries, replays or recovers). */
  firstAttempt?: boolean;
  /** When the delivery was created: message accepted or event ingested (epoch ms). */
  acceptedAt?: number;
  /** When the attempt finished (epoch ms). */
  at?: number;
}

/** The probe /metrics sends on `signals` to ask this process's dispatchers what they hold. */
export interface InFlightProbe {
  inFlight: number;
}

/** The contract's attempt error classes (server/delivery/http-client.ts AttemptError). */
const ATTEMPT_ERRORS = ['http_status', 'timeout', 'connection_refused', 'dns_failed', 'tls_failed', 'destination_blocked'];

/** Latency buckets (seconds) from a loopback receiver's milliseconds up to the 15 s default timeout. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30];
/** Accept → first attempt: milliseconds when healthy, minutes when the queue is backed up. */
const QUEUE_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

export interface Metrics {
  registry: Registry;
  /** Koa handler for GET /metrics (Prometheus text format). */
  serve(ctx: Context): Promise<void>;
}

/**
 * A Prometheus registry for one app instance (never prom-client's global one, so two apps in
 * one process keep separate counts). Counters and histograms are fed by in-process signals
 * (`accepted`, `ingested`, `attempt`); queue gauges are read from the database at scrape time,
 * so every replica reports the same cluster-wide queue; in-flight is this process's own.
 */
export function createMetrics(deps: Pick<AppDeps, 'db' | 'clock' | 'signals' | 'logger'>): Metrics {
  const { db, clock, signals } = deps;
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  const accepted = new Counter({ name: 'dispatch_messages_accepted_total', help: 'Messages accepted (202) by POST /apps/{app}/messages.', registers: [registry] });
  const ingested = new Counter({
    name: 'dispatch_ingest_events_total', help: 'Requests received on ingest URLs, by how they were stored (accepted, duplicate, rejected).',
    labelNames: ['status'], registers: [registry],
  });
  const attempts = new Counter({
    name: 'dispatch_attempts_total', help: 'Delivery and forward attempts, by outcome (succeeded, failed) and error class (none when succeeded).',
    labelNames: ['outcome', 'error'], registers: [registry],
  });
  const duration = new Histogram({
    name: 'dispatch_attempt_duration_seconds', help: 'Time from sending an attempt to its response (or error).',
    labelNames: ['outcome'], buckets: LATENCY_BUCKETS, registers: [registry],
  });
  const firstAttempt = new Histogram({
    name: 'dispatch_accept_to_first_attempt_seconds', help: 'Time from accepting a message (or ingesting an event) to the start of its first attempt.',
    buckets: QUEUE_BUCKETS, registers: [registry],
  });
  new Gauge({
    name: 'dispatch_deliveries_in_flight', help: 'Deliveries this process has claimed and not finished (queued in or running through its p-queue).',
    registers: [registry],
    collect() {
      const probe: InFlightProbe = { inFlight: 0 };
      signals.emit('metrics_probe', probe);
      this.set(probe.inFlight);
    },
  });
  const pending = new Gauge({ name: 'dispatch_deliveries_pending', help: 'Deliveries not finished yet, across every process (queue depth).', registers: [registry] });
  const oldest = new Gauge({
    name: 'dispatch_oldest_pending_age_seconds',
    help: 'How long the longest-waiting due delivery has waited past its due time; 0 when the queue is caught up (retries scheduled for later do not count).',
    registers: [registry],
  });

  // start every known series at 0, so rate() and alerts see them before the first event
  for (const status of ['accepted', 'duplicate', 'rejected']) ingested.inc({ status }, 0);
  attempts.inc({ outcome: 'succeeded', error: 'none' }, 0);
  for (const error of ATTEMPT_ERRORS) attempts.inc({ outcome: 'failed', error }, 0);

  signals.on('accepted', (event: { count?: number }) => accepted.inc(event?.count ?? 1));
  signals.on('ingested', (event: { status: string }) => ingested.inc({ status: event.status }));
  signals.on('attempt', (event: AttemptSignal) => {
    attempts.inc({ outcome: event.status, error: event.error ?? 'none' });
    if (event.durationMs === undefined) return;
    duration.observe({ outcome: event.status }, event.durationMs / 1000);
    if (event.firstAttempt && event.acceptedAt !== undefined && event.at !== undefined) {
      const startedAt = event.at - event.durationMs;
      firstAttempt.observe(Math.max(0, startedAt - event.acceptedAt) / 1000);
    }
  });

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
  };
}

/**
 * Answers /metrics' in-flight probe with `count()` (a dispatcher's claimed-but-unfinished
 * deliveries) until stopped; workers.ts wires the dispatcher in with it.
 */
export function reportInFlight(signals: EventEmitter, count: () => number): Workers {
  const answer = (probe: InFlightProbe) => {
    probe.inFlight += count();
  };
  signals.on('metrics_probe', answer);
  return {
    async stop() {
      signals.off('metrics_probe', answer);
    },
  };
}
