import { setEndpointAuth, setEndpointOrdering, type EndpointAuth } from '../../db/queries/endpoint-auth.js';
import { settleLanes, type Ordering } from '../../db/queries/fifo-lanes.js';
import type { AppDeps } from '../deps.js';

/**
 * Applies a PATCH of `ordering` and `auth` (undefined = unchanged). Switching ordering moves the
 * endpoint's pending deliveries in the same transaction: to `fifo`, all but the one being
 * attempted (or the earliest) wait in the lane; to `none`, every waiting one becomes due.
 */
export async function applyOrderingAndAuth(
  deps: Pick<AppDeps, 'db' | 'config' | 'clock' | 'emit'>,
  endpointId: string,
  change: { ordering?: Ordering; auth?: EndpointAuth | null },
): Promise<void> {
  const now = deps.clock.now();
  if (change.auth !== undefined) await setEndpointAuth(deps.db, endpointId, change.auth, deps.config.encryptionKey, now);
  const ordering = change.ordering;
  if (ordering === undefined) return;
  const madeDue = await deps.db.transaction(async (tx) => {
    await setEndpointOrdering(tx, endpointId, ordering, now);
    return settleLanes(tx, [endpointId], now);
  });
  if (madeDue > 0) deps.emit('work');
}
