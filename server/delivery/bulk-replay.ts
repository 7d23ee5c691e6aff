import { findMessagePayloads, listReplayCandidates, listReplayEndpointIds, type BulkReplayCriteria } from '../../db/queries/bulk-replay.js';
import { insertExtraDeliveries, type ReplayPair } from '../../db/queries/replay-targets.js';
import type { AppDeps } from '../deps.js';
import { AppError } from '../errors.js';
import type { FilterMatcher } from '../filters/index.js';

/** Most replay deliveries one bulk replay may create (CONTRACT §8.3). */
export const BULK_REPLAY_MAX = 100_000;
/** Messages read per page while selecting (keyset pagination, one short read each). */
const MESSAGES_PER_PAGE = 500;
/** Payloads read at once when a filter is given (each may be up to 1 MiB). */
const PAYLOADS_PER_READ = 50;
/** Replay deliveries created per transaction: short transactions, no long locks. */
const PAIRS_PER_TRANSACTION = 500;

/**
 * Bulk replay (CONTRACT §8.3, §8.7): selects every matching (message, endpoint) pair first (the
 * filter evaluated on each stored payload), refuses more than BULK_REPLAY_MAX with 400
 * `invalid_request` naming the count before creating anything, then creates one replay delivery
 * per pair in batches and wakes the dispatcher. Returns how many were created (pairs whose endpoint
 * was deleted, or message erased, while it ran are skipped).
 */
export async function bulkReplay(deps: AppDeps, criteria: BulkReplayCriteria, filter: FilterMatcher | null): Promise<number> {
  const { pairs, matched } = await selectPairs(deps, criteria, filter);
  if (matched > BULK_REPLAY_MAX)
    throw new AppError(
      'invalid_request',
      `${matched} (message, endpoint) pairs match; a bulk replay may create at most ${BULK_REPLAY_MAX}. Narrow the window or add criteria.`,
      { details: [{ path: '', message: `matches ${matched} pairs, more than ${BULK_REPLAY_MAX}` }] },
    );
  let created = 0;
  for (let i = 0; i < pairs.length; i += PAIRS_PER_TRANSACTION) {
    created += await insertExtraDeliveries(deps.db, pairs.slice(i, i + PAIRS_PER_TRANSACTION), 'replay', deps.clock.now());
    // each batch is due at once: let the dispatcher start while the next ones are written
    deps.emit('work');
  }
  return created;
}

/** Every matching pair (kept up to BULK_REPLAY_MAX) and how many matched in all. */
async function selectPairs(
  deps: AppDeps,
  criteria: BulkReplayCriteria,
  filter: FilterMatcher | null,
): Promise<{ pairs: ReplayPair[]; matched: number }> {
  const pairs: ReplayPair[] = [];
  let matched = 0;
  let afterMessageId: string | null = null;
  const endpointIds = await listReplayEndpointIds(deps.db, criteria);
  if (endpointIds.size === 0) return { pairs, matched };
  // bounded: each page advances the keyset cursor over a finite window of messages
  for (;;) {
    const page = await listReplayCandidates(deps.db, criteria, endpointIds, { afterMessageId, messages: MESSAGES_PER_PAGE });
    const kept = filter ? await matchingPairs(deps, page.pairs, filter) : page.pairs;
    matched += kept.length;
    for (const pair of kept) if (pairs.length < BULK_REPLAY_MAX) pairs.push(pair);
    if (page.lastMessageId === null) return { pairs, matched };
    afterMessageId = page.lastMessageId;
  }
}

/** The pairs whose message payload the filter matches; each payload is read and parsed once. */
async function matchingPairs(deps: AppDeps, pairs: ReplayPair[], filter: FilterMatcher): Promise<ReplayPair[]> {
  const messageIds = [...new Set(pairs.map((pair) => pair.messageId))];
  const matches = new Set<string>();
  for (let i = 0; i < messageIds.length; i += PAYLOADS_PER_READ) {
    const payloads = await findMessagePayloads(deps.db, messageIds.slice(i, i + PAYLOADS_PER_READ));
    for (const [id, payload] of payloads) if (filter(JSON.parse(payload))) matches.add(id);
  }
  return pairs.filter((pair) => matches.has(pair.messageId));
}
