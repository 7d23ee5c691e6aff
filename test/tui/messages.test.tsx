import t from 'tap';
import { KEY, poll, renderTui } from '../helpers/tui-render.js';
import { startWorld } from '../helpers/tui-world.js';

t.test("messages screen lists an app's messages with status, shows attempts and replays to one endpoint", async (t) => {
  const world = await startWorld(t, 200);
  const { server, receiver, app, endpoint } = world;
  const message = await world.api('POST', `/apps/${app.id}/messages`, { event_type: 'invoice.paid', payload: { amount: 4200 } });
  await receiver.waitForRequests(1);

  const tui = renderTui(server.url, server.adminKey, 'Messages');
  t.teardown(() => tui.unmount());
  await tui.waitForFrame(/› Billing\s+billing\s+app_/);
  await tui.press(KEY.enter);
  let frame = await tui.waitForFrame(/› \S+ \S+\s+invoice\.paid\s+succeeded\s+1\s+msg_/);
  t.match(frame, 'Messages › Billing (1)');

  await tui.press(KEY.enter);
  frame = await tui.waitForFrame(/#1 scheduled succeeded 200/);
  t.match(frame, `Message ${message.id}`);
  t.match(frame, new RegExp(`› ${endpoint.id}\\s+succeeded\\s+1`), 'the delivery row shows status and attempts');
  t.match(frame, `attempts for ${endpoint.id} (1, newest first)`);

  await tui.press('R');
  frame = await tui.waitForFrame(`o only ${endpoint.id}`);
  t.match(frame, `Replay ${message.id} now?`);
  await tui.press('o');
  frame = await tui.waitForFrame(/#\d replay\s+succeeded 200/);
  t.match(frame, `Replay of ${message.id} accepted (endpoint ${endpoint.id})`);
  t.equal(receiver.requests.length, 2, 'the receiver got the replayed delivery');
  const attempts = await poll(
    () =>
      server
        .request('GET', `/api/v1/apps/${app.id}/messages/${message.id}/attempts`)
        .then((r) => (r.body.data.length === 2 ? r.body.data : null)),
    () => 'a second attempt',
  );
  t.same(attempts.map((a: { trigger: string }) => a.trigger).sort(), ['replay', 'scheduled'], 'a new attempt with trigger replay exists');

  await tui.press(KEY.escape);
  await tui.waitForFrame('Messages › Billing (1)');
  await tui.press('R');
  await tui.waitForFrame(`Replay ${message.id} to every endpoint now?`);
  await tui.press(KEY.escape);
  await tui.waitForFrameWithout('to every endpoint now?');
  t.equal(receiver.requests.length, 2, 'a cancelled replay sends nothing');
});

t.test('messages screen shows a failed delivery with its response code and error', async (t) => {
  const world = await startWorld(t, 503);
  await world.api('POST', `/apps/${world.app.id}/messages`, { event_type: 'invoice.paid', payload: { n: 1 } });
  const tui = renderTui(world.server.url, world.server.adminKey, 'Messages');
  t.teardown(() => tui.unmount());
  await tui.waitForFrame(/› Billing/);
  await tui.press(KEY.enter);
  await tui.waitForFrame(/invoice\.paid\s+pending|invoice\.paid\s+failed/);
  await tui.press(KEY.enter);
  const frame = await tui.waitForFrame(/#1 scheduled failed\s+503\s+http_status\s+\d+ ms/);
  t.match(frame, /› ep_\S+\s+pending\s+1\s+\d{4}-/, 'the retry is scheduled');
});
