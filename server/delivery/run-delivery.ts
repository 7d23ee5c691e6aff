import type { Logger } from 'pino';
import type { Config } from '../../config/index.js';
import type { Db } from '../../db/index.js';
import { releaseDelivery, type Delivery } from '../../db/queries/deliveries.js';
import type { DeliveryOutcome } from '../../db/queries/delivery-outcomes.js';
import { retryOnDeadlock } from '../../db/deadlock-retry.js';
import type { Clock } from '../deps.js';
import { coerceError } from '../errors.js';
import { postWithAuth, type EndpointAuthenticator } from './endpoint-auth.js';
import type { HttpClient, HttpOutcome } from './http-client.js';
import { STAMP_MAX_AGE_MS, type RateLimiter } from './rate-limiter.js';
import type { Recorder } from './recorder.js';
import { parseRetryAfterMs, retryDelayMs, scheduledDelayMs } from './retry.js';
import { signatureHeader } from './signer.js';
import type { ResolvedTarget } from './targets.js';

export interface RunContext {
  delivery: Delivery;
  /** The resolved target; null = cannot be attempted any more; undefined = no resolver for its kind. */
  target: ResolvedTarget | null | undefined;
  lockToken: string;
  db: Db;
  config: Readonly<Config>;
  clock: Clock;
  http: HttpClient;
  /** Endpoint credentials and the OAuth2 token cache of this dispatcher. */
  auth: EndpointAuthenticator;
  rateLimiter: RateLimiter;
  recorder: Recorder;
  logger: Logger;
  /** True once shutdown gave the leases back: results must not be written any more. */
  isAbandoned(): boolean;
  /** True when another process claimed the row after its lease ran out (server/delivery/lease-keeper.ts). */
  isLeaseLost(): boolean;
  /** Asks the loop to look for due rows at `at` (sooner than its poll would). */
  wakeAt(at: number): void;
  unresolvableRetryMs: number;
}

/**
 * The delivery's state after an attempt with this outcome (CONTRACT delivery rules 4 and 5). An
 * endpoint's own `retry_schedule` (§8, `endpointScheduleMs`) replaces the global one for its
 * scheduled deliveries, as it stands at this attempt (a PATCH applies to deliveries in progress).
 */
export function nextState(
  delivery: Delivery,
  outcome: HttpOutcome,
  lockToken: string,
  config: Pick<Config, 'retryScheduleMs'>,
  at: number,
  endpointScheduleMs: readonly number[] | null = null,
): DeliveryOutcome {
  const attempts = delivery.attempts + 1;
  const base = { id: delivery.id, lockToken, attempts };
  if (outcome.ok) return { ...base, status: 'succeeded', nextAttemptAt: null };
  const schedule = endpointScheduleMs !== null && delivery.trigger === 'scheduled' ? endpointScheduleMs : null;
  const maxAttempts = schedule === null ? delivery.maxAttempts : schedule.length + 1;
  // a blocked destination stays blocked; replays (max_attempts 1) are never retried
  if (outcome.error === 'destination_blocked' || attempts >= maxAttempts) return { ...base, status: 'failed', nextAttemptAt: null };
  const scheduled = scheduledDelayMs(schedule ?? config.retryScheduleMs, attempts);
  const delay = retryDelayMs(scheduled, outcome.status, parseRetryAfterMs(outcome.retryAfter, at));
  return { ...base, status: 'pending', nextAttemptAt: at + delay };
}

/**
 * One claimed delivery: reserve a rate-limit slot if the target has a limit, send the signed
 * request, and hand the outcome to the recorder. Whatever happens, the lease is given back.
 */
export async function runDelivery(run: RunContext): Promise<void> {
  const { delivery, target, lockToken, db, clock, config } = run;
  let settled = false;
  try {
    if (target === undefined) {
      settled = await releaseDelivery(db, delivery.id, lockToken, clock.now() + run.unresolvableRetryMs, clock.now());
      return;
    }
    if (target === null) {
      settled = await run.recorder.abandon(delivery, lockToken);
      return;
    }
    if (run.isLeaseLost()) {
      // the row is another process's attempt now: sending it here would deliver it twice
      settled = true;
      return;
    }
    if (target.rateLimit !== null) {
      const slot = await run.rateLimiter.reserve(target);
      if (!slot.granted) {
        // the window is full: wait for a slot without counting an attempt
        settled = await releaseDelivery(db, delivery.id, lockToken, slot.retryAt, clock.now());
        if (settled) run.wakeAt(slot.retryAt);
        return;
      }
      if (clock.now() - slot.sentAt > STAMP_MAX_AGE_MS) {
        // held up since the stamp was taken: sending now could crowd the receiver's second
        await run.rateLimiter.cancel(slot.stampId);
        settled = await releaseDelivery(db, delivery.id, lockToken, clock.now(), clock.now());
        return;
      }
    }
    const sentAt = clock.now();
    const timestamp = Math.floor(sentAt / 1000);
    const headers: Record<string, string> = {
      ...target.headers,
      'user-agent': `Dispatch/${config.version}`,
      'webhook-id': target.webhookId,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signatureHeader(target.keys, target.webhookId, timestamp, target.body),
    };
    const outcome = await postWithAuth(run.auth, run.http, {
      endpointId: target.targetId,
      auth: target.auth ?? null,
      url: target.url,
      headers,
      body: target.body,
      timeoutMs: target.timeoutMs ?? config.requestTimeoutMs,
    });
    if (run.isAbandoned()) return;
    const at = clock.now();
    const next = nextState(delivery, outcome, lockToken, config, at, target.retryScheduleMs ?? null);
    const written = await run.recorder.record({ delivery, target, outcome, next, at });
    settled = true;
    // the row was deleted meanwhile (its endpoint or message), or its lease ran out and another
    // process claimed it: that one attempts it again, so the receiver may see it twice
    if (!written) run.logger.warn({ deliveryId: delivery.id }, 'attempt not recorded: its row is no longer leased to this process');
    if (written && next.nextAttemptAt !== null) run.wakeAt(next.nextAttemptAt);
    // the next delivery of a fifo lane became due with this write: claim it now, not at the next poll
    if (written && target.fifo && next.status !== 'pending') run.wakeAt(clock.now());
  } catch (thrown) {
    run.logger.error({ err: coerceError(thrown), deliveryId: delivery.id }, 'delivery failed to run');
  } finally {
    // **MUST** release the lease when the attempt was not recorded, so the row is attempted again
    // soon rather than after the lease runs out. (A lost lease makes this a no-op: guarded by token.)
    if (!settled && !run.isAbandoned()) {
      await retryOnDeadlock(() => releaseDelivery(db, delivery.id, lockToken, clock.now() + 1000, clock.now())).catch((thrown) => {
        run.logger.error({ err: coerceError(thrown), deliveryId: delivery.id }, 'releasing a lease failed; it expires on its own');
      });
    }
  }
}
