import t from 'tap';
import { createDb } from '../../db/index.js';
import { createTestDatabase, testDialects } from '../helpers/databases.js';

t.test(
  'MySQL connections run every transaction READ COMMITTED without a per-transaction SET',
  { skip: !testDialects().includes('mysql') && 'no TEST_MYSQL_URL' },
  async (t) => {
    const database = await createTestDatabase('mysql');
    const db = createDb({ databaseUrl: database.url, poolSize: 2 });
    t.teardown(async () => {
      await db.destroy();
      await database.drop();
    });
    const statements: string[] = [];
    db.on('query', (query: { sql: string }) => statements.push(query.sql));
    const level = await db.transaction(async (tx) => {
      const [rows] = (await tx.raw('select @@session.tx_isolation as level')) as [{ level: string }[]];
      return rows[0].level;
    });
    t.equal(level, 'READ-COMMITTED', 'the session default is READ COMMITTED');
    t.notOk(
      statements.some((sql) => /SET TRANSACTION/i.test(sql)),
      'no SET TRANSACTION is sent per transaction',
    );
  },
);
