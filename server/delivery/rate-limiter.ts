import type { Db } from '../../db/index.js';
import { reserveSendSlot } from '../../db/queries/rate-limits.js';
import type { ResolvedTarget } from './targets.js';

/**
 * The window stamps are counted over. A little over one second so that, with request latency
 * jitter, a receiver never sees more than `rate_limit` requests in any 1-second window.
 */
export const RATE_WINDOW_MS = 1100;

export type Reservation = { granted: true } | { granted: false; retryAt: number };

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
      const now = clock();
      const known = blocked.get(target.targetId);
      if (known && known.until > now) {
        known.deferred++;
        // `limit` deliveries fit in each window after the one that frees at `until`
        return { granted: false, retryAt: known.until + Math.floor(known.deferred / limit) * RATE_WINDOW_MS };
      }
      const result = await reserveSendSlot(db, { targetId: target.targetId, lockTable: target.lockTable, limit, windowMs: RATE_WINDOW_MS }, clock);
      if (result.granted) {
        blocked.delete(target.targetId);
        return { granted: true };
      }
      if (blocked.size > 10_000) blocked.clear();
      blocked.set(target.targetId, { until: result.freeAt, deferred: 0, limit });
      return { granted: false, retryAt: result.freeAt };
    },
  };
}

export type RateLimiter = ReturnType<typeof createRateLimiter>;
