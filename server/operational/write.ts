import type { DbOrTx } from '../../db/index.js';
import { insertDeliveries, type NewDelivery } from '../../db/queries/deliveries.js';
import { insertMessages, newMessage, type Message } from '../../db/queries/messages.js';
import { listOperationalTargets, type OperationalTarget } from '../../db/queries/operational-endpoints.js';
import { findSystemApps, OPERATIONAL_FORMATS, type SystemApp } from '../../db/queries/system-app.js';
import { operationalPayload, type OperationalEvent } from './events.js';

/**
 * Who receives an operational event of one format: the enabled operational endpoints of that
 * format whose `event_types` is empty or names the event (CONTRACT rule 2 for the system app,
 * where a format is a recipient). A disabled operational endpoint gets no delivery at all, not a
 * held one: a stale alert is no use once it is re-enabled.
 */
function receives(target: OperationalTarget, recipientId: string, event: OperationalEvent): boolean {
  return (
    target.recipientId === recipientId && !target.disabled && (target.eventTypes.length === 0 || target.eventTypes.includes(event.type))
  );
}

/**
 * Turns operational events into messages of each workspace's system app, one per format that has
 * a receiving endpoint, with one pending delivery per receiving endpoint: the rows the accept
 * writer stores for any message (insertMessages + insertDeliveries), inside the caller's
 * transaction, so the dispatcher then signs, sends, retries and logs them like any message. A
 * workspace without operational endpoints costs one indexed read and writes nothing. Returns
 * the number of deliveries created (the caller wakes the dispatcher after commit when > 0).
 */
export async function writeOperationalEvents(
  db: DbOrTx,
  events: OperationalEvent[],
  options: { now: number; maxAttempts: number; systemApps?: Map<string, SystemApp> },
): Promise<number> {
  if (events.length === 0) return 0;
  const apps = options.systemApps ?? (await findSystemApps(db, [...new Set(events.map((event) => event.workspaceId))]));
  if (apps.size === 0) return 0;
  const targets = await listOperationalTargets(
    db,
    [...apps.values()].map((app) => app.appId),
  );
  const messages: Message[] = [];
  const deliveries: NewDelivery[] = [];
  for (const event of events) {
    const app = apps.get(event.workspaceId);
    if (!app) continue;
    for (const format of OPERATIONAL_FORMATS) {
      const recipientId = app.recipients[format];
      const receiving = targets.filter((target) => receives(target, recipientId, event));
      if (receiving.length === 0) continue;
      const message = newMessage(
        {
          workspaceId: event.workspaceId,
          appId: app.appId,
          eventType: event.type,
          recipientId,
          eventId: null,
          payload: operationalPayload(event, format),
        },
        options.now,
      );
      messages.push(message);
      for (const target of receiving) {
        deliveries.push({
          workspaceId: event.workspaceId,
          messageId: message.id,
          endpointId: target.id,
          trigger: 'scheduled',
          maxAttempts: options.maxAttempts,
          dueAt: options.now,
        });
      }
    }
  }
  if (messages.length === 0) return 0;
  await insertMessages(db, messages);
  await insertDeliveries(db, deliveries, options.now);
  return deliveries.length;
}
