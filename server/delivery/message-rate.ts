import type { AppDeps } from '../deps.js';
import { leaseMessageBudget } from '../../db/queries/message-rate.js';
import { AppError } from '../errors.js';

/**
 * The `messages_per_second` plan limit across every process on the database (CONTRACT §10):
 * the per-second total lives in `message_rate_windows`, and each process takes leases of up to
 * a tenth of the limit from it, so most accepts cost no database round trip.
 */
export interface MessageRate {
  /** Counts one message for the workspace, or throws 429 `rate_limited` with `Retry-After`. */
  take(workspaceId: string, limit: number): Promise<void>;
}

interface Window {
  second: number;
  /** Leased budget not yet used by this process. */
  left: number;
  /** The database said this second is spent: refuse without asking again. */
  full: boolean;
  /** The lease being taken now; concurrent accepts wait for it rather than take their own. */
  pending: Promise<void> | null;
}

/** Workspaces tracked before the map is cleared (one entry per workspace sending in this second). */
const MAX_WINDOWS = 10_000;

/** Builds the limiter for one app instance (its state is this instance's leases). */
export function createMessageRate(deps: Pick<AppDeps, 'db' | 'clock'>): MessageRate {
  const windows = new Map<string, Window>();
  return {
    async take(workspaceId, limit) {
      const lease = Math.max(1, Math.ceil(limit / 10));
      for (;;) {
        const now = deps.clock.now();
        const second = Math.floor(now / 1000);
        let window = windows.get(workspaceId);
        if (!window || window.second !== second) {
          // budget left from an earlier second is simply dropped: it was counted, so the total stays under the limit
          if (windows.size >= MAX_WINDOWS) windows.clear();
          window = { second, left: 0, full: false, pending: null };
          windows.set(workspaceId, window);
        }
        if (window.left > 0) {
          window.left--;
          return;
        }
        if (window.full) {
          const retryAfter = Math.max(1, Math.ceil(((second + 1) * 1000 - now) / 1000));
          throw new AppError('rate_limited', `At most ${limit} messages per second are accepted (messages_per_second).`, {
            headers: { 'Retry-After': String(retryAfter) },
          });
        }
        if (!window.pending) {
          const taking = window;
          taking.pending = leaseMessageBudget(deps.db, workspaceId, second, lease, limit)
            .then((granted) => {
              taking.left += granted;
              if (granted === 0) taking.full = true;
            })
            .finally(() => {
              taking.pending = null;
            });
        }
        await window.pending;
      }
    },
  };
}
