import t from 'tap';
import { spawnSync } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '../helpers/wait-for.js';

/**
 * The appliance as shipped (CONTRACT §11 "the image is tested"): the Dockerfile builds on the
 * local stand-in bases (.ci/docker-images.sh), `docker-compose up` brings MySQL (the stand-in) and
 * the server up healthy, a message sent through the published port reaches a receiver container
 * signed, `--scale server=3` gives three healthy replicas, `down`/`up` keeps the data and
 * `down -v` removes it. `.ci/run` builds the images first (and times that part); here the build is
 * a cache hit.
 */

const root = new URL('../../', import.meta.url).pathname;
const script = join(root, '.ci/docker-images.sh');
const DOCKER = canRun('/usr/bin/docker') ? '/usr/bin/docker' : 'docker';
const IMAGE = 'dispatch-ci:test';

function canRun(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

/** Why no Docker engine can run here (null: one can). CI installs the tools (.ci/run), so there this never skips. */
function dockerUnavailable(): string | null {
  if (spawnSync(DOCKER, ['info'], { stdio: 'ignore' }).status === 0)
    return onPath('docker-compose') ? null : 'docker-compose is not installed';
  if (!onPath('dockerd')) return 'no Docker engine runs and dockerd is not installed (.ci/docker-images.sh install)';
  if (process.getuid?.() !== 0) return 'starting dockerd needs root';
  if (!onPath('docker-compose')) return 'docker-compose is not installed';
  return null;
}

const unavailable = dockerUnavailable();
const skip = unavailable && !process.env.CI ? unavailable : false;

// a cold build (debootstrap + npm ci compiling two native addons) takes many minutes on a busy box
t.setTimeout(40 * 60_000);

function run(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}) {
  const result = spawnSync(command, args, {
    cwd: root,
    env: options.env ?? process.env,
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 10 * 60_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited ${result.status ?? result.signal}: ${result.stderr?.slice(-3_000)}`);
  }
  return result.stdout.trim();
}

function standardWebhooksSignature(secret: string, id: string, timestamp: string, body: Buffer): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  return 'v1,' + createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest('base64');
}

t.test('the image builds and the compose stack delivers signed, scales to 3 and keeps its data across down/up', { skip }, async (t) => {
  const engine = run(script, ['start-engine'], { timeoutMs: 120_000 });
  if (engine) t.teardown(() => void run(script, ['stop-engine', engine], { timeoutMs: 60_000 }));

  const started = Date.now();
  run('nice', ['-n', '10', script, 'build', IMAGE], { timeoutMs: 35 * 60_000 });
  t.comment(`image build (bases cached after the first run): ${Math.round((Date.now() - started) / 1000)} s`);
  const bases = Object.fromEntries(
    run(script, ['env'])
      .split('\n')
      .map((line) => line.split('=') as [string, string]),
  );

  t.equal(run(DOCKER, ['run', '--rm', '--entrypoint', 'id', IMAGE, '-u']), '1000', 'the image runs as uid 1000');
  const inspected = JSON.parse(run(DOCKER, ['image', 'inspect', IMAGE])) as { Config: { Healthcheck?: { Test: string[] } } }[];
  t.match(inspected[0].Config.Healthcheck?.Test.join(' '), /readyz/, 'the image has a health check on /readyz');

  const project = `dispatchci${randomBytes(4).toString('hex')}`;
  const dir = mkdtempSync(join(tmpdir(), 'dispatch-image-'));
  const envFile = join(dir, 'empty.env');
  // no developer .env leaks in: every value comes from this environment
  writeFileSync(envFile, '');
  const adminKey = `rlk_${randomBytes(16).toString('hex')}`;
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: dir,
    DOCKER_BUILDKIT: '0',
    COMPOSE_DOCKER_CLI_BUILD: '0',
    DISPATCH_TEST_IMAGE: IMAGE,
    MYSQL_IMAGE: bases.MYSQL_IMAGE,
    NODE_IMAGE: bases.NODE_IMAGE,
    // every character a URL would need encoded: the server gets it by parts, not in a URL
    MYSQL_PASSWORD: `p@ss:w/o#r%d?&x'y ${randomBytes(4).toString('hex')}`,
    MYSQL_ROOT_PASSWORD: randomBytes(12).toString('hex'),
    DISPATCH_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    DISPATCH_ADMIN_KEY: adminKey,
  };
  const compose = (...args: string[]) =>
    run(
      'docker-compose',
      ['-p', project, '--env-file', envFile, '-f', 'docker-compose.yml', '-f', 'test/appliance/docker-compose.receiver.yml', ...args],
      { env, timeoutMs: 10 * 60_000 },
    );
  t.teardown(() => {
    spawnSync(
      'docker-compose',
      [
        '-p',
        project,
        '--env-file',
        envFile,
        '-f',
        'docker-compose.yml',
        '-f',
        'test/appliance/docker-compose.receiver.yml',
        'down',
        '-v',
        '--remove-orphans',
      ],
      { cwd: root, env, stdio: 'ignore', timeout: 5 * 60_000 },
    );
    rmSync(dir, { recursive: true, force: true });
  });

  const healthyServers = async (count: number) =>
    waitFor(
      () => {
        const ids = compose('ps', '-q', 'server').split('\n').filter(Boolean);
        if (ids.length !== count) return null;
        const states = ids.map((id) => run(DOCKER, ['inspect', '--format', '{{.State.Health.Status}}', id]));
        if (states.includes('unhealthy')) throw new Error(`a server turned unhealthy: ${compose('logs', '--tail', '50', 'server')}`);
        return states.every((s) => s === 'healthy') ? ids : null;
      },
      `${count} healthy server(s)`,
      5 * 60_000,
      2_000,
    );
  const hostPort = (service: string, port: number, index = 1) => {
    const published = compose('port', '--index', String(index), service, String(port));
    return Number(published.split(':').pop());
  };
  const api = async (port: number, method: string, path: string, body?: unknown) => {
    const response = await fetch(`http://127.0.0.1:${port}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${adminKey}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: response.status, body: (await response.json()) as { data: Record<string, unknown> & { id: string } } };
  };

  compose('up', '-d');
  await healthyServers(1);
  const server = hostPort('server', 8080);
  const receiverPort = hostPort('receiver', 9000);

  const app = (await api(server, 'POST', '/apps', { name: 'appliance' })).body.data;
  t.equal((await api(server, 'POST', `/apps/${app.id}/event-types`, { name: 'order.paid' })).status, 201);
  t.equal((await api(server, 'POST', `/apps/${app.id}/recipients`, { uid: 'acme' })).status, 201);
  const endpoint = await api(server, 'POST', `/apps/${app.id}/recipients/acme/endpoints`, { url: 'http://receiver:9000/hooks' });
  t.equal(endpoint.status, 201);
  const secret = endpoint.body.data.secret as string;
  const sent = await api(server, 'POST', `/apps/${app.id}/messages`, { event_type: 'order.paid', payload: { order: 42, note: 'ünïcode' } });
  t.equal(sent.status, 202);

  type Received = { method: string; path: string; headers: Record<string, string>; body: string };
  const [request] = await waitFor(
    async () => {
      const list = (await (await fetch(`http://127.0.0.1:${receiverPort}/received`)).json()) as Received[];
      return list.length > 0 ? list : null;
    },
    'the receiver container to get the message',
    60_000,
    250,
  );
  const body = Buffer.from(request.body, 'base64');
  t.equal(request.method, 'POST');
  t.equal(request.path, '/hooks');
  t.equal(request.headers['webhook-id'], sent.body.data.id);
  t.same(JSON.parse(body.toString('utf8')), { order: 42, note: 'ünïcode' });
  t.equal(
    request.headers['webhook-signature'],
    standardWebhooksSignature(secret, request.headers['webhook-id'], request.headers['webhook-timestamp'], body),
    'signed with the endpoint secret (Standard Webhooks)',
  );

  compose('up', '-d', '--scale', 'server=3');
  const replicas = await healthyServers(3);
  t.equal(replicas.length, 3, 'three healthy replicas');
  for (let index = 1; index <= 3; index++) {
    const ready = await fetch(`http://127.0.0.1:${hostPort('server', 8080, index)}/readyz`);
    t.equal(ready.status, 200, `replica ${index} is ready on its own host port`);
  }

  // down keeps the named volume: the message is still there after up
  compose('down');
  compose('up', '-d');
  await healthyServers(1);
  const again = await api(hostPort('server', 8080), 'GET', `/apps/${app.id}/messages/${sent.body.data.id}`);
  t.equal(again.status, 200, 'the message survived down/up');
  t.equal(again.body.data.id, sent.body.data.id);

  compose('down', '-v');
  const volumes = run(DOCKER, ['volume', 'ls', '-q', '--filter', `name=${project}_`]);
  t.equal(volumes, '', 'down -v removed the data volume');
  t.equal(run(DOCKER, ['ps', '-aq', '--filter', `label=com.docker.compose.project=${project}`]), '', 'no container is left');
});
