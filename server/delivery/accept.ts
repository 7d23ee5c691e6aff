import type { AppDeps } from '../deps.js';
import type { Db } from '../../db/index.js';
import { retryOnDeadlock } from '../../db/deadlock-retry.js';
import {
  IDEMPOTENCY_TTL_MS,
  deleteExpiredIdempotencyKey,
  findIdempotencyKey,
  reserveIdempotencyKey,
} from '../../db/queries/idempotency-keys.js';
import {
  countScheduledDeliveries,
  type SendContext,
  findMessage,
  insertMessage,
  newMessage,
  type Message,
} from '../../db/queries/messages.js';
import { insertFanOut } from './accept-writer.js';
import { AppError } from '../errors.js';
import { toDetails } from '../schemas/validate.js';

export interface SendRequest {
  eventType: string;
  payload: unknown;
  recipient?: string;
  /** event_id from the body, else the Idempotency-Key header. */
  idempotencyKey?: string;
  eventId?: string;
}

export interface Accepted {
  message: Message;
  /** The payload as the caller sent it (answered without re-parsing the stored text). */
  payload: unknown;
  deliveryCount: number;
}

class DuplicateKey extends Error {}

/** After commit: wakes this app's dispatcher when there is something to deliver, and counts the message. */
function signalAccepted(deps: AppDeps, deliveryCount: number): void {
  if (deliveryCount > 0) deps.emit('work');
  deps.emit('accepted', { count: 1 });
}

async function existingResponse(db: Db, app: SendContext['app'], messageId: string): Promise<Accepted | null> {
  const message = await findMessage(db, app.id, messageId);
  if (!message) return null;
  const counts = await countScheduledDeliveries(db, [message.id]);
  return { message, payload: message.payload === null ? null : JSON.parse(message.payload), deliveryCount: counts.get(message.id) ?? 0 };
}

/**
 * Accepts a message (CONTRACT delivery rule 1): validates it against its event type, then in ONE
 * transaction stores the message, its idempotency key and one pending delivery per matching
 * endpoint — only then may the caller answer 202. Messages without a key share transactions
 * with concurrent ones (group commit); keyed ones get their own, so the key's primary key
 * arbitrates concurrent duplicates. The payload is serialised once here; those
 * bytes are stored and are what every attempt sends. Wakes this process's dispatcher after commit.
 */
export async function acceptMessage(deps: AppDeps, workspaceId: string, appRef: string, request: SendRequest): Promise<Accepted> {
  const { db, config } = deps;
  const now = deps.clock.now();
  const context = await deps.sendContexts.context(workspaceId, appRef, request.eventType);
  if (!context) throw new AppError('app_not_found', `No app "${appRef}" in this workspace.`);
  const { app, eventType } = context;
  const key = request.idempotencyKey;
  if (key !== undefined) {
    const held = await findIdempotencyKey(db, app.id, key);
    if (held && held.createdAt > now - IDEMPOTENCY_TTL_MS) {
      const existing = await existingResponse(db, app, held.messageId);
      if (existing) return existing;
    }
  }
  const rateLimit = config.planLimits.messages_per_second;
  if (rateLimit !== undefined) await deps.messageRate.take(app.workspaceId, rateLimit);

  if (!eventType) throw new AppError('event_type_not_found', `The event type "${request.eventType}" does not exist in this app.`);
  if (eventType.archivedAt !== null)
    throw new AppError('event_type_archived', `The event type "${request.eventType}" is archived and takes no new messages.`);
  const validate = deps.payloadValidators.validatorFor(eventType);
  if (validate && !validate(request.payload)) {
    const details = toDetails(validate.errors, '/payload');
    throw new AppError(
      'payload_invalid',
      `The payload does not match the schema of "${eventType.name}": ${details[0].path} ${details[0].message}.`,
      { details },
    );
  }
  let recipientId: string | null = null;
  if (request.recipient !== undefined) {
    const recipient = await deps.sendContexts.recipient(app.id, request.recipient);
    if (!recipient) throw new AppError('recipient_not_found', `The recipient "${request.recipient}" does not exist in this app.`);
    recipientId = recipient.id;
  }
  const payloadText = JSON.stringify(request.payload);
  const maxAttempts = config.retryScheduleMs.length + 1;
  const fields = {
    workspaceId: app.workspaceId,
    appId: app.id,
    eventType: eventType.name,
    recipientId,
    eventId: request.eventId ?? null,
    payload: payloadText,
  };

  if (key === undefined) {
    // no idempotency key to arbitrate: join the next group commit
    const message = newMessage(fields, now);
    const deliveryCount = await deps.acceptWriter.write({ message, maxAttempts, payload: request.payload });
    signalAccepted(deps, deliveryCount);
    return { message, payload: request.payload, deliveryCount };
  }

  try {
    // a deadlock (or a Galera certification conflict) committed nothing: the whole transaction runs again
    const accepted = await retryOnDeadlock(() =>
      db.transaction(async (tx) => {
        const message = await insertMessage(tx, fields, now);
        if (!(await reserveIdempotencyKey(tx, app.id, key, message.id, now))) {
          const held = await findIdempotencyKey(tx, app.id, key);
          // a key older than 24 h is free again: drop the old row and take it
          if (!held || held.createdAt > now - IDEMPOTENCY_TTL_MS) throw new DuplicateKey();
          await deleteExpiredIdempotencyKey(tx, app.id, key, held.createdAt);
          if (!(await reserveIdempotencyKey(tx, app.id, key, message.id, now))) throw new DuplicateKey();
        }
        const [deliveryCount] = await insertFanOut(tx, [{ message, maxAttempts, payload: request.payload }], deps.endpointFilters);
        return { message, payload: request.payload, deliveryCount };
      }),
    );
    signalAccepted(deps, accepted.deliveryCount);
    return accepted;
  } catch (error) {
    if (!(error instanceof DuplicateKey)) throw error;
    // a concurrent request with the same key committed first: answer with its message
    const held = await findIdempotencyKey(db, app.id, key);
    const existing = held ? await existingResponse(db, app, held.messageId) : null;
    if (!existing) throw new AppError('conflict', 'A message with this idempotency key is being accepted; retry.');
    return existing;
  }
}
