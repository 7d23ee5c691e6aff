/** The baseline of the accept cases: a bare Koa route that reads the body and answers 202. */
import Koa from 'koa';
import type { AddressInfo } from 'node:net';
import { serve } from './ipc.js';

const app = new Koa();
app.use(async (ctx) => {
  await new Promise<void>((resolve) => {
    ctx.req.on('data', () => {});
    ctx.req.on('end', resolve);
  });
  ctx.status = 202;
  ctx.body = { ok: true, data: { id: 'msg_0000000000000000000000' } };
});
const server = app.listen(0, '127.0.0.1');

serve({
  async start() {
    if (!server.listening) await new Promise<void>((resolve) => server.once('listening', resolve));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
  },
});
