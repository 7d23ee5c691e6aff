/**
 * Every time window and threshold of the anomaly rules (CONTRACT §5 "Anomalies") in one place.
 * Tests pass compressed values to `runDetectorsOnce`; production always uses these defaults.
 * `endpoint_failing`'s threshold is configuration (DISPATCH_FAILING_THRESHOLD), not listed here.
 */
export interface AnomalyWindows {
  /** verification_failing opens at this many rejected requests ... */
  rejectionThreshold: number;
  /** ... within this window, */
  rejectionWindowMs: number;
  /** and resolves after no rejection for this long. */
  rejectionQuietMs: number;
  /** backlog: the oldest pending delivery of a target is older than this. */
  backlogAgeMs: number;
  /** volume_spike / volume_drop: the counting window ("per 5 min"). */
  volumeWindowMs: number;
  /** The trailing baseline the mean per window is taken over. */
  volumeBaselineMs: number;
  /** volume_spike opens when the last window exceeds max(spikeMinimum, spikeFactor × baseline mean). */
  spikeMinimum: number;
  spikeFactor: number;
  /** volume_drop applies to sources averaging at least this many events per window ... */
  dropMinimumMean: number;
  /** ... that then receive none for this long. */
  dropSilenceMs: number;
  /**
   * Event counts are kept per source in buckets of this size; every event window above is a whole
   * number of buckets ending with the current one, so a window is exact when a pass runs at the
   * end of a bucket and otherwise reaches back at most one bucket less.
   */
  eventBucketMs: number;
}

const MINUTE = 60_000;

export const DEFAULT_WINDOWS: Readonly<AnomalyWindows> = Object.freeze({
  rejectionThreshold: 5,
  rejectionWindowMs: 15 * MINUTE,
  rejectionQuietMs: 60 * MINUTE,
  backlogAgeMs: 10 * MINUTE,
  volumeWindowMs: 5 * MINUTE,
  volumeBaselineMs: 60 * MINUTE,
  spikeMinimum: 50,
  spikeFactor: 3,
  dropMinimumMean: 10,
  dropSilenceMs: 10 * MINUTE,
  eventBucketMs: MINUTE,
});

const EVENT_WINDOWS = ['rejectionWindowMs', 'rejectionQuietMs', 'volumeWindowMs', 'volumeBaselineMs', 'dropSilenceMs'] as const;

/** The defaults with the given overrides. */
export function resolveWindows(overrides: Partial<AnomalyWindows> = {}): Readonly<AnomalyWindows> {
  const windows = { ...DEFAULT_WINDOWS, ...overrides };
  for (const name of EVENT_WINDOWS) {
    if (windows[name] <= 0 || windows[name] % windows.eventBucketMs !== 0) {
      throw new Error(`anomaly window ${name}=${windows[name]} must be a positive multiple of eventBucketMs=${windows.eventBucketMs}`);
    }
  }
  return Object.freeze(windows);
}

/** Windows (in whole minutes when they are) for titles and details. */
export function describeDuration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % MINUTE === 0) return `${ms / MINUTE} min`;
  return `${ms / 1000} s`;
}
