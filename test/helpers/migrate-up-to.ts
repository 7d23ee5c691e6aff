import type { Knex } from 'knex';
import { migrationSource } from '../../db/migrations/index.js';

/** Applies migrations one by one until `name` is the next pending one (for tests of one migration). */
export async function migrateUpTo(db: Knex, name: string): Promise<void> {
  const [, pending] = (await db.migrate.list({ migrationSource })) as [unknown[], unknown[]];
  // bounded: each round applies one of the migrations pending at the start
  for (let round = 0; round <= pending.length; round++) {
    const [, left] = (await db.migrate.list({ migrationSource })) as [unknown[], unknown[]];
    const next = left[0] as string | { file?: string; name?: string } | undefined;
    const nextName = typeof next === 'string' ? next : (next?.file ?? next?.name);
    if (nextName === undefined) break;
    if (nextName === name) return;
    await db.migrate.up({ migrationSource });
  }
  throw new Error(`${name} is not pending`);
}
