import type { Knex } from 'knex';
import { findEndpointOwners, isOperationalEndpointId } from '../../db/queries/operational-endpoints.js';
import { findSystemApps } from '../../db/queries/system-app.js';
import type { RecordedAttempt, ResolverContext, TargetHealth } from '../delivery/targets.js';
import { endpointToggleEvent, messageFailedEvent, type OperationalEvent } from './events.js';
import { writeOperationalEvents } from './write.js';

/**
 * `message.failed` and `endpoint.disabled` (reason auto) for a group of recorded endpoint
 * attempts, written in the SAME transaction as the attempts (endpoint-target.ts `afterAttempts`):
 * the event commits exactly when the failure or the auto-disable does, so no crash can lose it
 * and a group that rolls back leaves none. A delivery "failed" when an attempt finished it as
 * failed with its retries exhausted (a scheduled delivery; a replay or recover is a single manual
 * attempt and is not announced). Operational endpoints (`oep_`) never raise events about
 * themselves, so a failing Slack hook cannot feed itself.
 */
export async function writeAttemptEvents(
  tx: Knex.Transaction,
  ctx: ResolverContext,
  attempts: RecordedAttempt[],
  health: Map<string, TargetHealth>,
): Promise<void> {
  const failed = attempts.filter(
    (a) =>
      a.deliveryStatus === 'failed' &&
      a.delivery.trigger === 'scheduled' &&
      a.delivery.messageId &&
      !isOperationalEndpointId(a.target.targetId),
  );
  const disabled = [...health].filter(([id, h]) => h.disabledNow && !isOperationalEndpointId(id)).map(([id]) => id);
  if (failed.length === 0 && disabled.length === 0) return;

  const workspaceOf = new Map<string, string>();
  for (const a of attempts) workspaceOf.set(a.target.targetId, a.target.workspaceId);
  const apps = await findSystemApps(tx, [...new Set(workspaceOf.values())]);
  if (apps.size === 0) return; // the common case: no operational endpoints in these workspaces

  const owners = await findEndpointOwners(tx, [...failed.map((a) => a.target.targetId), ...disabled]);
  const events: OperationalEvent[] = [];
  for (const endpointId of disabled) {
    const owner = owners.get(endpointId);
    const workspaceId = workspaceOf.get(endpointId);
    if (!owner || !workspaceId) continue;
    events.push(endpointToggleEvent(true, { workspaceId, endpointId, ...owner }, 'auto', ctx.now));
  }
  for (const a of failed) {
    const owner = owners.get(a.target.targetId);
    if (!owner) continue;
    events.push(
      messageFailedEvent(
        {
          workspaceId: a.target.workspaceId,
          messageId: a.delivery.messageId as string,
          appId: owner.appId,
          endpointId: a.target.targetId,
          attempts: a.delivery.attempts + 1,
        },
        a.at,
      ),
    );
  }
  await writeOperationalEvents(tx, events, { now: ctx.now, maxAttempts: ctx.config.retryScheduleMs.length + 1, systemApps: apps });
}
