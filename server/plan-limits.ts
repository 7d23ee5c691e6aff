import type { Config } from '../config/index.js';
import type { DbOrTx } from '../db/index.js';
import { countApps } from '../db/queries/apps.js';
import { countEndpoints } from '../db/queries/endpoints.js';
import { AppError } from './errors.js';

/**
 * Throws 429 `plan_limit_reached` when creating one more `what` would exceed `limit`
 * (undefined = the plan has no such limit). `what` names the limit in the message, e.g.
 * "apps per workspace" or "sources per workspace".
 */
export function assertBelowLimit(limit: number | undefined, current: number, what: string): void {
  if (limit === undefined || current < limit) return;
  throw new AppError('plan_limit_reached', `Plan limit reached: at most ${limit} ${what}. Delete one or raise DISPATCH_PLAN_LIMITS.`);
}

/** 429 when the workspace already has `planLimits.apps` apps. Call inside the creating transaction. */
export async function assertAppLimit(db: DbOrTx, config: Pick<Config, 'planLimits'>, workspaceId: string): Promise<void> {
  const limit = config.planLimits.apps;
  if (limit === undefined) return;
  assertBelowLimit(limit, await countApps(db, workspaceId, { lock: true }), 'apps per workspace (apps)');
}

/** 429 when the recipient already has `planLimits.endpoints_per_recipient` endpoints. */
export async function assertEndpointLimit(db: DbOrTx, config: Pick<Config, 'planLimits'>, recipientId: string): Promise<void> {
  const limit = config.planLimits.endpoints_per_recipient;
  if (limit === undefined) return;
  assertBelowLimit(limit, await countEndpoints(db, recipientId, { lock: true }), 'endpoints per recipient (endpoints_per_recipient)');
}
