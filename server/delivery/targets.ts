import type { Knex } from 'knex';
import type { Logger } from 'pino';
import type { Config } from '../../config/index.js';
import type { Db } from '../../db/index.js';
import type { Delivery } from '../../db/queries/deliveries.js';
import type { EndpointAuth } from '../../db/queries/endpoint-auth.js';

/**
 * The dispatcher delivers two kinds of work rows (CONTRACT: "Delivery rules (both directions)"):
 * outbound messages to endpoints and ingest events forwarded to a source's destination. It only
 * knows deliveries, targets and attempts; everything kind-specific sits behind a TargetResolver.
 */
export type TargetKind = 'endpoint' | 'source';

/** Everything needed to send one attempt of a claimed delivery. */
export interface ResolvedTarget {
  kind: TargetKind;
  /** The endpoint or source id (rate limits, health counters and signals are keyed by it). */
  targetId: string;
  workspaceId: string;
  url: URL;
  /**
   * Request headers other than `user-agent` and the `webhook-*` trio, which the dispatcher adds
   * last so nothing can override them: `content-type` and any custom/original headers, lower-case.
   */
  headers: Record<string, string>;
  /** The exact bytes to POST (and to sign). */
  body: Buffer;
  /** HMAC keys (decoded `whsec_` secrets), one `v1,` signature each; current first. */
  keys: Buffer[];
  /** Max sends in any rolling second across all processes; null = unlimited. */
  rateLimit: number | null;
  /** Whose send stamps the rate limit counts when not `targetId` (each of a source's destinations has its own). */
  rateLimitKey?: string;
  /** This target's per-attempt timeout when it overrides DISPATCH_REQUEST_TIMEOUT (endpoint `timeout`). */
  timeoutMs?: number | null;
  /** This target's retry delays when they override DISPATCH_RETRY_SCHEDULE (endpoint `retry_schedule`). */
  retryScheduleMs?: number[] | null;
  /** Credentials for the receiver (endpoint `auth`, secrets opened); absent or null = none. */
  auth?: EndpointAuth | null;
  /** A fifo endpoint: a delivery that finishes makes the next one of its lane due (db/queries/fifo-lanes.ts). */
  fifo?: boolean;
  /** The table whose row is locked while reserving a rate-limit slot. */
  lockTable: 'endpoints' | 'sources';
  /** The `webhook-id` header: the msg_/evt_ id, stable across retries and replays. */
  webhookId: string;
  /** The target's failure streak when the batch was loaded (lets a success skip a no-op write). */
  consecutiveFailures: number;
}

/** Context a resolver works in. */
export interface ResolverContext {
  db: Db;
  config: Readonly<Config>;
  now: number;
  logger?: Logger;
}

/** One recorded attempt, as handed to the resolver inside the recording transaction. */
export interface RecordedAttempt {
  delivery: Delivery;
  target: ResolvedTarget;
  succeeded: boolean;
  /** The delivery's new status after this attempt. */
  deliveryStatus: 'pending' | 'succeeded' | 'failed';
  at: number;
}

/** A target's health after a group of attempts, for the `attempt` signal and auto-disable. */
export interface TargetHealth {
  consecutiveFailures: number;
  /** True when this write auto-disabled the target (the dispatcher emits `endpoint_disabled`). */
  disabledNow: boolean;
}

export interface TargetResolver {
  /**
   * Loads the targets of a claimed batch in as few queries as possible: delivery id → target, or
   * null when the delivery can no longer be attempted (target deleted or disabled, payload
   * purged); such deliveries are finished as failed without an attempt. A delivery left out of
   * the map (or a resolver that throws) is released and retried later.
   */
  resolve(ctx: ResolverContext, deliveries: Delivery[]): Promise<Map<string, ResolvedTarget | null>>;
  /**
   * Runs inside the transaction that inserts the attempts and updates the deliveries: update the
   * targets' failure counters (and anything kind-specific, e.g. an ingest event's status).
   * `attempts` are in the order they happened. Returns health per target id.
   */
  afterAttempts(tx: Knex.Transaction, ctx: ResolverContext, attempts: RecordedAttempt[]): Promise<Map<string, TargetHealth>>;
  /**
   * Runs inside the transaction that finished `deliveries` as failed without an attempt (their
   * target or payload is gone, `resolve` said null): settle what depends on them, as
   * `afterAttempts` does for attempted ones (a fifo lane's next row, an ingest event's status).
   */
  afterAbandoned(tx: Knex.Transaction, ctx: ResolverContext, deliveries: Delivery[]): Promise<void>;
}

/** Which kind of target a delivery row is for (outbound rows have endpoint_id, forwards source_id). */
export function targetKindOf(delivery: Delivery): TargetKind | null {
  if (delivery.endpointId) return 'endpoint';
  if (delivery.sourceId) return 'source';
  return null;
}
