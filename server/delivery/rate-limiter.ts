import type { Db } from '../../db/index.js';
import { cancelSendStamp, reserveSendSlot } from '../../db/queries/rate-limits.js';
import type { ResolvedTarget } from './targets.js';

/**
 * The window stamps are counted over. Longer than one second so that, with the jitter between
 * taking a stamp and the request's arrival, a receiver never sees more than `rate_limit`
 * requests in any 1-second window (a busy host delays some requests by 100 ms or more).
 */
export const RATE_WINDOW_MS = 1200;

/**
 * A reservation is only good if the request leaves promptly: when the process was held up for
 * longer than this between taking its stamp and sending, the stamp no longer says when the
 * receiver sees the request, so it is given back and the delivery waits for a fresh slot.
 */
export const STAMP_MAX_AGE_MS = 100;

export type Reservation = { granted: true; sentAt: number; stampId: number } | { granted: false; retryAt: number };

/**
 * Per-target send slots shared by every process (rate_limit_sends, under a lock on the target
 * row). When a target is known to be full until T, further deliveries to it are turned away in
 * memory and spread over the following windows instead of each asking the database.
 */
export function createRateLimiter(db: Db, clock: () => number) {
  const blocked = new Map<string, { until: number; deferred: number; limit: number }>();

  return {
    async reserve(target: ResolvedTarget): Promise<Reservation> {
      const limit = target.rateLimit as number;
      const key = target.rateLimitKey ?? target.targetId;
      const now = clock();
      const known = blocked.get(key);
      if (known && known.until > now) {
        known.deferred++;
        // `limit` deliveries fit in each window after the one that frees at `until`
        return { granted: false, retryAt: known.until + Math.floor(known.deferred / limit) * RATE_WINDOW_MS };
      }
      const result = await reserveSendSlot(
        db,
        { targetId: target.targetId, stampKey: key, lockTable: target.lockTable, limit, windowMs: RATE_WINDOW_MS },
        clock,
      );
      if (result.granted) {
        blocked.delete(key);
        return { granted: true, sentAt: result.sentAt, stampId: result.stampId };
      }
      if (blocked.size > 10_000) blocked.clear();
      blocked.set(key, { until: result.freeAt, deferred: 0, limit });
      return { granted: false, retryAt: result.freeAt };
    },
    /** Frees a reserved slot that was not used in time. */
    async cancel(stampId: number): Promise<void> {
      await cancelSendStamp(db, stampId);
    },
  };
}

export type RateLimiter = ReturnType<typeof createRateLimiter>;
