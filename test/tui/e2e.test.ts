import t, { type Test } from 'tap';
import { execFile, execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildTui } from '../helpers/tui-build.js';
import { poll } from '../helpers/tui-render.js';
import { startTestServer } from '../helpers/server.js';
import { startWorld, type World } from '../helpers/tui-world.js';

const execFileP = promisify(execFile);
const hasTmux = (() => {
  try {
    execFileSync('tmux', ['-V']);
    return true;
  } catch {
    return false;
  }
})();

t.test('built TUI in a pseudo-terminal', { skip: hasTmux ? false : 'tmux is not installed' }, async (t) => {
  const build = await buildTui();
  t.teardown(() => build.remove());

  /** Runs the built binary without a terminal; resolves with its exit code and output. */
  const runOnce = async (args: string[], env: Record<string, string> = {}) => {
    try {
      const { stdout, stderr } = await execFileP(process.execPath, [build.entry, ...args], {
        env: { PATH: process.env.PATH, ...env },
        timeout: 30_000,
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const err = error as { code: number; stdout: string; stderr: string };
      return { code: err.code, stdout: err.stdout, stderr: err.stderr };
    }
  };

  t.test('dispatch-tui prints help, and exits with one line when the server or key is wrong', async (t) => {
    const help = await runOnce(['--help']);
    t.equal(help.code, 0);
    t.match(help.stdout, 'Usage: dispatch-tui [--url <base url>] [--key <api key>]');
    const closedPort = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    const noKey = await runOnce(['--url', `http://127.0.0.1:${closedPort}`]);
    t.equal(noKey.code, 2);
    t.equal(noKey.stderr, 'dispatch-tui: no API key: set DISPATCH_API_KEY or pass --key rlk_…\n');
    const unreachable = await runOnce([], { DISPATCH_URL: `http://127.0.0.1:${closedPort}`, DISPATCH_API_KEY: 'rlk_x' });
    t.equal(unreachable.code, 1);
    t.match(unreachable.stderr, /^dispatch-tui: cannot reach Dispatch: cannot reach http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)\n$/);
    const server = await startTestServer('sqlite');
    t.teardown(() => server.close());
    const rejected = await runOnce(['--url', server.url, '--key', 'rlk_not_a_real_key']);
    t.equal(rejected.code, 1);
    t.equal(rejected.stderr.trim().split('\n').length, 1, 'one line');
    t.match(rejected.stderr, /^dispatch-tui: the API key was rejected by http:\/\/127\.0\.0\.1:\d+ \(401 unauthorized\)/);
  });

  /**
   * A tmux server of its own for one test (killed at teardown) and a launcher that starts the
   * built TUI against `world` in a new session of it.
   */
  const tmuxFor = (t: Test, world: World, name: string) => {
    const socket = `dispatch-tui-e2e-${process.pid}-${name}`;
    const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, '-f', '/dev/null', ...args], { encoding: 'utf8' });
    t.teardown(() => {
      try {
        tmux('kill-server');
      } catch {
        // already gone
      }
    });
    const dir = mkdtempSync(join(tmpdir(), 'dispatch-tui-e2e-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    /**
     * Starts the TUI in its own tmux session. The shell records its exit status in a file (tmux's
     * own pane_dead flag proved unreliable on a loaded machine) and then keeps the pane open so
     * the last frame can still be read.
     */
    const launch = (session: string) => {
      const statusFile = join(dir, `${session}.status`);
      const command = `${process.execPath} ${build.entry} --url ${world.server.url} --key ${world.server.adminKey}; echo $? > ${statusFile}; sleep 600`;
      tmux('new-session', '-d', '-s', session, '-x', '120', '-y', '30', command);
      const screen = () => tmux('capture-pane', '-p', '-t', session);
      return {
        screen,
        keys: (key: string) => tmux('send-keys', '-t', session, key),
        waitScreen: (pattern: RegExp) =>
          poll(
            () => (pattern.test(screen()) ? screen() : null),
            () => `${pattern} on screen:\n${screen()}`,
            30_000,
          ),
        exitStatus: () =>
          poll(
            () => (existsSync(statusFile) ? readFileSync(statusFile, 'utf8').trim() || null : null),
            () => `the TUI to exit; screen:\n${screen()}`,
            30_000,
          ),
      };
    };

    return launch;
  };

  t.test('dispatch-tui shows anomalies, switches to keys and quits cleanly with q', async (t) => {
    const world = await startWorld(t, 500);
    await world.api('POST', `/apps/${world.app.id}/messages`, { event_type: 'invoice.paid', payload: { n: 1 } });
    const launch = tmuxFor(t, world, 'anomalies');
    const tui = launch('first');
    await tui.waitScreen(/Overview — last 5 min\s+updated \d+s ago/);
    tui.keys('1');
    let text = await tui.waitScreen(/› open\s+endpoint_failing\s+1\s+\d+s ago\s+Endpoint/);
    t.match(text, /Dispatch\s+0 Overview\s+1 Anomalies\s+2 Sources/, 'tab bar');
    t.match(text, /updated \d+s ago/, 'live refresh label');
    t.match(text, /a acknowledge\s+r resolve/, 'footer key hints');
    t.ok(text.trimEnd().split('\n').length <= 30, 'fits the terminal');

    tui.keys('5');
    text = await tui.waitScreen(/› admin\s+rlk_test_adm/);
    t.match(text, 'API keys (1)');
    tui.keys('q');
    t.equal(await tui.exitStatus(), '0', 'q exits with status 0');

    const second = launch('second');
    await second.waitScreen(/Overview — last 5 min\s+updated \d+s ago/);
    second.keys('C-c');
    t.equal(await second.exitStatus(), '0', 'Ctrl-C exits cleanly too');
  });

  t.test('dispatch-tui overview moves with traffic, disables an endpoint and bulk-replays failed deliveries', async (t) => {
    const world = await startWorld(t, 503, { DISPATCH_RETRY_SCHEDULE: '10ms' });
    const { app, recipient, endpoint, receiver } = world;
    const tui = tmuxFor(t, world, 'cockpit')('cockpit');
    let text = await tui.waitScreen(/Accepted\s+0\.00\/s now\s+0\.00\/s avg/);
    t.match(text, /Anomalies\s+none open/);

    for (let i = 0; i < 3; i++) await world.api('POST', `/apps/${app.id}/messages`, { event_type: 'invoice.paid', payload: { i } });
    text = await tui.waitScreen(/Accepted\s+\S+ now\s+0\.01\/s avg\s+·*█+·*\s*$/m);
    text = await tui.waitScreen(/success 0\.0%/);
    t.match(text, /Anomalies\s+1 endpoint_failing/, 'figures moved after traffic');
    await poll(
      async () => (await world.api('GET', '/deliveries?status=failed')).length === 3,
      () => 'three deliveries to fail for good',
      30_000,
    );

    tui.keys('7');
    await tui.waitScreen(/Failed deliveries \(3\)/);
    const before = receiver.requests.length;
    tui.keys('R');
    await tui.waitScreen(/Replay every failed delivery of app all · last 24h\?/);
    tui.keys('y');
    await tui.waitScreen(/Replaying 3 failed deliveries\./);
    await receiver.waitForRequests(before + 3, 30_000);
    const replayed = await poll(
      async () => {
        const rows = await world.api('GET', '/deliveries?status=failed');
        return rows.length === 3 && rows.every((row: { trigger: string }) => row.trigger === 'replay') ? rows : null;
      },
      () => 'three replay deliveries',
      30_000,
    );
    t.equal(replayed.length, 3, 'the bulk replay reached the API');

    tui.keys('6');
    await tui.waitScreen(/› Billing\s+billing/);
    tui.keys('Enter');
    await tui.waitScreen(/› Acme Corp\s+acme/);
    tui.keys('Enter');
    text = await tui.waitScreen(new RegExp(`› ${endpoint.url.replace(/[.]/g, '\\.')}\\s+all\\s+failing`));
    t.match(text, /SUCCESS\s+LAST ATTEMPT/);
    tui.keys('e');
    await tui.waitScreen(/Disabled http:\/\/127\.0\.0\.1:\d+\/hooks\./);
    const disabled = await world.api('GET', `/apps/${app.id}/recipients/${recipient.id}/endpoints/${endpoint.id}`);
    t.equal(disabled.disabled, true, 'the endpoint is disabled on the server');
    tui.keys('q');
  });
});
