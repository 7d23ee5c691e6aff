import type { Db, DbOrTx } from '../../db/index.js';
import { insertDeliveries, type NewDelivery } from '../../db/queries/deliveries.js';
import { listCandidateEndpoints } from '../../db/queries/candidate-endpoints.js';
import { insertMessages, type Message } from '../../db/queries/messages.js';
import { retryOnDeadlock } from '../../db/deadlock-retry.js';
import { createGroupCommit } from '../group-commit.js';
import type { EndpointFilters } from './endpoint-filters.js';
import { endpointMatches } from './matcher.js';

/** A validated message waiting to be stored with its deliveries. */
export interface PendingMessage {
  message: Message;
  /** Attempts under the global retry schedule; an endpoint with its own schedule overrides it. */
  maxAttempts: number;
  /** The parsed payload when the caller has it (saves parsing `message.payload` for filtered endpoints). */
  payload?: unknown;
}

/** Messages stored per transaction at most. */
const MAX_GROUP = 200;

/**
 * Inserts one delivery per endpoint that matches each message (CONTRACT rule 2 and §8, decided
 * by `endpointMatches`), inside the caller's transaction: the messages' own rows must be written
 * in it too, so the 202 follows one commit. A disabled endpoint's delivery is stored `held`
 * (§8.2), any other `pending`. Resolves with each message's delivery count. Every accept path
 * fans out here, so the rule cannot drift between the grouped and the keyed path. Filters are
 * looked up once per candidate per call; a payload is parsed at most once, and only when a
 * candidate has a filter.
 */
export async function insertFanOut(tx: DbOrTx, pending: PendingMessage[], filters: EndpointFilters): Promise<number[]> {
  if (pending.length === 0) return [];
  const candidates = await listCandidateEndpoints(
    tx,
    pending.map(({ message }) => ({ appId: message.appId, recipientId: message.recipientId })),
  );
  const endpoints = candidates.map((endpoint) => ({
    endpoint,
    filter: filters.matcherFor(endpoint.id, endpoint.filter),
    maxAttempts: endpoint.retrySchedule === null ? null : endpoint.retrySchedule.length + 1,
  }));
  const deliveries: NewDelivery[] = [];
  const counts = pending.map((item) => {
    const { message } = item;
    let parsed: { value: unknown } | null = item.payload === undefined ? null : { value: item.payload };
    const payload = (): unknown => (parsed ??= { value: message.payload === null ? null : (JSON.parse(message.payload) as unknown) }).value;
    let count = 0;
    for (const { endpoint, filter, maxAttempts } of endpoints) {
      if (!endpointMatches(endpoint, message, filter, payload)) continue;
      deliveries.push({
        workspaceId: message.workspaceId,
        messageId: message.id,
        endpointId: endpoint.id,
        trigger: 'scheduled',
        maxAttempts: maxAttempts ?? item.maxAttempts,
        dueAt: message.createdAt,
        held: endpoint.disabled,
        fifo: endpoint.fifo,
      });
      count++;
    }
    return count;
  });
  // ascending endpoint ids within each message (candidates come sorted): the lock order attempt writers use too
  await insertDeliveries(tx, deliveries, pending[0].message.createdAt);
  return counts;
}

/**
 * Group commit for accepted messages (see group-commit.ts): messages validated together are
 * stored in one transaction (messages, then their pending deliveries), so a burst of sends costs a
 * few statements per group instead of a transaction per message. `write` resolves with the
 * delivery count only after the commit: the 202 may follow. Each app builds one (server/runtime.ts).
 */
export function createAcceptWriter(db: Db, filters: EndpointFilters) {
  async function store(group: PendingMessage[]): Promise<number[]> {
    return db.transaction(async (tx) => {
      await insertMessages(
        tx,
        group.map((p) => p.message),
      );
      return insertFanOut(tx, group, filters);
    });
  }

  // a deadlock (or a Galera certification conflict) rolled the whole group back: store it again
  const groups = createGroupCommit<PendingMessage, number>({ maxGroup: MAX_GROUP, commit: (group) => retryOnDeadlock(() => store(group)) });
  return {
    /** Stores the message and its deliveries; resolves with the delivery count once committed. */
    write: (pending: PendingMessage): Promise<number> => groups.add(pending),
  };
}

export type AcceptWriter = ReturnType<typeof createAcceptWriter>;
