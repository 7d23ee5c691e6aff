import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import PQueue from 'p-queue';
import type { AppDeps } from '../deps.js';
import { claimDueDeliveries, releaseLeases, type Delivery } from '../../db/queries/deliveries.js';
import { repairLanes } from '../../db/queries/fifo-lanes.js';
import { purgeSendStamps } from '../../db/queries/rate-limits.js';
import { retryOnDeadlock } from '../../db/deadlock-retry.js';
import { isDeadlock } from '../../db/errors.js';
import { appendToGroup } from '../../db/map-groups.js';
import { coerceError } from '../errors.js';
import { createEndpointAuth } from './endpoint-auth.js';
import { createHttpClient, type HttpClient } from './http-client.js';
import { startLeaseKeeper } from './lease-keeper.js';
import { createRateLimiter } from './rate-limiter.js';
import { startHeldWorker } from './held.js';
import { createRecorder } from './recorder.js';
import { leaseMs } from './retry.js';
import { TARGET_RESOLVERS } from './resolvers.js';
import { runDelivery } from './run-delivery.js';
import { targetKindOf, type ResolvedTarget, type ResolverContext, type TargetKind, type TargetResolver } from './targets.js';

export interface DispatcherOptions {
  /** How often the loop looks for due rows when nothing woke it (retries become due this way). */
  pollMs?: number;
  /** Rows claimed per database round trip at most. */
  maxBatch?: number;
  resolvers?: Partial<Record<TargetKind, TargetResolver>>;
}

export interface Dispatcher {
  readonly processId: string;
  /** Stops claiming, waits up to `graceMs` for in-flight attempts, then releases what is left. */
  stop(graceMs: number): Promise<void>;
  /** In-flight attempts right now. */
  inFlight(): number;
}

const DEFAULT_POLL_MS = 300;
const DEFAULT_MAX_BATCH = 500;
const STAMP_PURGE_EVERY_MS = 60_000;
/** How often fifo lanes are checked for a missing head (db/queries/fifo-lanes.ts repairLanes). */
const LANE_REPAIR_EVERY_MS = 5_000;
/** A kind with no registered resolver is looked at again this much later (never dropped). */
const UNRESOLVABLE_RETRY_MS = 30_000;

/** The lease of a claimed row (lives beside the retry timing, which endpoints override too). */
export { leaseMs };

