import type { Logger } from 'pino';
import type { Db } from '../../db/index.js';
import { isDeadlock } from '../../db/errors.js';
import { extendLeases, leasedToOthers } from '../../db/queries/deliveries.js';
import { appendToGroup } from '../../db/map-groups.js';
import type { Clock } from '../deps.js';
import { coerceError } from '../errors.js';

export interface LeaseKeeper {
  /** Rows of one claim, now in flight under `lockToken`. */
  track(ids: string[], lockToken: string): void;
  /** The row's attempt was recorded or its lease given back: stop renewing it. */
  forget(id: string): void;
  /** True when another process holds the row now: its attempt must not be sent. */
  isLost(id: string): boolean;
  /** Stops renewing (after waiting for a renewal under way); the leases then run out or are released. */
  stop(): Promise<void>;
}

/**
 * Keeps the leases of one dispatcher's rows alive while they are in flight. A row is this
 * process's from its claim until its attempt is recorded or it is released. On a slow database
 * (Galera flow control, a starved machine) that can outlast the lease, and another process would
 * then claim the row and send it a second time. So every third of a lease one guarded UPDATE per
 * claim pushes the expiry of the rows still in flight to now + lease. A process that dies stops
 * renewing, and its rows still come back one lease later. A row found leased to another token
 * was taken before a renewal reached it: `isLost` tells the attempt not to send it.
 */
export function startLeaseKeeper(options: { db: Db; clock: Clock; logger: Logger; leaseMs: number }): LeaseKeeper {
  const { db, clock, logger, leaseMs } = options;
  const tokens = new Map<string, string>();
  const lost = new Set<string>();
  let renewing: Promise<void> | null = null;

  async function renew(): Promise<void> {
    const byToken = new Map<string, string[]>();
    for (const [id, token] of tokens) appendToGroup(byToken, token, id);
    const until = clock.now() + leaseMs;
    let taken = 0;
    for (const [token, ids] of byToken) {
      // fewer rows matched than asked for: some finished meanwhile, or were taken
      if ((await extendLeases(db, ids, token, until)) === ids.length) continue;
      for (const id of await leasedToOthers(db, ids, token)) {
        if (tokens.get(id) !== token) continue;
        lost.add(id);
        taken++;
      }
    }
    if (taken > 0)
      logger.warn({ taken }, 'leases ran out before they were renewed and another process claimed the rows; this one will not send them');
  }

  const timer = setInterval(
    () => {
      if (renewing || tokens.size === 0) return;
      renewing = renew()
        .catch((thrown) => {
          // the next renewal tries again; a lease that runs out meanwhile is what isLost is for
          const err = coerceError(thrown);
          if (isDeadlock(thrown)) logger.debug({ err }, 'renewing leases conflicted');
          else logger.warn({ err }, 'renewing leases failed');
        })
        .finally(() => {
          renewing = null;
        });
    },
    Math.max(50, Math.floor(leaseMs / 3)),
  );
  timer.unref();

  return {
    track(ids, lockToken) {
      for (const id of ids) tokens.set(id, lockToken);
    },
    forget(id) {
      tokens.delete(id);
      lost.delete(id);
    },
    isLost: (id) => lost.has(id),
    async stop() {
      clearInterval(timer);
      await renewing;
    },
  };
}
