import { findTargets } from '../../db/queries/anomaly-signals.js';
import { iso } from '../routes/serialize.js';
import { describeTarget, type Detector } from './context.js';
import { EVENT_RANGES } from './event-rollup.js';
import { describeDuration } from './windows.js';

/**
 * volume_drop: a source averaging ≥ 10 events per 5 min over the hour before the silence receives
 * none for 10 min; resolves when events arrive again. The last event before the silence is the
 * evidence: the same silence is one occurrence however many passes see it.
 */
export const volumeDrop: Readonly<Detector> = {
  type: 'volume_drop',
  async detect(ctx) {
    const w = ctx.windows;
    const stats = await ctx.sourceEvents();
    const open = [...(await ctx.openAnomalies('volume_drop')).values()];
    const existing = await findTargets(
      ctx.db,
      'source',
      open.map((anomaly) => anomaly.subjectId),
    );
    for (const anomaly of open) {
      const arrived = (stats.get(anomaly.subjectId)?.counts[EVENT_RANGES.silence] ?? 0) > 0;
      if (arrived || !existing.has(anomaly.subjectId)) await ctx.resolve('volume_drop', anomaly.subjectId);
    }
    const windowsPerBaseline = w.volumeBaselineMs / w.volumeWindowMs;
    const silent = [...stats.values()].filter(
      (s) => s.counts[EVENT_RANGES.silence] === 0 && s.counts[EVENT_RANGES.silenceBaseline] / windowsPerBaseline >= w.dropMinimumMean,
    );
    const sources = await findTargets(
      ctx.db,
      'source',
      silent.map((s) => s.sourceId),
    );
    for (const s of silent) {
      const source = sources.get(s.sourceId);
      if (!source) continue;
      const mean = Math.round((s.counts[EVENT_RANGES.silenceBaseline] / windowsPerBaseline) * 100) / 100;
      await ctx.sight({
        workspaceId: source.workspaceId,
        type: 'volume_drop',
        subjectKind: 'source',
        subjectId: source.id,
        title: `${describeTarget(source)} has received no events for ${describeDuration(w.dropSilenceMs)}`,
        details: {
          baseline_mean: mean,
          window: describeDuration(w.volumeWindowMs),
          last_event_id: s.lastEventId,
          last_event_at: s.lastEventAt === null ? null : iso(s.lastEventAt),
        },
        occurrenceKey: `last:${s.lastEventId}`,
      });
    }
  },
};
