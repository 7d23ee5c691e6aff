import type { Knex } from 'knex';

/** A single-column foreign key as MySQL/MariaDB describe it. */
export interface ForeignKey {
  table: string;
  name: string;
  column: string;
  referencedTable: string;
  referencedColumn: string;
  onDelete: string;
  onUpdate: string;
}

/** knex's name for the foreign key `table.column` → `referencedTable.id`, ON DELETE CASCADE. */
function cascade(table: string, column: string, referencedTable: string): ForeignKey {
  return {
    table,
    name: `${table}_${column}_foreign`,
    column,
    referencedTable,
    referencedColumn: 'id',
    onDelete: 'CASCADE',
    onUpdate: 'RESTRICT',
  };
}

/**
 * The foreign keys migrations 20261126000001–20261126600001 create. Kept here so that a run of
 * the collation migration interrupted after dropping keys (MySQL commits DDL at once) puts back
 * the ones it dropped instead of forgetting them.
 */
export const FOREIGN_KEYS_BEFORE_BYTE_EXACT: readonly ForeignKey[] = [
  cascade('api_keys', 'workspace_id', 'workspaces'),
  cascade('apps', 'workspace_id', 'workspaces'),
  cascade('event_types', 'app_id', 'apps'),
  cascade('recipients', 'app_id', 'apps'),
  cascade('endpoints', 'recipient_id', 'recipients'),
  cascade('messages', 'app_id', 'apps'),
  cascade('idempotency_keys', 'app_id', 'apps'),
  cascade('deliveries', 'message_id', 'messages'),
  cascade('deliveries', 'endpoint_id', 'endpoints'),
  cascade('attempts', 'message_id', 'messages'),
  cascade('sources', 'workspace_id', 'workspaces'),
  cascade('events', 'source_id', 'sources'),
  cascade('portal_sessions', 'recipient_id', 'recipients'),
];

/** The single-column foreign keys of the current database, as information_schema has them. */
export async function listForeignKeys(knex: Knex): Promise<ForeignKey[]> {
  const rows = (await knex
    .select({
      table: 'r.TABLE_NAME',
      name: 'r.CONSTRAINT_NAME',
      column: 'k.COLUMN_NAME',
      position: 'k.ORDINAL_POSITION',
      referencedTable: 'r.REFERENCED_TABLE_NAME',
      referencedColumn: 'k.REFERENCED_COLUMN_NAME',
      onDelete: 'r.DELETE_RULE',
      onUpdate: 'r.UPDATE_RULE',
    })
    .from({ r: 'information_schema.REFERENTIAL_CONSTRAINTS' })
    .join({ k: 'information_schema.KEY_COLUMN_USAGE' }, function on() {
      this.on('k.CONSTRAINT_SCHEMA', 'r.CONSTRAINT_SCHEMA')
        .andOn('k.CONSTRAINT_NAME', 'r.CONSTRAINT_NAME')
        .andOn('k.TABLE_NAME', 'r.TABLE_NAME');
    })
    .where('r.CONSTRAINT_SCHEMA', knex.raw('DATABASE()'))
    .orderBy(['r.TABLE_NAME', 'r.CONSTRAINT_NAME', 'k.ORDINAL_POSITION'])) as (ForeignKey & { position: number })[];
  const multiColumn = rows.find((row) => row.position > 1);
  // every key Dispatch creates has one column; a composite one would be re-created wrongly
  if (multiColumn) throw new Error(`foreign key ${multiColumn.name} has several columns; convert it by hand`);
  return rows.map(({ position: _position, ...key }) => key);
}

const RULES: ReadonlySet<string> = new Set(['CASCADE', 'SET NULL', 'RESTRICT', 'NO ACTION', 'SET DEFAULT']);

/** Drops the foreign key `key` (the index behind it stays, so re-adding it is cheap). */
export async function dropForeignKey(knex: Knex, key: ForeignKey): Promise<void> {
  await knex.raw('ALTER TABLE ?? DROP FOREIGN KEY ??', [key.table, key.name]);
}

/** Adds `key` back; with FOREIGN_KEY_CHECKS = 0 the server neither rebuilds the table nor rescans it. */
export async function addForeignKey(knex: Knex, key: ForeignKey): Promise<void> {
  if (!RULES.has(key.onDelete) || !RULES.has(key.onUpdate)) throw new Error(`unexpected rule on foreign key ${key.name}`);
  await knex.raw(
    `ALTER TABLE ?? ADD CONSTRAINT ?? FOREIGN KEY (??) REFERENCES ?? (??) ON DELETE ${key.onDelete} ON UPDATE ${key.onUpdate}`,
    [key.table, key.name, key.column, key.referencedTable, key.referencedColumn],
  );
}
