import { isMysql, type Db, type DbOrTx } from '../index.js';

/**
 * knex's migration bookkeeping, created the way knex would (same columns) but safe when several
 * processes start together on a multi-primary cluster such as Galera, where row locks are not
 * shared between nodes:
 * - knex checks `hasTable` and then creates the table: two nodes both find it missing and one
 *   fails with "Table 'knex_migrations' already exists" (DDL is replicated in total order).
 *   `CREATE TABLE IF NOT EXISTS` cannot fail that way.
 * - knex inserts its lock row when it finds none: two nodes would insert two rows, and knex's
 *   lock (`UPDATE … SET is_locked = 1 WHERE is_locked = 0` must touch exactly one row) could
 *   then never be taken again. The one lock row is written here with a fixed key, so concurrent
 *   inserts collide on it (`INSERT IGNORE`, certified by Galera) and there is never a second.
 * The lock itself stays knex's: that UPDATE is a write Galera certifies, so two nodes taking it at
 * once cannot both commit (the loser gets a deadlock error and waits for the lock to be free).
 * SQLite (one file, one writer) needs none of this: knex's own start-up is enough there.
 */
export async function ensureMigrationTables(db: Db): Promise<void> {
  if (!isMysql(db)) return;
  await db.raw(
    'CREATE TABLE IF NOT EXISTS `knex_migrations` (`id` int unsigned not null auto_increment primary key, ' +
      '`name` varchar(255), `batch` int, `migration_time` timestamp NULL)',
  );
  await db.raw(
    'CREATE TABLE IF NOT EXISTS `knex_migrations_lock` (`index` int unsigned not null auto_increment primary key, `is_locked` int)',
  );
  await db.raw('INSERT IGNORE INTO `knex_migrations_lock` (`index`, `is_locked`) VALUES (1, 0)');
  // a second unlocked row left by an earlier concurrent start would block the lock for good
  await db('knex_migrations_lock').whereNot('index', 1).andWhere('is_locked', 0).delete();
}

/** The names of the migrations applied so far (knex's bookkeeping). */
export async function listAppliedMigrations(db: DbOrTx): Promise<Set<string>> {
  const rows = await db('knex_migrations').select<{ name: string }[]>('name');
  return new Set(rows.map((row) => row.name));
}
