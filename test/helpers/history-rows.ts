import { newId } from '../../db/ids.js';

// Rows written straight into the tables, for tests that need a history larger than sending it
// through the API and a receiver allows on this machine (erasure batches, the bulk replay cap).

/** Where the rows belong. */
export interface HistoryScope {
  workspaceId: string;
  appId: string;
}

/** A stored message row; broadcast unless `recipientId` is given. */
export function messageRow(scope: HistoryScope, at: number, fields: { recipientId?: string | null; payload?: string } = {}) {
  return {
    id: newId('msg', at),
    workspace_id: scope.workspaceId,
    app_id: scope.appId,
    event_type: 'invoice.paid',
    recipient_id: fields.recipientId ?? null,
    event_id: null,
    payload: fields.payload ?? '{"x":1}',
    payload_expired: 0,
    created_at: at,
  };
}

/** A finished delivery row of a message to an endpoint, with one attempt made. */
export function deliveryRow(
  workspaceId: string,
  at: number,
  fields: { messageId: string; endpointId: string; status: 'succeeded' | 'failed'; maxAttempts?: number },
) {
  return {
    id: newId('dlv', at),
    workspace_id: workspaceId,
    message_id: fields.messageId,
    endpoint_id: fields.endpointId,
    trigger: 'scheduled',
    status: fields.status,
    attempts: 1,
    max_attempts: fields.maxAttempts ?? 8,
    next_attempt_at: null,
    due_at: null,
    created_at: at,
    updated_at: at,
  };
}

/** The successful first attempt of a delivery row. */
export function succeededAttemptRow(delivery: ReturnType<typeof deliveryRow>) {
  return {
    id: newId('atm', delivery.created_at),
    workspace_id: delivery.workspace_id,
    delivery_id: delivery.id,
    message_id: delivery.message_id,
    endpoint_id: delivery.endpoint_id,
    event_id: null,
    source_id: null,
    attempt: 1,
    trigger: 'scheduled',
    status: 'succeeded',
    response_status: 200,
    response_body: 'ok',
    error: null,
    duration_ms: 3,
    created_at: delivery.created_at,
  };
}