/** A process id usable in a LIKE prefix: letters, digits and dashes only. */
function makeProcessId(): string {
  const host =
    hostname()
      .replace(/[^a-zA-Z0-9-]/g, '')
      .slice(0, 24) || 'host';
  return `${host}-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/**
 * The in-process dispatcher, a peer of the routes: routes commit delivery rows and emit `work`;
 * this loop claims due rows with a lease (never more than the p-queue has room for), resolves
 * their targets in one batch, sends each attempt through the p-queue (DISPATCH_CONCURRENCY) and
 * records attempts in group commits guarded by the lease token.
 */
export function startDispatcher(deps: AppDeps, options: DispatcherOptions = {}): Dispatcher {
  const { config, db, logger, clock, signals } = deps;
  const processId = makeProcessId();
  const pollMs = options.pollMs ?? DEFAULT_POLL_MS;
  const maxBatch = options.maxBatch ?? DEFAULT_MAX_BATCH;
  const resolvers = options.resolvers ?? TARGET_RESOLVERS;
  const lease = leaseMs(config.requestTimeoutMs);
  const queue = new PQueue({ concurrency: config.concurrency });
  const http: HttpClient = createHttpClient(config);
  const log = logger.child({ component: 'dispatcher', processId });
  // an endpoint this dispatcher's recorder auto-disables has its pending deliveries held at once (§8.2)
  const heldWorker = startHeldWorker(deps);
  // OAuth2 tokens are cached here: per process (this dispatcher), never in a module
  const auth = createEndpointAuth({ http, clock, logger: log });
  const context = (): ResolverContext => ({ db, config, now: clock.now() });
  const recorder = createRecorder({ db, logger, signals, resolvers, context });
  const rateLimiter = createRateLimiter(db, () => clock.now());
  const leases = startLeaseKeeper({ db, clock, logger: log, leaseMs: lease });

  let running = true;
  let claimSeq = 0;
  let abandoned = false;
  let wake: (() => void) | null = null;
  let lastPurge = clock.now();
  let lastLaneRepair = clock.now();
  let waitingForRoom = false;
  let woken = false;
  const onWork = () => {
    if (wake) wake();
    else woken = true;
  };
  // when the queue was full, claim again once a quarter of it is free: one claim round trip then
  // fetches a useful batch instead of one row per finished attempt
  const roomToClaim = Math.max(1, Math.floor(config.concurrency / 4));
  const onRoom = () => {
    if (waitingForRoom && config.concurrency - queue.size - queue.pending >= roomToClaim) wake?.();
  };
  signals.on('work', onWork);
  // a retry or rate-limit slot due before the next poll wakes the loop on time
  let wakeTimer: NodeJS.Timeout | null = null;
  let wakeTimerAt = Infinity;
  const wakeAt = (at: number) => {
    const delay = at - clock.now();
    if (!running || delay > 10 * pollMs || at >= wakeTimerAt) return;
    if (wakeTimer) clearTimeout(wakeTimer);
    wakeTimerAt = at;
    wakeTimer = setTimeout(
      () => {
        wakeTimer = null;
        wakeTimerAt = Infinity;
        onWork();
      },
      Math.max(0, delay),
    );
    wakeTimer.unref();
  };
  queue.on('next', onRoom);

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      // work signalled while the loop was busy claiming: look again at once
      if (woken) {
        woken = false;
        return resolve();
      }
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wake = null;
        resolve();
      }
      wake = done;
    });
  }

  async function resolveBatch(claimed: Delivery[], now: number): Promise<Map<string, ResolvedTarget | null | undefined>> {
    const byKind = new Map<TargetKind | null, Delivery[]>();
    for (const delivery of claimed) {
      const kind = targetKindOf(delivery);
      appendToGroup(byKind, kind, delivery);
    }
    const targets = new Map<string, ResolvedTarget | null | undefined>();
    for (const [kind, list] of byKind) {
      const resolver = kind ? resolvers[kind] : undefined;
      if (!resolver) continue; // undefined target: released for later, see runDelivery
      try {
        const resolved = await resolver.resolve({ db, config, now, logger: log }, list);
        for (const [id, target] of resolved) targets.set(id, target);
      } catch (thrown) {
        // one kind failing (say a secret that cannot be opened) must not hold up the others:
        // its rows are released and looked at again later
        log.error({ err: coerceError(thrown), kind, count: list.length }, 'resolving delivery targets failed');
      }
    }
    return targets;
  }

  async function claimRound(): Promise<number> {
    const free = config.concurrency - queue.size - queue.pending;
    if (free <= 0) return 0;
    const limit = Math.min(free, maxBatch);
    const now = clock.now();
    const lockToken = `${processId}:${++claimSeq}`;
    // SKIP LOCKED keeps processes on one MySQL apart; on Galera row locks are per node, so two
    // nodes may claim the same rows and one commit fails certification (a deadlock): nothing was
    // claimed by it, so claim again (rows the other node took are no longer due)
    const claimed = await retryOnDeadlock(() => claimDueDeliveries(db, { now, limit, leaseMs: lease, lockToken }), {
      onRetry: (error, attempt) => log.debug({ err: error, attempt }, 'claim conflicted; retrying'),
    });
    if (claimed.length === 0) return 0;
    leases.track(
      claimed.map((delivery) => delivery.id),
      lockToken,
    );
    const targets = await resolveBatch(claimed, now);
    for (const delivery of claimed) {
      const target = targets.get(delivery.id);
      void queue.add(() =>
        runDelivery({
          delivery,
          target,
          lockToken,
          db,
          config,
          clock,
          http,
          auth,
          rateLimiter,
          recorder,
          logger: log,
          isAbandoned: () => abandoned,
          isLeaseLost: () => leases.isLost(delivery.id),
          wakeAt,
          unresolvableRetryMs: UNRESOLVABLE_RETRY_MS,
        }).finally(() => leases.forget(delivery.id)),
      );
    }
    return claimed.length === limit ? claimed.length : 0;
  }

  async function loop(): Promise<void> {
    while (running) {
      woken = false;
      let more = 0;
      try {
        more = await claimRound();
        if (clock.now() - lastPurge > STAMP_PURGE_EVERY_MS) {
          lastPurge = clock.now();
          await purgeSendStamps(db, lastPurge - 10_000);
        }
        if (clock.now() - lastLaneRepair > LANE_REPAIR_EVERY_MS) {
          lastLaneRepair = clock.now();
          // a fifo lane left without a head (a crash between two of its transactions) moves again
          if ((await repairLanes(db, lastLaneRepair)) > 0) woken = true;
        }
      } catch (thrown) {
        // a database hiccup or a bug in one round must not end the loop; a conflict that outlived
        // its retries is still only contention (the next round claims again)
        if (isDeadlock(thrown)) log.debug({ err: coerceError(thrown) }, 'dispatcher round conflicted');
        else log.error({ err: coerceError(thrown) }, 'dispatcher round failed');
      }
      if (!running) break;
      // a full batch means more rows may be due: go again at once, unless the queue is full
      waitingForRoom = queue.size + queue.pending >= config.concurrency;
      if (more === 0 || waitingForRoom) await sleep(pollMs);
      waitingForRoom = false;
    }
  }

  const looping = loop();

  return {
    processId,
    inFlight: () => queue.size + queue.pending,
    async stop(graceMs: number) {
      running = false;
      signals.off('work', onWork);
      if (wakeTimer) clearTimeout(wakeTimer);
      wake?.();
      await looping;
      // keep half a second of the grace for giving leases back and closing sockets
      let timer: NodeJS.Timeout | undefined;
      const graceOver = new Promise<'late'>((resolve) => {
        timer = setTimeout(() => resolve('late'), Math.max(0, graceMs - 500));
      });
      const finished = await Promise.race([queue.onIdle().then(() => 'idle' as const), graceOver]);
      clearTimeout(timer);
      queue.clear();
      await leases.stop();
      // **MUST** give back every lease still held, so another process (or the restart) attempts
      // those rows at once instead of waiting for the lease to expire.
      abandoned = true;
      try {
        const released = await releaseLeases(db, `${processId}:`, clock.now());
        if (released > 0) log.info({ released }, 'released leases of unfinished deliveries');
      } catch (thrown) {
        log.error({ err: coerceError(thrown) }, 'releasing leases failed; they expire on their own');
      }
      await heldWorker.stop(0);
      await (finished === 'idle' ? http.close() : http.destroy());
    },
  };
}
