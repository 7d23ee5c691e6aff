import type { ValidateFunction } from 'ajv';
import type { AppDeps } from '../deps.js';
import type { Db } from '../../db/index.js';
import { insertDeliveries, workTransaction } from '../../db/queries/deliveries.js';
import { listDeliverableEndpoints } from '../../db/queries/endpoints.js';
import {
  IDEMPOTENCY_TTL_MS, countScheduledDeliveries, findSendContext, type SendContext, deleteExpiredIdempotencyKey, findIdempotencyKey, findMessage,
  insertMessage, newMessage, reserveIdempotencyKey, type Message,
} from '../../db/queries/messages.js';
import { acceptWriterFor } from './accept-writer.js';
import { findRecipientByRef } from '../../db/queries/recipients.js';
import { AppError } from '../errors.js';
import { payloadValidator } from '../schemas/event-types.js';
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

/** Compiled event-type schemas, keyed by event type id and its last update (a new schema recompiles). */
const validators = new Map<string, ValidateFunction | null>();
const VALIDATOR_CACHE_MAX = 5_000;

function validatorFor(eventType: NonNullable<SendContext['eventType']>): ValidateFunction | null {
  const key = `${eventType.id}:${eventType.updatedAt}`;
  let validate = validators.get(key);
  if (validate === undefined) {
    if (validators.size >= VALIDATOR_CACHE_MAX) validators.clear();
    // the same compiler (and draft selection) that checked the schema when the type was saved
    validate = eventType.schemaText ? payloadValidator(JSON.parse(eventType.schemaText)) : null;
    validators.set(key, validate);
  }
  return validate;
}

/** Per-workspace accepted-message counters for the `messages_per_second` plan limit (this process). */
const rateWindows = new Map<string, { second: number; count: number }>();

function assertMessageRate(deps: AppDeps, workspaceId: string, now: number): void {
  const limit = deps.config.planLimits.messages_per_second;
  if (limit === undefined) return;
  const second = Math.floor(now / 1000);
  let window = rateWindows.get(workspaceId);
  if (!window || window.second !== second) {
    if (rateWindows.size > 10_000) rateWindows.clear();
    window = { second, count: 0 };
    rateWindows.set(workspaceId, window);
  }
  if (window.count >= limit) {
    const retryAfter = Math.max(1, Math.ceil((second + 1) * 1000 - now) / 1000);
    throw new AppError('rate_limited', `At most ${limit} messages per second are accepted (messages_per_second).`, { headers: { 'Retry-After': String(Math.ceil(retryAfter)) } });
  }
  window.count++;
}

class DuplicateKey extends Error {}

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
  const context = await findSendContext(db, workspaceId, appRef, request.eventType);
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
  assertMessageRate(deps, app.workspaceId, now);

  if (!eventType) throw new AppError('event_type_not_found', `The event type "${request.eventType}" does not exist in this app.`);
  if (eventType.archivedAt !== null) throw new AppError('event_type_archived', `The event type "${request.eventType}" is archived and takes no new messages.`);
  const validate = validatorFor(eventType);
  if (validate && !validate(request.payload)) {
    const details = toDetails(validate.errors, '/payload');
    throw new AppError('payload_invalid', `The payload does not match the schema of "${eventType.name}": ${details[0].path} ${details[0].message}.`, { details });
  }
  let recipientId: string | null = null;
  if (request.recipient !== undefined) {
    const recipient = await findRecipientByRef(db, app.id, request.recipient);
    if (!recipient) throw new AppError('recipient_not_found', `The recipient "${request.recipient}" does not exist in this app.`);
    recipientId = recipient.id;
  }
  const payloadText = JSON.stringify(request.payload);
  const maxAttempts = config.retryScheduleMs.length + 1;
  const fields = { workspaceId: app.workspaceId, appId: app.id, eventType: eventType.name, recipientId, eventId: request.eventId ?? null, payload: payloadText };

  if (key === undefined) {
    // no idempotency key to arbitrate: join the next group commit
    const message = newMessage(fields, now);
    const deliveryCount = await acceptWriterFor(db).write({ message, maxAttempts });
    if (deliveryCount > 0) deps.signals.emit('work');
    deps.signals.emit('accepted', { count: 1 });
    return { message, payload: request.payload, deliveryCount };
  }

  try {
    const accepted = await db.transaction(async (tx) => {
      const message = await insertMessage(tx, fields, now);
      if (!(await reserveIdempotencyKey(tx, app.id, key, message.id, now))) {
        const held = await findIdempotencyKey(tx, app.id, key);
        // a key older than 24 h is free again: drop the old row and take it
        if (!held || held.createdAt > now - IDEMPOTENCY_TTL_MS) throw new DuplicateKey();
        await deleteExpiredIdempotencyKey(tx, app.id, key, held.createdAt);
        if (!(await reserveIdempotencyKey(tx, app.id, key, message.id, now))) throw new DuplicateKey();
      }
      const endpoints = await listDeliverableEndpoints(tx, { appId: app.id, recipientId, eventType: eventType.name, encryptionKey: config.encryptionKey, now });
      // ascending endpoint ids (as listed): the same lock order as attempt writers
      await insertDeliveries(tx, endpoints.map((endpoint) => ({
        workspaceId: app.workspaceId, messageId: message.id, endpointId: endpoint.id, trigger: 'scheduled' as const, maxAttempts, dueAt: now,
      })), now);
      return { message, payload: request.payload, deliveryCount: endpoints.length };
    }, workTransaction(db));
    if (accepted.deliveryCount > 0) deps.signals.emit('work');
    deps.signals.emit('accepted', { count: 1 });
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
