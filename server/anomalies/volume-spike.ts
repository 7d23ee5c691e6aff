import { findTargets } from '../../db/queries/anomaly-signals.js';
import type { SourceEventCounts } from '../../db/queries/event-rollups.js';
import { describeTarget, type Detector, type DetectorContext } from './context.js';
import { EVENT_RANGES } from './event-rollup.js';
import { describeDuration } from './windows.js';

/** The spike limit of a source: max(spikeMinimum, spikeFactor × its mean per window over the baseline). */
function spikeOf(ctx: DetectorContext, stats: SourceEventCounts | undefined) {
  const w = ctx.windows;
  const count = stats?.counts[EVENT_RANGES.volumeWindow] ?? 0;
  const mean = (stats?.counts[EVENT_RANGES.volumeBaseline] ?? 0) / (w.volumeBaselineMs / w.volumeWindowMs);
  const limit = Math.max(w.spikeMinimum, w.spikeFactor * mean);
  return { count, mean, limit, spiking: count > limit };
}

/**
 * volume_spike: a source's count over the last 5 min exceeds max(50, 3 × its mean per 5 min over
 * the hour before that window); resolves when the window is normal again. Each window period in
 * which the spike is still seen counts one recurrence.
 */
export const volumeSpike: Readonly<Detector> = {
  type: 'volume_spike',
  async detect(ctx) {
    const w = ctx.windows;
    const stats = await ctx.sourceEvents();
    for (const anomaly of (await ctx.openAnomalies('volume_spike')).values()) {
      if (!spikeOf(ctx, stats.get(anomaly.subjectId)).spiking) await ctx.resolve('volume_spike', anomaly.subjectId);
    }
    const spiking = [...stats.values()].filter((s) => spikeOf(ctx, s).spiking);
    const sources = await findTargets(
      ctx.db,
      'source',
      spiking.map((s) => s.sourceId),
    );
    for (const s of spiking) {
      const source = sources.get(s.sourceId);
      if (!source) continue;
      const { count, mean, limit } = spikeOf(ctx, s);
      await ctx.sight({
        workspaceId: source.workspaceId,
        type: 'volume_spike',
        subjectKind: 'source',
        subjectId: source.id,
        title: `${describeTarget(source)} received ${count} events in ${describeDuration(w.volumeWindowMs)} (usually ${round(mean)})`,
        details: { window: describeDuration(w.volumeWindowMs), window_count: count, baseline_mean: round(mean), limit: round(limit) },
        occurrenceKey: `window:${Math.floor(ctx.now / w.volumeWindowMs)}`,
      });
    }
  },
};

const round = (value: number) => Math.round(value * 100) / 100;
