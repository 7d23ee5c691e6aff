import { findAutoDisabledEndpoints, findTargets, type DeliveryTarget } from '../../db/queries/anomaly-signals.js';
import { iso } from '../routes/serialize.js';
import { describeTarget, type Detector, type DetectorContext } from './context.js';

/**
 * endpoint_disabled: an endpoint was auto-disabled (CONTRACT §4 rule 7); resolves when it is
 * re-enabled (or deleted). The dispatcher's `endpoint_disabled` signal opens it at once; the pass
 * finds auto-disables the signal missed (another process, a crash) by their failure streak.
 */
export const endpointDisabled: Readonly<Detector> = {
  type: 'endpoint_disabled',
  async detect(ctx) {
    const open = [...(await ctx.openAnomalies('endpoint_disabled')).values()];
    const current = await findTargets(
      ctx.db,
      'endpoint',
      open.map((anomaly) => anomaly.subjectId),
    );
    for (const anomaly of open) {
      if (!current.get(anomaly.subjectId)?.disabled) await ctx.resolve('endpoint_disabled', anomaly.subjectId);
    }
    for (const endpoint of await findAutoDisabledEndpoints(ctx.db, ctx.config.disableAfterMs)) {
      await sightDisabledEndpoint(ctx, endpoint);
    }
  },
};

/** Records that this (disabled) endpoint is disabled; its disable time is the evidence. */
export async function sightDisabledEndpoint(ctx: DetectorContext, endpoint: DeliveryTarget): Promise<void> {
  await ctx.sight({
    workspaceId: endpoint.workspaceId,
    type: 'endpoint_disabled',
    subjectKind: 'endpoint',
    subjectId: endpoint.id,
    title: `${describeTarget(endpoint)} was disabled after failing continuously`,
    details: {
      disabled_at: endpoint.disabledAt === null ? null : iso(endpoint.disabledAt),
      failing_since: endpoint.failingSince === null ? null : iso(endpoint.failingSince),
    },
    occurrenceKey: `disabled:${endpoint.disabledAt ?? ''}`,
  });
}

/** Signal path: `endpoint_disabled` → open if the row is indeed disabled; `endpoint_enabled` → resolve if not. */
export async function checkEndpointDisabled(ctx: DetectorContext, endpointId: string): Promise<void> {
  const endpoint = (await findTargets(ctx.db, 'endpoint', [endpointId])).get(endpointId);
  if (endpoint?.disabled) await sightDisabledEndpoint(ctx, endpoint);
  else await ctx.resolve('endpoint_disabled', endpointId);
}
