import type { Db } from '../../db/index.js';
import { insertDeliveries, listFanOutEndpoints, workTransaction, type FanOutEndpoint, type NewDelivery } from '../../db/queries/deliveries.js';
import { insertMessages, type Message } from '../../db/queries/messages.js';
import { createGroupCommit } from '../group-commit.js';

/** A validated message waiting to be stored with its deliveries. */
export interface PendingMessage {
  message: Message;
  maxAttempts: number;
}

/** Messages stored per transaction at most. */
const MAX_GROUP = 200;

/** CONTRACT rule 2: the endpoints of the targeted recipient(s) whose filter is empty or has the type. */
function matches(endpoint: FanOutEndpoint, message: Message): boolean {
  return endpoint.appId === message.appId
    && (message.recipientId === null || endpoint.recipientId === message.recipientId)
    && (endpoint.eventTypes.length === 0 || endpoint.eventTypes.includes(message.eventType));
}

/**
 * Group commit for accepted messages (see group-commit.ts): messages validated together are
 * stored in one transaction (messages, then their pending deliveries), so a burst of sends costs a
 * few statements per group instead of a transaction per message. `write` resolves with the
 * delivery count only after the commit: the 202 may follow.
 */
export function createAcceptWriter(db: Db) {
  async function store(group: PendingMessage[]): Promise<number[]> {
    return db.transaction(async (tx) => {
      const endpoints = await listFanOutEndpoints(tx, [...new Set(group.map((p) => p.message.appId))]);
      await insertMessages(tx, group.map((p) => p.message));
      const deliveries: NewDelivery[] = [];
      const counts = group.map(({ message, maxAttempts }) => {
        const matched = endpoints.filter((endpoint) => matches(endpoint, message));
        for (const endpoint of matched) {
          deliveries.push({ workspaceId: message.workspaceId, messageId: message.id, endpointId: endpoint.id, trigger: 'scheduled', maxAttempts, dueAt: message.createdAt });
        }
        return matched.length;
      });
      // ascending endpoint ids within each message: the lock order attempt writers use too
      await insertDeliveries(tx, deliveries, group[0].message.createdAt);
      return counts;
    }, workTransaction(db));
  }

  const groups = createGroupCommit<PendingMessage, number>({ maxGroup: MAX_GROUP, commit: store });
  return {
    /** Stores the message and its deliveries; resolves with the delivery count once committed. */
    write: (pending: PendingMessage): Promise<number> => groups.add(pending),
  };
}

export type AcceptWriter = ReturnType<typeof createAcceptWriter>;

const writers = new WeakMap<Db, AcceptWriter>();

/** The accept writer of a database handle (one per process and database). */
export function acceptWriterFor(db: Db): AcceptWriter {
  let writer = writers.get(db);
  if (!writer) {
    writer = createAcceptWriter(db);
    writers.set(db, writer);
  }
  return writer;
}
