import { findTargets } from '../../db/queries/anomaly-signals.js';
import { iso } from '../routes/serialize.js';
import { describeTarget, type Detector } from './context.js';
import { EVENT_RANGES } from './event-rollup.js';
import { describeDuration } from './windows.js';

/**
 * verification_failing: a source rejected ≥ 5 requests (events stored as `rejected`) within
 * 15 min; resolves after no rejection for 1 h. The newest rejected event is the evidence, so
 * each pass that sees new rejections while the anomaly is open counts a recurrence.
 */
export const verificationFailing: Readonly<Detector> = {
  type: 'verification_failing',
  async detect(ctx) {
    const { windows: w, now } = ctx;
    const stats = await ctx.sourceEvents();

    const open = [...(await ctx.openAnomalies('verification_failing')).values()];
    const existing = await findTargets(
      ctx.db,
      'source',
      open.map((anomaly) => anomaly.subjectId),
    );
    for (const anomaly of open) {
      const lastRejectedAt = stats.get(anomaly.subjectId)?.lastRejectedAt ?? null;
      const quiet = lastRejectedAt === null || lastRejectedAt <= now - w.rejectionQuietMs;
      if (quiet || !existing.has(anomaly.subjectId)) await ctx.resolve('verification_failing', anomaly.subjectId);
    }

    const failing = [...stats.values()].filter((s) => s.counts[EVENT_RANGES.rejected] >= w.rejectionThreshold);
    const sources = await findTargets(
      ctx.db,
      'source',
      failing.map((s) => s.sourceId),
    );
    for (const s of failing) {
      const source = sources.get(s.sourceId);
      if (!source) continue;
      const rejected = s.counts[EVENT_RANGES.rejected];
      await ctx.sight({
        workspaceId: source.workspaceId,
        type: 'verification_failing',
        subjectKind: 'source',
        subjectId: source.id,
        title: `${describeTarget(source)} is rejecting requests that fail verification`,
        details: {
          rejected_in_window: rejected,
          window: describeDuration(w.rejectionWindowMs),
          last_rejected_event_id: s.lastRejectedId,
          last_rejected_at: s.lastRejectedAt === null ? null : iso(s.lastRejectedAt),
        },
        occurrenceKey: `rejected:${s.lastRejectedId}`,
      });
    }
  },
};
