import t from 'tap';
import { startTestServer } from '../helpers/server.js';
import { KEY, renderTui } from '../helpers/tui-render.js';

t.test("app starts on the Overview, switches screens with number keys and shows each screen's key hints", async (t) => {
  const server = await startTestServer('sqlite');
  t.teardown(() => server.close());
  const tui = renderTui(server.url, server.adminKey, 'Overview');
  t.teardown(() => tui.unmount());

  let frame = await tui.waitForFrame(/Overview — last 5 min\s+updated \d+s ago/);
  t.match(frame, /Dispatch\s+0 Overview\s+1 Anomalies\s+2 Sources\s+3 Events\s+4 Messages\s+5 Keys\s+6 Apps\s+7 Failed/);
  t.match(frame, /r refresh now\s+0-7 tabs\s+\/ filter\s+\? keys\s+q quit/);
  const screens: Array<[string, string, RegExp]> = [
    ['1', 'No open or acknowledged anomalies.', /a acknowledge\s+r resolve\s+f filter: active/],
    ['2', 'No sources.', /p pause\/resume/],
    ['3', 'No events match.', /s source\s+f status\s+R replay/],
    ['4', 'Messages — pick an app', /Enter messages/],
    ['5', 'API keys (1)', /n new key\s+d revoke/],
    ['6', 'No apps.', /Enter recipients/],
    ['7', 'No failed deliveries under this filter.', /a app\s+t event type\s+p endpoint\s+w window\s+c clear\s+R replay all/],
    ['0', 'Overview — last 5 min', /r refresh now/],
  ];
  for (const [key, title, hints] of screens) {
    await tui.press(key);
    frame = await tui.waitForFrame(title);
    t.match(frame, hints, `screen ${key} lists its keys`);
  }
});

t.test('app shows every key of the current screen under ? and closes it with any key', async (t) => {
  const server = await startTestServer('sqlite');
  t.teardown(() => server.close());
  const tui = renderTui(server.url, server.adminKey, 'Failed');
  t.teardown(() => tui.unmount());
  await tui.waitForFrame('No failed deliveries under this filter.');
  await tui.press('?');
  const frame = await tui.waitForFrame('Keys — Failed');
  for (const line of [
    /a\s+app/,
    /t\s+event type/,
    /p\s+endpoint/,
    /w\s+window/,
    /c\s+clear/,
    /R\s+replay all/,
    /\/\s+filter the list/,
    /0-7\s+tabs: 0 Overview/,
  ])
    t.match(frame, line);
  t.notMatch(frame, 'No failed deliveries', 'the screen is hidden meanwhile');
  await tui.press('w');
  const back = await tui.waitForFrame('No failed deliveries under this filter.');
  t.match(back, 'filter app all · last 24h', 'the key that closed the help did nothing else');
});

t.test('app filters the current list by text after /', async (t) => {
  const server = await startTestServer('sqlite');
  t.teardown(() => server.close());
  for (const name of ['ci deploy', 'billing sync', 'ci nightly'])
    await server.request('POST', '/api/v1/keys', { body: { name, scopes: ['app:read'] } });
  const tui = renderTui(server.url, server.adminKey, 'Keys');
  t.teardown(() => tui.unmount());
  await tui.waitForFrame(/API keys \(4\)/);
  await tui.press('/');
  // "ci " with its space: random key ids may contain "ci", never a space
  await tui.press('c');
  await tui.press('i');
  await tui.press(' ');
  let frame = await tui.waitForFrame(/^\/ci {2}/m);
  await tui.waitForFrameWithout('billing sync');
  frame = tui.lastFrame();
  t.match(frame, 'ci nightly');
  t.match(frame, 'ci deploy');
  t.notMatch(frame, 'admin', 'rows without the text are hidden');
  await tui.press('5');
  t.match(tui.lastFrame(), /^\/ci 5/m, 'while typing, digits are text');
  await tui.press(KEY.backspace);
  await tui.press(KEY.enter);
  await tui.waitForFrame('Esc clears the filter');
  await tui.press(KEY.down);
  frame = await tui.waitForFrame(/› ci deploy/);
  t.pass('moves skip the hidden rows');
  await tui.press(KEY.escape);
  frame = await tui.waitForFrame('billing sync');
  t.notMatch(frame, /^\/ci/m, 'Esc clears the filter');
  await tui.press('0');
  await tui.press('/');
  await tui.waitForFrame('Overview has no list to filter.');
});

