import type { Knex } from 'knex';
import type { Delivery } from '../../db/queries/deliveries.js';
import { findDeliverableEndpoints, setEndpointDisabled, type DeliverableEndpoint } from '../../db/queries/endpoints.js';
import { findPayloads } from '../../db/queries/messages.js';
import { toNumber, toNumberOrNull, toBool } from '../../db/queries/json.js';
import { signingKeyBytes } from '../secrets.js';
import type { RecordedAttempt, ResolvedTarget, ResolverContext, TargetHealth, TargetResolver } from './targets.js';

/** Decoded HMAC keys by secret text: secrets are decoded once per process, not per attempt. */
const keyCache = new Map<string, Buffer>();
const KEY_CACHE_MAX = 10_000;

function keyOf(secret: string): Buffer {
  let key = keyCache.get(secret);
  if (!key) {
    if (keyCache.size >= KEY_CACHE_MAX) keyCache.clear();
    key = signingKeyBytes(secret);
    keyCache.set(secret, key);
  }
  return key;
}

function lowerCaseHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) out[name.toLowerCase()] = value;
  return out;
}

/**
 * Outbound targets: a delivery's endpoint (URL, custom headers, rate limit, opened secrets) and
 * its message's stored payload bytes. A scheduled delivery to an endpoint that was disabled since
 * the message was accepted is not attempted; replays and recoveries are explicit and always are.
 */
export const endpointResolver: TargetResolver = {
  async resolve(ctx: ResolverContext, deliveries: Delivery[]) {
    const endpointIds = [...new Set(deliveries.map((d) => d.endpointId as string))];
    const messageIds = [...new Set(deliveries.map((d) => d.messageId as string))];
    const options = { encryptionKey: ctx.config.encryptionKey, now: ctx.now };
    const unreadable = new Set<string>();
    // one statement per 500 endpoints (a fan-out claims hundreds of deliveries of one message)
    const [found, payloads] = await Promise.all([findDeliverableEndpoints(ctx.db, endpointIds, options), findPayloads(ctx.db, messageIds)]);
    const byId = new Map<string, DeliverableEndpoint>();
    for (const [id, endpoint] of found) {
      if (endpoint instanceof Error) {
        // e.g. a secret sealed with another DISPATCH_ENCRYPTION_KEY: retry later, never sign wrongly
        ctx.logger?.error({ err: endpoint, endpointId: id }, 'endpoint cannot be loaded for delivery');
        unreadable.add(id);
      } else byId.set(id, endpoint);
    }

    const bodies = new Map<string, Buffer>();
    const shared = new Map<string, Omit<ResolvedTarget, 'body' | 'webhookId'>>();
    const targets = new Map<string, ResolvedTarget | null>();
    for (const delivery of deliveries) {
      if (unreadable.has(delivery.endpointId as string)) continue; // no entry: released for later
      const endpoint = byId.get(delivery.endpointId as string);
      const payload = payloads.get(delivery.messageId as string);
      if (!endpoint || payload === null || payload === undefined || (endpoint.disabled && delivery.trigger === 'scheduled')) {
        targets.set(delivery.id, null);
        continue;
      }
      let body = bodies.get(delivery.messageId as string);
      if (!body) {
        body = Buffer.from(payload, 'utf8');
        bodies.set(delivery.messageId as string, body);
      }
      let base = shared.get(endpoint.id);
      if (!base) {
        base = {
          kind: 'endpoint',
          targetId: endpoint.id,
          workspaceId: endpoint.workspaceId,
          url: new URL(endpoint.url),
          headers: { ...lowerCaseHeaders(endpoint.headers), 'content-type': 'application/json' },
          keys: endpoint.secrets.map(keyOf),
          rateLimit: endpoint.rateLimit && endpoint.rateLimit > 0 ? endpoint.rateLimit : null,
          lockTable: 'endpoints',
          consecutiveFailures: endpoint.consecutiveFailures,
        };
        shared.set(endpoint.id, base);
      }
      targets.set(delivery.id, { ...base, body, webhookId: delivery.messageId as string });
    }
    return targets;
  },

  async afterAttempts(tx: Knex.Transaction, ctx: ResolverContext, attempts: RecordedAttempt[]) {
    const health = new Map<string, TargetHealth>();
    const byEndpoint = new Map<string, RecordedAttempt[]>();
    for (const attempt of attempts) {
      const list = byEndpoint.get(attempt.target.targetId) ?? [];
      list.push(attempt);
      byEndpoint.set(attempt.target.targetId, list);
    }
    const failing: string[] = [];
    // ascending id order: every writer locks endpoint rows in the same order, so no deadlock cycles
    for (const endpointId of [...byEndpoint.keys()].sort()) {
      const list = byEndpoint.get(endpointId) as RecordedAttempt[];
      let lastSuccess = -1;
      list.forEach((a, i) => { if (a.succeeded) lastSuccess = i; });
      const failuresAfter = list.slice(lastSuccess + 1);
      if (failuresAfter.length === 0) {
        // a success with nothing failing since: the streak ends (skip the write when it was already 0)
        if (list[0].target.consecutiveFailures !== 0) {
          await tx('endpoints').where({ id: endpointId }).update({ consecutive_failures: 0, failing_since: null });
        }
        health.set(endpointId, { consecutiveFailures: 0, disabledNow: false });
        continue;
      }
      failing.push(endpointId);
      if (lastSuccess >= 0) {
        await tx('endpoints').where({ id: endpointId }).update({ consecutive_failures: failuresAfter.length, failing_since: failuresAfter[0].at });
      } else {
        await tx('endpoints').where({ id: endpointId }).update({
          consecutive_failures: tx.raw('consecutive_failures + ?', [failuresAfter.length]),
          failing_since: tx.raw('COALESCE(failing_since, ?)', [failuresAfter[0].at]),
        });
      }
    }
    if (failing.length === 0) return health;
    const rows = (await tx('endpoints').whereIn('id', failing).select('id', 'consecutive_failures', 'failing_since', 'disabled')) as {
      id: string; consecutive_failures: number | string; failing_since: number | string | null; disabled: number | boolean;
    }[];
    for (const row of rows) {
      const failingSince = toNumberOrNull(row.failing_since);
      let disabledNow = false;
      // every attempt has failed for DISPATCH_DISABLE_AFTER: disable (PATCH {disabled:false} re-enables)
      if (!toBool(row.disabled) && failingSince !== null && ctx.now - failingSince >= ctx.config.disableAfterMs) {
        disabledNow = await setEndpointDisabled(tx, row.id, true, ctx.now);
      }
      health.set(row.id, { consecutiveFailures: toNumber(row.consecutive_failures), disabledNow });
    }
    return health;
  },
};
