import t from 'tap';
import { createTestDatabase, testDialects } from '../helpers/databases.js';
import { createDb, isMigrated, migrate } from '../../db/index.js';

// several processes share a database only on MySQL (SQLite is the single-process default)
for (const dialect of testDialects().filter((d) => d === 'mysql')) {
  t.test(`migrate applies every migration once even when replicas start together [${dialect}]`, async (t) => {
    const database = await createTestDatabase(dialect);
    t.teardown(() => database.drop());
    const replicas = [1, 2, 3].map(() => createDb({ databaseUrl: database.url, poolSize: 2 }));
    t.teardown(() => Promise.all(replicas.map((db) => db.destroy())));

    t.equal(await isMigrated(replicas[0]), false, 'a fresh database has pending migrations');
    await Promise.all(replicas.map((db) => migrate(db)));
    for (const db of replicas) t.equal(await isMigrated(db), true);
    const applied = await replicas[0]('knex_migrations').select('name');
    t.equal(new Set(applied.map((row) => row.name)).size, applied.length, 'no migration recorded twice');
    t.ok(await replicas[0].schema.hasTable('deliveries'));
  });
}

for (const dialect of testDialects()) {
  t.test(`migrate brings a fresh database to the latest schema and is idempotent [${dialect}]`, async (t) => {
    const database = await createTestDatabase(dialect);
    t.teardown(() => database.drop());
    const db = createDb({ databaseUrl: database.url, poolSize: 2 });
    t.teardown(() => db.destroy());
    await migrate(db);
    await migrate(db);
    t.equal(await isMigrated(db), true);
    for (const table of [
      'workspaces',
      'api_keys',
      'apps',
      'endpoints',
      'messages',
      'deliveries',
      'attempts',
      'sources',
      'events',
      'anomalies',
      'portal_sessions',
    ]) {
      t.ok(await db.schema.hasTable(table), table);
    }
  });
}

t.test('DATABASE_URL ssl parameter turns on TLS for MySQL', async (t) => {
  const cases: [string, unknown][] = [
    ['mysql://u:p@db.example.com:3306/dispatch', undefined],
    ['mysql://u:p@db.example.com:3306/dispatch?ssl=true', { rejectUnauthorized: false }],
    ['mysql://u:p@db.example.com:3306/dispatch?ssl-mode=REQUIRED', { rejectUnauthorized: false }],
    ['mysql://u:p@db.example.com:3306/dispatch?ssl=verify', { rejectUnauthorized: true }],
  ];
  for (const [url, ssl] of cases) {
    const db = createDb({ databaseUrl: url });
    const connection = db.client.config.connection as { ssl?: unknown; host: string; database: string; password: string };
    t.same(connection.ssl, ssl, url);
    t.equal(connection.host, 'db.example.com');
    t.equal(connection.database, 'dispatch');
    t.equal(connection.password, 'p');
    await db.destroy();
  }
});
