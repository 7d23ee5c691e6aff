import type { Db } from '../../db/index.js';
import {
  advanceRollupState,
  countEventBuckets,
  deleteEventBucketsBefore,
  readRollupState,
  sumEventBuckets,
  upsertEventBuckets,
  type SourceEventCounts,
} from '../../db/queries/event-rollups.js';
import type { AnomalyWindows } from './windows.js';

/**
 * Buckets closed this long ago are final: an event is stored with the time its request arrived,
 * and its transaction commits well within two buckets, so later passes need not recount them.
 */
const SETTLE_BUCKETS = 2;

/** Names of the ranges counted per source for the volume and verification detectors. */
export const EVENT_RANGES = {
  volumeWindow: 'volume_window',
  volumeBaseline: 'volume_baseline',
  silence: 'silence',
  silenceBaseline: 'silence_baseline',
  rejected: 'rejected',
} as const;

/**
 * Per-source counts for this pass. First brings the bucket table up to date — recounting only
 * the buckets since the shared counted-through mark (at least the last SETTLE_BUCKETS) — then
 * sums the buckets of each window. The volume baseline is the hour before the current window and
 * the drop baseline the hour before the silence, so a burst or a silence never dilutes the mean
 * it is compared with.
 */
export async function sourceEventCounts(db: Db, now: number, w: Readonly<AnomalyWindows>): Promise<Map<string, SourceEventCounts>> {
  const size = w.eventBucketMs;
  const end = now - (now % size) + size; // exclusive end of the current bucket
  const span = Math.max(
    w.volumeWindowMs + w.volumeBaselineMs,
    w.dropSilenceMs + w.volumeBaselineMs,
    w.rejectionQuietMs,
    w.rejectionWindowMs,
  );
  const horizon = end - span;
  const settled = end - (SETTLE_BUCKETS + 1) * size;

  const countedThrough = await readRollupState(db, size);
  const from = Math.max(horizon, Math.min(countedThrough ?? horizon, settled));
  await upsertEventBuckets(db, size, await countEventBuckets(db, size, from, now));
  await advanceRollupState(db, size, settled);
  await deleteEventBucketsBefore(db, size, horizon - SETTLE_BUCKETS * size);

  return sumEventBuckets(db, size, horizon, end, [
    { name: EVENT_RANGES.volumeWindow, from: end - w.volumeWindowMs, to: end, column: 'events' },
    { name: EVENT_RANGES.volumeBaseline, from: end - w.volumeWindowMs - w.volumeBaselineMs, to: end - w.volumeWindowMs, column: 'events' },
    { name: EVENT_RANGES.silence, from: end - w.dropSilenceMs, to: end, column: 'events' },
    { name: EVENT_RANGES.silenceBaseline, from: end - w.dropSilenceMs - w.volumeBaselineMs, to: end - w.dropSilenceMs, column: 'events' },
    { name: EVENT_RANGES.rejected, from: end - w.rejectionWindowMs, to: end, column: 'rejected' },
  ]);
}
