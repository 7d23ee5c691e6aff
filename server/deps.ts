import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import type { Db } from '../db/index.js';
import type { AcceptWriter } from './delivery/accept-writer.js';
import type { EndpointFilters } from './delivery/endpoint-filters.js';
import type { MessageRate } from './delivery/message-rate.js';
import type { PayloadValidators } from './delivery/payload-validators.js';
import type { SendContextCache } from './delivery/send-context-cache.js';
import type { GroupWriter } from './ingest/group-writer.js';
import type { SourceCache } from './ingest/source-cache.js';
import type { Metrics } from './metrics.js';
import type { ApiKeyCache } from './middleware/auth.js';
import type { EmitSignal, SignalBus } from './signals.js';

/** A source of "now" in epoch milliseconds; tests inject their own to move time. */
export interface Clock {
  now(): number;
}

export const systemClock: Readonly<Clock> = { now: () => Date.now() };

/**
 * What the app and its background workers are built from, and everything one app owns: its
 * caches, group-commit writers, limiter, metrics and signal bus. Nothing of this lives in a
 * module, so two apps in one process (tests, or two databases) never share state. Built only by
 * `createRuntime` (server/runtime.ts), in production and tests alike.
 */
export interface AppDeps {
  readonly config: Readonly<Config>;
  readonly db: Db;
  readonly logger: Logger;
  readonly clock: Clock;
  /**
   * In-process signals (server/signals.ts), e.g. `work` after a route commits new deliveries so
   * the dispatcher need not wait for its poll. Listen here; emit through `emit`.
   */
  readonly signals: SignalBus;
  /** Emits on `signals`; a listener's error is logged, never thrown to the emitter. */
  readonly emit: EmitSignal;
  /** Set once migrations are applied; /readyz answers 200 only then. */
  readonly readiness: { migrated: boolean };
  /** API-key lookups of this app (900 ms); DELETE /keys clears it. */
  readonly apiKeys: ApiKeyCache;
  /** Ingest-token lookups of this app (1 s); source changes clear it. */
  readonly sourceCache: SourceCache;
  /** Apps with their event types, and recipients, as sends read them (1 s); their changes clear it. */
  readonly sendContexts: SendContextCache;
  /** Compiled endpoint payload filters (one per endpoint version), used by fan-out. */
  readonly endpointFilters: EndpointFilters;
  /** Group commit of accepted messages without an idempotency key. */
  readonly acceptWriter: AcceptWriter;
  /** Group commit of ingested events. */
  readonly ingestWriter: GroupWriter;
  /** Compiled event-type schemas. */
  readonly payloadValidators: PayloadValidators;
  /** This app's `messages_per_second` leases. */
  readonly messageRate: MessageRate;
  /** The Prometheus registry /metrics serves, fed by `signals`. */
  readonly metrics: Metrics;
}
