import t from 'tap';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import { ENV_VARIABLES } from '../../config/index.js';

const root = new URL('../../', import.meta.url).pathname;
const composeFile = join(root, 'docker-compose.yml');
const exampleFile = join(root, '.env.example');

/** Variables compose hands to the TUI, which reads them itself (they are not server config). */
const TUI_VARIABLES = ['DISPATCH_URL', 'DISPATCH_API_KEY'];
/** Variables only the compose file interpolates (MySQL credentials, base images). */
const COMPOSE_ONLY_VARIABLES = ['MYSQL_PASSWORD', 'MYSQL_ROOT_PASSWORD', 'MYSQL_IMAGE', 'NODE_IMAGE'];

const compose = YAML.parse(readFileSync(composeFile, 'utf8'));

function exampleNames(): string[] {
  return readFileSync(exampleFile, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => line.split('=')[0]);
}

function interpolated(text: string): string[] {
  return [...new Set([...text.matchAll(/\$\{([A-Z0-9_]+)/g)].map(([, name]) => name))];
}

function hasComposeV1(): boolean {
  return spawnSync('docker-compose', ['version'], { stdio: 'ignore' }).status === 0;
}

t.test(
  'docker-compose config -q validates the stack with an env file copied from .env.example',
  {
    // CI must have it (.ci/run installs it); a developer without it sees the skip and the reason
    skip: hasComposeV1() || process.env.CI ? false : 'docker-compose (Debian package docker-compose) is not installed',
  },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'dispatch-compose-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    copyFileSync(exampleFile, join(dir, '.env'));
    // a clean environment: variables of the test process must not leak into the interpolation
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir };
    const run = (...args: string[]) =>
      spawnSync('docker-compose', ['-f', composeFile, '--env-file', join(dir, '.env'), ...args], { env, encoding: 'utf8' });

    const check = run('config', '-q');
    t.equal(check.status, 0, check.stderr);

    const resolved = YAML.parse(
      execFileSync('docker-compose', ['-f', composeFile, '--env-file', join(dir, '.env'), 'config'], { env, encoding: 'utf8' }),
    );
    const serverEnv = Object.keys(resolved.services.server.environment);
    t.ok(serverEnv.includes('DISPATCH_DB_PASSWORD') && serverEnv.includes('DISPATCH_ENCRYPTION_KEY'));
    t.notOk(serverEnv.includes('DATABASE_URL'), 'no URL: compose cannot encode a password into one');
    for (const name of serverEnv) t.ok((ENV_VARIABLES as string[]).includes(name), `server variable ${name} is one config/ knows`);
    for (const name of Object.keys(resolved.services.tui.environment)) {
      t.ok([...ENV_VARIABLES, ...TUI_VARIABLES].includes(name), `tui variable ${name} is known`);
    }
    const db = resolved.services.server.environment;
    t.same(
      [db.DISPATCH_DB_HOST, db.DISPATCH_DB_USER, db.DISPATCH_DB_NAME],
      ['mysql', resolved.services.mysql.environment.MYSQL_USER, resolved.services.mysql.environment.MYSQL_DATABASE],
    );
    t.equal(db.DISPATCH_DB_PASSWORD, resolved.services.mysql.environment.MYSQL_PASSWORD);
    t.equal(resolved.services.mysql.image, 'mysql:8.4', 'an empty MYSQL_IMAGE means mysql:8.4');
    t.equal(resolved.services.server.build.args.NODE_IMAGE, 'node:20-bookworm-slim');

    // a password full of URL-special characters reaches the server unchanged, and the image variables apply
    const tricky = 'p@ss:w/o#r%d?&x y';
    const custom = spawnSync('docker-compose', ['-f', composeFile, '--env-file', join(dir, '.env'), 'config'], {
      env: { ...env, MYSQL_PASSWORD: tricky, MYSQL_IMAGE: 'local/mysql:test', NODE_IMAGE: 'local/node:test' },
      encoding: 'utf8',
    });
    t.equal(custom.status, 0, custom.stderr);
    const customized = YAML.parse(custom.stdout);
    t.equal(customized.services.server.environment.DISPATCH_DB_PASSWORD, tricky);
    t.equal(customized.services.mysql.image, 'local/mysql:test');
    t.equal(customized.services.server.build.args.NODE_IMAGE, 'local/node:test');

    // a missing required secret stops compose with a message naming it
    writeFileSync(
      join(dir, '.env'),
      readFileSync(exampleFile, 'utf8').replace(/^DISPATCH_ENCRYPTION_KEY=.*$/m, 'DISPATCH_ENCRYPTION_KEY='),
    );
    const missing = run('config', '-q');
    t.not(missing.status, 0);
    t.match(missing.stderr, /DISPATCH_ENCRYPTION_KEY/);
  },
);

