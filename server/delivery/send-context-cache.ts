import type { Db } from '../../db/index.js';
import { findSendContext, type SendContext } from '../../db/queries/messages.js';
import { findRecipientByRef, type Recipient } from '../../db/queries/recipients.js';
import type { Clock } from '../deps.js';

/** How long a found app/event type or recipient is answered from memory (like the API-key cache). */
export const SEND_CONTEXT_TTL_MS = 1_000;
/** Entries per map before it starts over (bounds memory against many distinct names). */
const CACHE_MAX = 10_000;

interface Entry<T> {
  value: T;
  expiresAt: number;
}

/**
 * What `POST /apps/{app}/messages` reads before it writes, remembered for a second per app
 * process: the app with its event type, and recipients by reference. One SELECT per message was
 * a third of the accept path's CPU. Only found rows are remembered (a missing app, event type
 * or recipient is looked up again each time), and every change made through this process (event
 * type updates and archiving, app changes, recipient deletion) clears the cache, so this process
 * never sends against a stale schema; another process sees such a change within a second.
 */
export interface SendContextCache {
  context(workspaceId: string, appRef: string, eventType: string): Promise<SendContext | null>;
  recipient(appId: string, ref: string): Promise<Recipient | null>;
  /** Forgets everything (after a change to apps, event types or recipients in this process). */
  clear(): void;
}

export function createSendContextCache(db: Db, clock: Clock): SendContextCache {
  const contexts = new Map<string, Entry<SendContext>>();
  const recipients = new Map<string, Entry<Recipient>>();

  async function remembered<T>(map: Map<string, Entry<T>>, key: string, load: () => Promise<T | null>, keep: (value: T) => boolean) {
    const now = clock.now();
    const entry = map.get(key);
    if (entry && entry.expiresAt > now) return entry.value;
    const value = await load();
    if (value === null || !keep(value)) {
      map.delete(key);
      return value;
    }
    if (map.size >= CACHE_MAX) map.clear();
    map.set(key, { value, expiresAt: now + SEND_CONTEXT_TTL_MS });
    return value;
  }

  return {
    context: (workspaceId, appRef, eventType) =>
      remembered(
        contexts,
        `${workspaceId}\u0000${appRef}\u0000${eventType}`,
        () => findSendContext(db, workspaceId, appRef, eventType),
        (context) => context.eventType !== null,
      ),
    recipient: (appId, ref) =>
      remembered(
        recipients,
        `${appId}\u0000${ref}`,
        () => findRecipientByRef(db, appId, ref),
        () => true,
      ),
    clear() {
      contexts.clear();
      recipients.clear();
    },
  };
}
