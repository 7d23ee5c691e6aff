import type { Knex } from 'knex';
import type { Delivery } from '../../db/queries/deliveries.js';
import { findEventsByIds, settleEventStatus, type IngestEvent } from '../../db/queries/events.js';
import { findOpenedSources, recordForwardOutcomes } from '../../db/queries/sources.js';
import { signingKeyBytes } from '../secrets.js';
import type { RecordedAttempt, ResolvedTarget, ResolverContext, TargetHealth, TargetResolver } from '../delivery/targets.js';
import { forwardableHeaders } from './forward-headers.js';
import type { VerificationConfig } from './verifiers/index.js';

/** The original body bytes of a stored event (base64-stored bodies decoded back to their bytes). */
export function eventBodyBytes(event: Pick<IngestEvent, 'body' | 'bodyEncoding'>): Buffer {
  return Buffer.from(event.body ?? '', event.bodyEncoding === 'base64' ? 'base64' : 'utf8');
}

/**
 * Headers that carried the credentials Dispatch checked (basic_auth's Authorization, api_key's
 * header): they were meant for Dispatch, so they are not passed on to the destination. Signature
 * headers stay: they prove nothing without the secret and let the backend re-verify if it wants.
 */
export function credentialHeaders(verification: VerificationConfig): string[] {
  if (verification.type === 'basic_auth') return ['authorization'];
  if (verification.type === 'api_key' && typeof verification.header === 'string') return [verification.header.toLowerCase()];
  return [];
}

/**
 * The headers of a forward: the original request's headers minus hop-by-hop ones, incoming
 * signature headers and `withheld` credentials (repeated headers joined with ", "), then the
 * destination's custom headers. The dispatcher adds `user-agent` and the Standard Webhooks trio last.
 */
export function forwardHeaders(event: Pick<IngestEvent, 'headers'>, custom: Record<string, string> | undefined, withheld: string[] = []): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(forwardableHeaders(event.headers))) {
    if (withheld.includes(name)) continue;
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  for (const [name, value] of Object.entries(custom ?? {})) headers[name.toLowerCase()] = value;
  return headers;
}

/**
 * Ingest forwards as delivery targets: a delivery's source destination (URL, custom headers,
 * rate limit, forward secret) and its event's original bytes, content-type and headers. A
 * delivery whose source, destination, event or body is gone is not attempted (finished failed).
 */
export const sourceResolver: TargetResolver = {
  async resolve(ctx: ResolverContext, deliveries: Delivery[]) {
    const sourceIds = [...new Set(deliveries.map((d) => d.sourceId as string))];
    const eventIds = [...new Set(deliveries.map((d) => d.eventId as string))];
    const [sources, events] = await Promise.all([
      findOpenedSources(ctx.db, sourceIds, ctx.config.encryptionKey),
      findEventsByIds(ctx.db, eventIds),
    ]);
    const targets = new Map<string, ResolvedTarget | null>();
    for (const delivery of deliveries) {
      const source = sources.get(delivery.sourceId as string);
      const event = events.get(delivery.eventId as string);
      if (!source?.destination || !event || event.body === null || event.bodyExpired) {
        targets.set(delivery.id, null);
        continue;
      }
      let url: URL;
      try {
        url = new URL(source.destination.url);
      } catch {
        targets.set(delivery.id, null);
        continue;
      }
      targets.set(delivery.id, {
        kind: 'source',
        targetId: source.id,
        workspaceId: source.workspaceId,
        url,
        headers: forwardHeaders(event, source.destination.headers, credentialHeaders(source.verification)),
        body: eventBodyBytes(event),
        keys: [signingKeyBytes(source.forwardSecret)],
        rateLimit: source.destination.rate_limit && source.destination.rate_limit > 0 ? source.destination.rate_limit : null,
        lockTable: 'sources',
        webhookId: event.id,
        consecutiveFailures: source.consecutiveFailures,
      });
    }
    return targets;
  },

  /**
   * Inside the recording transaction: each source's failure streak, and each event's status once
   * its delivery finished (delivered, or failed after the last attempt), unless a newer delivery
   * of the event (a replay) has taken over.
   */
  async afterAttempts(tx: Knex.Transaction, _ctx: ResolverContext, attempts: RecordedAttempt[]) {
    const health = new Map<string, TargetHealth>();
    const bySource = new Map<string, boolean[]>();
    for (const attempt of attempts) {
      const list = bySource.get(attempt.target.targetId) ?? [];
      list.push(attempt.succeeded);
      bySource.set(attempt.target.targetId, list);
    }
    // ascending id order: every writer locks source rows in the same order, so no deadlock cycles
    for (const sourceId of [...bySource.keys()].sort()) {
      const consecutiveFailures = await recordForwardOutcomes(tx, sourceId, bySource.get(sourceId) as boolean[]);
      health.set(sourceId, { consecutiveFailures, disabledNow: false });
    }
    for (const attempt of attempts) {
      if (attempt.deliveryStatus === 'pending' || !attempt.delivery.eventId) continue;
      await settleEventStatus(tx, attempt.delivery.eventId, attempt.delivery.id, attempt.deliveryStatus === 'succeeded' ? 'delivered' : 'failed');
    }
    return health;
  },
};
