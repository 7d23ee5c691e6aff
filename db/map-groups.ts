/**
 * Appends `value` to the list `groups` keeps under `key`, starting the list on first use: the one
 * way rows are grouped by a key here (claim batches by target kind, attempts by endpoint, rows by
 * event). It appends in place, so grouping n rows costs n pushes, not n copies of a growing list.
 * It lives in db/ so that db/queries and server/ can both use it (server → db is the one direction).
 */
export function appendToGroup<Key, Value>(groups: Map<Key, Value[]>, key: Key, value: Value): void {
  const list = groups.get(key);
  if (list) list.push(value);
  else groups.set(key, [value]);
}
