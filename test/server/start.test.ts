import t from 'tap';
import { createHash } from 'node:crypto';
import { createTestDatabase, testDialects } from '../helpers/databases.js';
import { captureOutput, exitOf, spawnSource, waitForListeningPort } from '../helpers/source-process.js';
import { createDb } from '../../db/index.js';

/** Starts `server/index.ts` on port 0 and waits for its "listening" log line. */
async function startServer(env: Record<string, string>) {
  const child = spawnSource('server/index.ts', [], { PORT: '0', HOST: '127.0.0.1', DISPATCH_LOG_LEVEL: 'info', ...env });
  const output = captureOutput(child);
  const port = await waitForListeningPort(child, output, 60_000);
  return { child, output, url: `http://127.0.0.1:${port}` };
}

for (const dialect of testDialects()) {
  t.test(`npm start's server migrates, bootstraps, serves and stops on SIGTERM [${dialect}]`, async (t) => {
    const database = await createTestDatabase(dialect);
    t.teardown(() => database.drop());

    const first = await startServer({ DATABASE_URL: database.url });
    const key = /^\s+(rlk_[A-Za-z0-9]{40})$/m.exec(first.output.stdout())?.[1];
    t.ok(key, 'the generated admin key is printed once');
    t.equal((await fetch(`${first.url}/readyz`)).status, 200);
    const keys = await fetch(`${first.url}/api/v1/keys`, { headers: { authorization: `Bearer ${key}` } });
    t.equal(keys.status, 200);
    t.notOk(
      first.output
        .stdout()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .some((l) => l.includes(key as string)),
      'logs never carry the key',
    );
    first.child.kill('SIGTERM');
    t.equal(await exitOf(first.child), 0, 'exits 0 on SIGTERM');

    const second = await startServer({ DATABASE_URL: database.url });
    t.notMatch(second.output.stdout(), /rlk_/, 'no key is printed when the workspace has one');
    second.child.kill('SIGTERM');
    t.equal(await exitOf(second.child), 0);
  });

  t.test(`DISPATCH_ADMIN_KEY becomes the admin key and is never printed [${dialect}]`, async (t) => {
    const database = await createTestDatabase(dialect);
    t.teardown(() => database.drop());
    const adminKey = 'rlk_chosen_by_automation_0123456789';
    const server = await startServer({ DATABASE_URL: database.url, DISPATCH_ADMIN_KEY: adminKey });
    t.notMatch(server.output.stdout() + server.output.stderr(), adminKey);
    const apps = await fetch(`${server.url}/api/v1/keys`, { headers: { authorization: `Bearer ${adminKey}` } });
    t.equal(apps.status, 200);
    server.child.kill('SIGTERM');
    t.equal(await exitOf(server.child), 0);
  });
}

t.test('a bad variable stops start-up with one line naming it', async (t) => {
  const child = spawnSource('server/index.ts', [], { DISPATCH_REQUEST_TIMEOUT: 'forever' });
  const output = captureOutput(child);
  t.equal(await exitOf(child), 2);
  t.match(output.stderr().trim(), /^dispatch: DISPATCH_REQUEST_TIMEOUT="forever" is invalid: expected a duration/);
  t.equal(output.stderr().trim().split('\n').length, 1);
});

for (const dialect of testDialects()) {
  t.test(`dispatch workspace create prints the workspace and its first key [${dialect}]`, async (t) => {
    const database = await createTestDatabase(dialect);
    t.teardown(() => database.drop());
    const child = spawnSource('server/cli.ts', ['workspace', 'create', 'Acme Corp', '--json'], { DATABASE_URL: database.url });
    const output = captureOutput(child);
    t.equal(await exitOf(child), 0, output.stderr());
    const printed = JSON.parse(output.stdout());
    t.match(printed, { workspace: { id: /^ws_/, name: 'Acme Corp', created_at: /Z$/ }, key: /^rlk_/ });

    const db = createDb({ databaseUrl: database.url });
    t.teardown(() => db.destroy());
    const stored = await db('api_keys').where({ workspace_id: printed.workspace.id }).first();
    t.equal(stored.key_hash, createHash('sha256').update(printed.key).digest('hex'));
    t.same(JSON.parse(stored.scopes), ['*']);

    const plain = spawnSource('server/cli.ts', ['workspace', 'create', 'Second'], { DATABASE_URL: database.url });
    const plainOutput = captureOutput(plain);
    t.equal(await exitOf(plain), 0);
    t.match(plainOutput.stdout(), /Created workspace Second \(ws_.*\)[\s\S]*rlk_/);
  });
}

t.test('dispatch workspace create without a name exits 2 with usage', async (t) => {
  const child = spawnSource('server/cli.ts', ['workspace', 'create'], { DATABASE_URL: 'sqlite::memory:' });
  const output = captureOutput(child);
  t.equal(await exitOf(child), 2);
  t.match(output.stderr(), /needs a name/);
});
