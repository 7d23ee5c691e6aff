import type { Db } from '../../db/index.js';
import { insertDeliveries, listFanOutEndpoints, workTransaction, type FanOutEndpoint, type NewDelivery } from '../../db/queries/deliveries.js';
import { insertMessages, type Message } from '../../db/queries/messages.js';
import { coerceError } from '../errors.js';

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
 * Group commit for accepted messages: messages validated while a write is in progress are
 * stored together in the next transaction (messages, then their pending deliveries), so a burst
 * of sends costs a few statements per group instead of a transaction per message. `write`
 * resolves with the delivery count only after the transaction committed: the 202 may follow.
 * When a group fails (say one app was deleted meanwhile), each message is retried alone so one
 * bad message cannot fail the others.
 */
export function createAcceptWriter(db: Db) {
  let queue: { pending: PendingMessage; resolve(count: number): void; reject(error: Error): void }[] = [];
  let writing = false;
  let scheduled = false;

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

  async function drain(): Promise<void> {
    if (writing) return;
    writing = true;
    try {
      while (queue.length > 0) {
        const group = queue.slice(0, MAX_GROUP);
        queue = queue.slice(group.length);
        try {
          const counts = await store(group.map((entry) => entry.pending));
          group.forEach((entry, i) => entry.resolve(counts[i]));
        } catch (thrown) {
          if (group.length === 1) {
            group[0].reject(coerceError(thrown));
            continue;
          }
          for (const entry of group) {
            try {
              entry.resolve((await store([entry.pending]))[0]);
            } catch (alone) {
              entry.reject(coerceError(alone));
            }
          }
        }
      }
    } finally {
      writing = false;
    }
  }

  return {
    /** Stores the message and its deliveries; resolves with the delivery count once committed. */
    write(pending: PendingMessage): Promise<number> {
      return new Promise<number>((resolve, reject) => {
        queue.push({ pending, resolve, reject });
        // start the group on the next turn of the event loop, once the requests whose bytes are
        // already here were read: on SQLite a write never yields to I/O, so without this every
        // group held one message (one transaction and one claim round per message)
        if (!writing && !scheduled) {
          scheduled = true;
          setImmediate(() => {
            scheduled = false;
            void drain();
          });
        }
      });
    },
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