t.test('the compose file sets only variables config/ knows', async (t) => {
  for (const [service, names] of [
    ['server', ENV_VARIABLES as string[]],
    ['tui', [...ENV_VARIABLES, ...TUI_VARIABLES]],
  ] as const) {
    for (const name of Object.keys(compose.services[service].environment)) {
      t.ok(names.includes(name), `${service} sets ${name}, which is known`);
    }
    t.notOk(compose.services[service].env_file, `${service} takes no env_file (it would pass every .env line)`);
  }
});

t.test('.env.example names only known variables and every one compose interpolates', async (t) => {
  const names = exampleNames();
  const known = [...ENV_VARIABLES, ...TUI_VARIABLES, ...COMPOSE_ONLY_VARIABLES];
  for (const name of names) t.ok(known.includes(name), `.env.example names ${name}, which is known`);
  t.equal(new Set(names).size, names.length, 'no variable is named twice');
  for (const name of interpolated(readFileSync(composeFile, 'utf8'))) {
    t.ok(names.includes(name), `compose interpolates ${name}, which .env.example documents`);
  }
});

t.test('.env.example ships no usable encryption key', async (t) => {
  const line = readFileSync(exampleFile, 'utf8').match(/^DISPATCH_ENCRYPTION_KEY=(.*)$/m);
  t.ok(line, 'the key is named');
  t.notOk(/^[A-Za-z0-9+/]{43}=$/.test(line![1]), 'the placeholder is not a valid key, so a copied example never runs with a public key');
});

t.test('the stack is shaped for an appliance that scales', async (t) => {
  const { mysql, server, tui } = compose.services;
  t.equal(mysql.image, '${MYSQL_IMAGE:-mysql:8.4}');
  t.ok(mysql.healthcheck?.test, 'mysql has a healthcheck');
  t.ok(
    mysql.volumes.some((v: string) => v.startsWith('mysql-data:')),
    'mysql data is on a named volume',
  );
  t.ok('mysql-data' in compose.volumes);
  t.same(server.depends_on, { mysql: { condition: 'service_healthy' } });
  t.equal(server.restart, 'unless-stopped');
  t.notOk(server.container_name, 'a fixed container name would prevent --scale');
  t.same(server.ports, ['8080-8089:8080'], 'a host port range, so replicas never collide');
  t.same(tui.profiles, ['tui']);
  t.equal(tui.environment.DISPATCH_URL, 'http://server:8080');
});

t.test('the Dockerfile builds in a slim multi-stage image that runs as a non-root user', async (t) => {
  const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
  const froms = [...dockerfile.matchAll(/^FROM (\S+)/gm)].map(([, image]) => image);
  t.same(froms, ['${NODE_IMAGE}', '${NODE_IMAGE}'], 'both stages take the base image as a build argument');
  // a global ARG (before the first FROM) is in scope for every FROM line
  const firstFrom = dockerfile.search(/^FROM /m);
  t.match(dockerfile.slice(0, firstFrom), /^ARG NODE_IMAGE=node:20-bookworm-slim$/m, "declared before the FROMs with today's default");
  t.notMatch(dockerfile, /^# *syntax=/m, 'no frontend image to pull');
  t.match(dockerfile, /^USER node$/m);
  t.match(dockerfile, /^EXPOSE 8080$/m);
  t.match(dockerfile, /^HEALTHCHECK [^\n]*\n[^\n]*\/readyz/m);
  t.match(dockerfile, /^STOPSIGNAL SIGTERM$/m);
  t.match(dockerfile, /^CMD \["node", "dist\/server\/index\.js"\]$/m);
  t.match(dockerfile, /^VOLUME \["\/app\/data"\]$/m);
  t.match(dockerfile, /DATABASE_URL=sqlite:\/app\/data\/dispatch\.sqlite/);
  // the image and `npm start` give the server the same V8 heap limit (README Configuration, NODE_OPTIONS)
  const heapLimit = /^\s+NODE_OPTIONS=(--max-old-space-size=\d+) \\$/m.exec(dockerfile)?.[1];
  t.equal(heapLimit, '--max-old-space-size=1024', 'the image sets an overridable NODE_OPTIONS');
  const start = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
  t.ok(
    start.includes(`NODE_OPTIONS="\${NODE_OPTIONS:-${heapLimit}}" node dist/server/index.js`),
    'npm start sets the same unless NODE_OPTIONS is given',
  );

  // every source folder tsc compiles for the server and TUI is copied into the build stage
  const tsconfig = JSON.parse(readFileSync(join(root, 'tsconfig.json'), 'utf8'));
  const copied = [...dockerfile.matchAll(/^COPY (\S+) \.\/\1$/gm)].map(([, dir]) => dir);
  for (const dir of tsconfig.include.filter((d: string) => d !== 'test')) t.ok(copied.includes(dir), `${dir}/ is copied`);
  const ignored = readFileSync(join(root, '.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim());
  for (const needed of ['package.json', 'package-lock.json', 'tsconfig.json', ...copied])
    t.notOk(ignored.includes(needed), `${needed} is not ignored`);
});
