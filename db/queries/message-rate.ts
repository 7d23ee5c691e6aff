import type { DbOrTx } from '../index.js';

/**
 * Takes up to `want` units of the workspace's budget for epoch second `second`, never letting the
 * second's total pass `limit`, and returns how many it got (0 = that second is full). The
 * increment is one conditional UPDATE, atomic on both databases, so processes sharing the
 * database never overshoot together; near the limit it takes what is left.
 */
export async function leaseMessageBudget(db: DbOrTx, workspaceId: string, second: number, want: number, limit: number): Promise<number> {
  const row = { workspace_id: workspaceId, window_second: second };
  let take = Math.min(want, limit);
  // a few rounds at most: each one either succeeds, learns the second is full, or lost a race
  for (let round = 0; round < 4 && take > 0; round++) {
    const changed = await db('message_rate_windows').where(row).andWhereRaw('accepted + ? <= ?', [take, limit]).increment('accepted', take);
    if (changed > 0) return take;
    const current = await db('message_rate_windows').where(row).first<{ accepted: number | string } | undefined>('accepted');
    if (!current) {
      // the second's first lease anywhere: another process may insert the same row at once
      await db('message_rate_windows')
        .insert({ ...row, accepted: 0 })
        .onConflict(['workspace_id', 'window_second'])
        .ignore();
      continue;
    }
    take = Math.min(take, limit - Number(current.accepted));
  }
  return 0;
}

/** Deletes counter rows of seconds before `beforeSecond` (no limit looks back further). */
export async function deleteMessageRateWindows(db: DbOrTx, beforeSecond: number, limit: number): Promise<number> {
  const rows = await db('message_rate_windows')
    .where('window_second', '<', beforeSecond)
    .limit(limit)
    .select<{ workspace_id: string; window_second: number | string }[]>('workspace_id', 'window_second');
  if (rows.length === 0) return 0;
  await db('message_rate_windows')
    .whereIn(
      ['workspace_id', 'window_second'],
      rows.map((r) => [r.workspace_id, r.window_second]),
    )
    .delete();
  return rows.length;
}
