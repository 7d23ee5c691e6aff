import t from 'tap';
import { createDb } from '../../db/index.js';
import { insertRows, multiRowInsertSql } from '../../db/queries/multi-row-insert.js';
import { createTestDatabase, testDialects } from '../helpers/databases.js';

t.test('the statement text has one placeholder group per row and quoted identifiers', async (t) => {
  t.equal(multiRowInsertSql('deliveries', ['id', 'trigger'], 2), 'insert into `deliveries` (`id`, `trigger`) values (?, ?), (?, ?)');
});

for (const dialect of testDialects()) {
  t.test(`insertRows writes every row in statements of 100, byte for byte [${dialect}]`, async (t) => {
    const database = await createTestDatabase(dialect);
    const db = createDb({ databaseUrl: database.url });
    t.teardown(async () => {
      await db.destroy();
      await database.drop();
    });
    await db.schema.createTable('rows_under_test', (table) => {
      table.string('id', 40).primary();
      table.string('trigger', 20).nullable();
      table.text('payload').nullable();
      table.bigInteger('created_at').notNullable();
    });
    const statements: string[] = [];
    db.on('query', (query: { sql: string }) => statements.push(query.sql));
    const rows = Array.from({ length: 250 }, (_, i) => [
      `r${String(i).padStart(3, '0')}`,
      i % 2 ? 'replay' : null,
      `{"n":${i},"s":"é✓"}`,
      1_765_000_000_000 + i,
    ]);
    await insertRows(db, 'rows_under_test', ['id', 'trigger', 'payload', 'created_at'], rows);
    t.equal(statements.filter((sql) => sql.startsWith('insert into `rows_under_test`')).length, 3, '250 rows in 3 statements');
    const stored = (await db('rows_under_test').orderBy('id').select()) as {
      id: string;
      trigger: string | null;
      payload: string;
      created_at: number | string;
    }[];
    t.equal(stored.length, 250);
    t.same(
      stored.map((row) => [row.id, row.trigger, row.payload, Number(row.created_at)]),
      rows,
      'every value as given, nulls included',
    );
  });
}
