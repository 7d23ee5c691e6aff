import type { Knex } from 'knex';
import { parseDuration } from '../../config/duration.js';
import { extendLeases, type Delivery } from '../../db/queries/deliveries.js';
import { findDeliverableEndpoints, setEndpointDisabled, type DeliverableEndpoint } from '../../db/queries/endpoints.js';
import { settleLanes } from '../../db/queries/fifo-lanes.js';
import { holdClaimedDeliveries } from '../../db/queries/held-deliveries.js';
import { findPayloads } from '../../db/queries/messages.js';
import { appendToGroup } from '../../db/map-groups.js';
import {
  clearEndpointFailures,
  extendEndpointFailures,
  listEndpointHealth,
  restartEndpointFailures,
} from '../../db/queries/endpoint-health.js';
import { writeAttemptEvents } from '../operational/from-attempts.js';
import { signingKeyBytes } from '../secrets.js';
import { leaseMs, overrideMs } from './retry.js';
import type { RecordedAttempt, ResolvedTarget, ResolverContext, TargetHealth, TargetResolver } from './targets.js';

function lowerCaseHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) out[name.toLowerCase()] = value;
  return out;
}

/**
 * Outbound targets: a delivery's endpoint (URL, custom headers, rate limit, opened secrets, its
 * own timeout and retry schedule) and its message's stored payload bytes. A delivery of an
 * endpoint that is disabled by now is not attempted but held (CONTRACT §8.2; a message accepted
 * while the endpoint was being disabled, a retry that came due, a replay): re-enabling sends it.
 */
export const endpointResolver: Readonly<TargetResolver> = {
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

    const toHold = new Map<string, string[]>();
    const heldEndpoints = new Set<string>();
    const longer = new Map<number, string[]>();
    const bodies = new Map<string, Buffer>();
    const shared = new Map<string, Omit<ResolvedTarget, 'body' | 'webhookId'>>();
    const targets = new Map<string, ResolvedTarget | null>();
    for (const delivery of deliveries) {
      if (unreadable.has(delivery.endpointId as string)) continue; // no entry: released for later
      const endpoint = byId.get(delivery.endpointId as string);
      const payload = payloads.get(delivery.messageId as string);
      if (endpoint?.disabled && delivery.lockedBy) {
        appendToGroup(toHold, delivery.lockedBy, delivery.id);
        heldEndpoints.add(endpoint.id);
        continue; // no entry: held below, so the release runDelivery tries is a no-op
      }
      if (!endpoint || payload === null || payload === undefined) {
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
          // decoded once per endpoint per claimed batch (~0.2 µs each): no cache of plaintext secrets to hold
          keys: endpoint.secrets.map(signingKeyBytes),
          rateLimit: endpoint.rateLimit && endpoint.rateLimit > 0 ? endpoint.rateLimit : null,
          timeoutMs: endpoint.timeout === null ? null : parseDuration(endpoint.timeout),
          retryScheduleMs: overrideMs(endpoint.retrySchedule),
          auth: endpoint.credentials,
          fifo: endpoint.ordering === 'fifo',
          lockTable: 'endpoints',
          consecutiveFailures: endpoint.consecutiveFailures,
        };
        shared.set(endpoint.id, base);
      }
      // the claim sized the lease for DISPATCH_REQUEST_TIMEOUT: a longer endpoint timeout grows it
      if (base.timeoutMs && base.timeoutMs > ctx.config.requestTimeoutMs && delivery.lockedBy) {
        appendToGroup(longer, base.timeoutMs, delivery.id);
      }
      targets.set(delivery.id, { ...base, body, webhookId: delivery.messageId as string });
    }
    const lockToken = deliveries[0]?.lockedBy;
    for (const [timeoutMs, ids] of longer) if (lockToken) await extendLeases(ctx.db, ids, lockToken, ctx.now + leaseMs(timeoutMs));
    if (toHold.size > 0) {
      for (const [token, ids] of toHold) await holdClaimedDeliveries(ctx.db, ids, token, ctx.now);
      // a fifo lane whose head was just held gets its next row as head (held in turn if still pending)
      await settleLanes(ctx.db, [...heldEndpoints], ctx.now);
    }
    return targets;
  },

  async afterAbandoned(tx: Knex.Transaction, ctx: ResolverContext, deliveries: Delivery[]) {
    // a fifo lane's head that ends here makes the next one due (the endpoint's lane rule decides)
    await settleLanes(
      tx,
      deliveries.map((delivery) => delivery.endpointId as string),
      ctx.now,
    );
  },

  async afterAttempts(tx: Knex.Transaction, ctx: ResolverContext, attempts: RecordedAttempt[]) {
    const health = new Map<string, TargetHealth>();
    const byEndpoint = new Map<string, RecordedAttempt[]>();
    for (const attempt of attempts) appendToGroup(byEndpoint, attempt.target.targetId, attempt);
    const failing: string[] = [];
    // ascending id order: every writer locks endpoint rows in the same order, so no deadlock cycles
    for (const endpointId of [...byEndpoint.keys()].sort()) {
      const list = byEndpoint.get(endpointId) as RecordedAttempt[];
      // a fifo lane whose head finished (succeeded, or failed for good) makes its next row due in
      // this transaction, so no crash can leave the lane without a head (the sweep is the safety net)
      if (list[0].target.fifo && list.some((a) => a.deliveryStatus !== 'pending')) await settleLanes(tx, [endpointId], ctx.now);
      let lastSuccess = -1;
      list.forEach((a, i) => {
        if (a.succeeded) lastSuccess = i;
      });
      const failuresAfter = list.slice(lastSuccess + 1);
      if (failuresAfter.length === 0) {
        // a success with nothing failing since: the streak ends (skip the write when it was already 0)
        if (list[0].target.consecutiveFailures !== 0) {
          await clearEndpointFailures(tx, endpointId);
        }
        health.set(endpointId, { consecutiveFailures: 0, disabledNow: false });
        continue;
      }
      failing.push(endpointId);
      if (lastSuccess >= 0) {
        await restartEndpointFailures(tx, endpointId, failuresAfter.length, failuresAfter[0].at);
      } else {
        await extendEndpointFailures(tx, endpointId, failuresAfter.length, failuresAfter[0].at);
      }
    }
    if (failing.length === 0) return health;
    for (const row of await listEndpointHealth(tx, failing)) {
      const failingSince = row.failingSince;
      let disabledNow = false;
      // every attempt has failed for DISPATCH_DISABLE_AFTER: disable (PATCH {disabled:false} re-enables)
      if (!row.disabled && failingSince !== null && ctx.now - failingSince >= ctx.config.disableAfterMs) {
        disabledNow = await setEndpointDisabled(tx, row.id, true, ctx.now);
      }
      health.set(row.id, { consecutiveFailures: row.consecutiveFailures, disabledNow });
    }
    // message.failed / endpoint.disabled operational events commit with these attempts or not at all
    await writeAttemptEvents(tx, ctx, attempts, health);
    return health;
  },
};
