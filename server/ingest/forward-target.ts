import type { Knex } from 'knex';
import type { Delivery } from '../../db/queries/deliveries.js';
import { findEventsByIds, type IngestEvent } from '../../db/queries/events.js';
import { settleForwardedEvents } from '../../db/queries/event-forwards.js';
import { findForwardingSources, recordForwardOutcomes } from '../../db/queries/sources.js';
import { appendToGroup } from '../../db/map-groups.js';
import { signingKeyBytes } from '../secrets.js';
import type { RecordedAttempt, ResolvedTarget, ResolverContext, TargetHealth, TargetResolver } from '../delivery/targets.js';
import { forwardUrl } from './destinations.js';
import { forwardableHeaders } from './forward-headers.js';
import { isRedacted } from './redaction.js';
import { checkedCredentialHeaders } from './verifiers/index.js';

/** The original body bytes of a stored event (base64-stored bodies decoded back to their bytes). */
export function eventBodyBytes(event: Pick<IngestEvent, 'body' | 'bodyEncoding'>): Buffer {
  return Buffer.from(event.body ?? '', event.bodyEncoding === 'base64' ? 'base64' : 'utf8');
}

/**
 * The headers of a forward (first attempt, retry or replay alike): the stored request's headers
 * minus hop-by-hop ones, incoming signature headers, redacted ones (the credential Dispatch checked
 * was meant for Dispatch, and the "[redacted]" marker must not pose as one) and `withheld` names
 * (the current scheme's credential headers, for events stored before redaction), repeated headers
 * joined with ", "; then the destination's custom headers. The dispatcher adds `user-agent` and
 * the Standard Webhooks trio last.
 */
export function forwardHeaders(
  event: Pick<IngestEvent, 'headers'>,
  custom: Record<string, string> | undefined,
  withheld: string[] = [],
): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(forwardableHeaders(event.headers))) {
    if (withheld.includes(name) || isRedacted(value)) continue;
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  for (const [name, value] of Object.entries(custom ?? {})) headers[name.toLowerCase()] = value;
  return headers;
}

/**
 * The key a destination's rate-limit stamps are counted under: destination 0 keeps the source id
 * (as forwards did with one destination), the others get `<src_id>#<index>` (fits the id column).
 */
export function destinationRateKey(sourceId: string, index: number): string {
  return index === 0 ? sourceId : `${sourceId}#${index}`;
}

/**
 * Ingest forwards as delivery targets: the destination a delivery names (`destination_index`: URL,
 * path forwarding, custom headers, its own rate limit) with the source's forward secret, and the
 * event's original bytes, content-type and headers. A delivery whose source, destination, event
 * or body is gone is not attempted (finished failed).
 */
export const sourceResolver: Readonly<TargetResolver> = {
  async resolve(ctx: ResolverContext, deliveries: Delivery[]) {
    const sourceIds = [...new Set(deliveries.map((d) => d.sourceId as string))];
    const eventIds = [...new Set(deliveries.map((d) => d.eventId as string))];
    const [sources, events] = await Promise.all([
      findForwardingSources(ctx.db, sourceIds, ctx.config.encryptionKey),
      findEventsByIds(ctx.db, eventIds),
    ]);
    const targets = new Map<string, ResolvedTarget | null>();
    for (const delivery of deliveries) {
      const source = sources.get(delivery.sourceId as string);
      const event = events.get(delivery.eventId as string);
      const destination = source?.destinations[delivery.destinationIndex];
      if (!source || !destination || !event || event.body === null || event.bodyExpired) {
        targets.set(delivery.id, null);
        continue;
      }
      let url: URL;
      try {
        // the SSRF guard checks the final URL's host at connect time, path forwarding included
        url = forwardUrl(destination, event);
      } catch {
        targets.set(delivery.id, null);
        continue;
      }
      targets.set(delivery.id, {
        kind: 'source',
        targetId: source.id,
        workspaceId: source.workspaceId,
        url,
        headers: forwardHeaders(event, destination.headers, checkedCredentialHeaders(source.verification)),
        body: eventBodyBytes(event),
        keys: [signingKeyBytes(source.forwardSecret)],
        rateLimit: destination.rate_limit && destination.rate_limit > 0 ? destination.rate_limit : null,
        rateLimitKey: destinationRateKey(source.id, delivery.destinationIndex),
        lockTable: 'sources',
        webhookId: event.id,
        consecutiveFailures: source.consecutiveFailures,
      });
    }
    return targets;
  },

  /**
   * Inside the recording transaction: each source's failure streak (over all its destinations),
   * and the status of each event one of whose forwards finished, aggregated over its destinations
   * (db/queries/event-forwards.ts: the latest forward to each destination counts).
   */
  async afterAbandoned(tx: Knex.Transaction, _ctx: ResolverContext, deliveries: Delivery[]) {
    // a forward whose destination was removed after it was queued: the event must not stay
    // `pending` forever; `failed` shows it and a replay sends it once a destination is back
    await settleForwardedEvents(
      tx,
      deliveries.map((delivery) => delivery.eventId as string),
    );
  },

  async afterAttempts(tx: Knex.Transaction, _ctx: ResolverContext, attempts: RecordedAttempt[]) {
    const health = new Map<string, TargetHealth>();
    const bySource = new Map<string, boolean[]>();
    for (const attempt of attempts) appendToGroup(bySource, attempt.target.targetId, attempt.succeeded);
    // ascending id order: every writer locks source rows in the same order, so no deadlock cycles
    for (const sourceId of [...bySource.keys()].sort()) {
      const consecutiveFailures = await recordForwardOutcomes(tx, sourceId, bySource.get(sourceId) as boolean[]);
      health.set(sourceId, { consecutiveFailures, disabledNow: false });
    }
    const finished = attempts.filter((attempt) => attempt.deliveryStatus !== 'pending' && attempt.delivery.eventId);
    await settleForwardedEvents(
      tx,
      finished.map((attempt) => attempt.delivery.eventId as string),
    );
    return health;
  },
};
