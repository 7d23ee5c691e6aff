import t from 'tap';
import { startTestServer } from '../helpers/server.js';
import { KEY, renderTui } from '../helpers/tui-render.js';

t.test('app switches screens with number keys and shows each screen\'s key hints', async (t) => {
  const server = await startTestServer('sqlite');
  t.teardown(() => server.close());
  const tui = renderTui(server.url, server.adminKey);
  t.teardown(() => tui.unmount());

  let frame = await tui.waitForFrame('No open or acknowledged anomalies.');
  t.match(frame, /Dispatch\s+1 Anomalies\s+2 Sources\s+3 Events\s+4 Messages\s+5 Keys\s+6 Apps/);
  t.match(frame, /a acknowledge\s+r resolve\s+f filter: active\s+1-6 tabs\s+q quit/);
  const screens: Array<[string, string, RegExp]> = [
    ['2', 'No sources.', /p pause\/resume/],
    ['3', 'No events match.', /s source\s+f status\s+R replay/],
    ['4', 'Messages — pick an app', /Enter messages/],
    ['5', 'API keys (1)', /n new key\s+d revoke/],
    ['6', 'No apps.', /Enter recipients/],
    ['1', 'Anomalies — active (0)', /a acknowledge/],
  ];
  for (const [key, title, hints] of screens) {
    await tui.press(key);
    frame = await tui.waitForFrame(title);
    t.match(frame, hints, `screen ${key} lists its keys`);
  }
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
  for (let i = 0; i < 30; i++) await server.request('POST', '/api/v1/keys', { body: { name: `key number ${String(i).padStart(2, '0')}`, scopes: ['app:read'] } });
  const tui = renderTui(server.url, server.adminKey, 'Keys');
  t.teardown(() => tui.unmount());
  await tui.waitForFrame(/API keys \(31\)/);
  tui.resize(60, 12);
  const frame = await tui.waitForFrame((/^› key number 29/m));
  const lines = frame.split('\n');
  t.ok(lines.length <= 11, `fits 12 rows (${lines.length} lines)`);
  t.ok(lines.every((line) => line.length <= 60), 'no line is wider than 60 columns');
  t.match(frame, /n new key/, 'the footer is still visible');
  t.match(lines[0], /^Dispatch\s+1 Ano\s+2 Sou\s+3 Eve\s+4 Mes\s+5 Keys\s+6 App/, 'tab names shorten to fit one line');
  tui.resize(120, 40);
  const wide = await tui.waitForFrame(/key number 05/);
  t.ok(wide.split('\n').length > 30, 'uses the taller terminal');
});