t.test('app keeps the / filter when a screen reloads its list (events: another status)', async (t) => {
  const server = await startTestServer('sqlite');
  t.teardown(() => server.close());
  for (const name of ['stripe', 'github']) {
    const source = (await server.request('POST', '/api/v1/sources', { body: { name } })).body.data;
    const ingest = await fetch(String(source.ingest_url).replace(server.config.publicUrl, server.url), { method: 'POST', body: '{}' });
    t.equal(ingest.status, 200);
  }
  const tui = renderTui(server.url, server.adminKey, 'Sources');
  t.teardown(() => tui.unmount());
  await tui.waitForFrame(/github[\s\S]*stripe|stripe[\s\S]*github/);
  await tui.press('/');
  // whole words: the filter matches every field, and random ids and ingest tokens may contain "git"
  for (const key of 'github') await tui.press(key);
  await tui.press(KEY.enter);
  let frame = await tui.waitForFrameWithout(/ stripe /);
  t.match(frame, /› github/, 'sources are filtered');
  await tui.press('3');
  await tui.waitForFrame(/Events/);
  frame = await tui.waitForFrameWithout(/^\/github/m);
  t.pass('a tab switch clears the filter');
  await tui.press('/');
  for (const key of 'zz zz') await tui.press(key);
  await tui.press(KEY.enter);
  await tui.waitForFrame('Nothing matches "zz zz".');
  await tui.press('f');
  frame = await tui.waitForFrame(/status: pending|pending/);
  await tui.waitForFrame('Nothing matches "zz zz".');
  t.pass('the filter still applies to the reloaded list');
});

t.test('app leaves digits and q to a screen that is reading text', async (t) => {
  const server = await startTestServer('sqlite');
  t.teardown(() => server.close());
  const tui = renderTui(server.url, server.adminKey, 'Keys');
  t.teardown(() => tui.unmount());
  await tui.waitForFrame(/› admin/);
  // no pause between keys: the form must own the keyboard from the key right after `n`
  tui.pressAtOnce('n', '1', 'q', '6');
  let frame = await tui.waitForFrame('Name: 1q6');
  t.match(frame, 'API keys', 'still on the Keys screen');
  await tui.press(KEY.escape);
  await tui.waitForFrame(/› admin/);
  await tui.press('6');
  frame = await tui.waitForFrame('No apps.');
  t.pass('digits switch screens again once the form is closed');
});

t.test('app lays out again when the terminal is resized', async (t) => {
  const server = await startTestServer('sqlite');
  t.teardown(() => server.close());
  for (let i = 0; i < 30; i++)
    await server.request('POST', '/api/v1/keys', { body: { name: `key number ${String(i).padStart(2, '0')}`, scopes: ['app:read'] } });
  const tui = renderTui(server.url, server.adminKey, 'Keys');
  t.teardown(() => tui.unmount());
  await tui.waitForFrame(/API keys \(31\)/);
  tui.resize(60, 12);
  const frame = await tui.waitForFrame(/^› key number 29/m);
  const lines = frame.split('\n');
  t.ok(lines.length <= 11, `fits 12 rows (${lines.length} lines)`);
  t.ok(
    lines.every((line) => line.length <= 60),
    'no line is wider than 60 columns',
  );
  t.match(frame, /n new key/, 'the footer is still visible');
  t.match(lines[0], /^Dispatch\s+0 Ove\s+1 Ano\s+2 Sou\s+3 Eve\s+4 Mes\s+5 Keys/, 'tab names shorten to fit one line');
  tui.resize(120, 40);
  const wide = await tui.waitForFrame(/key number 05/);
  t.ok(wide.split('\n').length > 30, 'uses the taller terminal');
});
