import t from 'tap';
import { forEachDatabase } from '../../helpers/each-database.js';
import type { TestServer } from '../../helpers/server.js';
import type { Json } from '../../helpers/json.js';

/** Where custom headers are configured: the body that carries them and the JSON pointer of the map. */
interface Place {
  label: string;
  create(server: TestServer, headers: unknown): Promise<{ status: number; body: Json }>;
  patch(server: TestServer, headers: unknown): Promise<{ status: number; body: Json }>;
  path: string;
}

const ENDPOINTS = '/api/v1/apps/shop/recipients/acme/endpoints';

const places: Place[] = [
  {
    label: 'endpoint',
    path: '/headers',
    create: (server, headers) => server.request('POST', ENDPOINTS, { body: { url: 'https://hooks.example.com/in', headers } }),
    patch: async (server, headers) => {
      const made = await server.request('POST', ENDPOINTS, { body: { url: 'https://hooks.example.com/in' } });
      return server.request('PATCH', `${ENDPOINTS}/${made.body.data.id}`, { body: { headers } });
    },
  },
  {
    label: 'source destination',
    path: '/destination/headers',
    create: (server, headers) =>
      server.request('POST', '/api/v1/sources', { body: { name: 's', destination: { url: 'https://backend.example.com/', headers } } }),
    patch: async (server, headers) => {
      const made = await server.request('POST', '/api/v1/sources', { body: { name: 's' } });
      return server.request('PATCH', `/api/v1/sources/${made.body.data.id}`, {
        body: { destination: { url: 'https://backend.example.com/', headers } },
      });
    },
  },
];

const refusedNames = [
  'Connection',
  'keep-alive',
  'Proxy-Connection',
  'TE',
  'trailer',
  'Transfer-Encoding',
  'upgrade',
  'HOST',
  'content-length',
  'webhook-id',
  'Webhook-Signature',
  'webhook-anything',
  'Expect',
];
const badNames = ['bad name', 'x:y', 'ü', 'a\u0000b', 'a(b)', 'x'.repeat(257), ''];
const badValues = ['a\u0001b', 'ok ✓', 'a\r\nX-Injected: 1', 'a\nb', 'a\u0000', 'del\u007f', 'é', 'x'.repeat(8193)];

forEachDatabase(t, 'custom headers follow one rule for endpoints and destinations, on create and patch', async (t, server) => {
  await server.request('POST', '/api/v1/apps', { body: { name: 'shop', uid: 'shop' } });
  await server.request('POST', '/api/v1/apps/shop/recipients', { body: { uid: 'acme' } });
  for (const place of places) {
    for (const call of ['create', 'patch'] as const) {
      const expectRefused = async (headers: Record<string, unknown>, name: string, why: string) => {
        const res = await place[call](server, headers);
        t.equal(res.status, 400, `${place.label} ${call}: ${why}`);
        t.equal(res.body.error, 'invalid_request', `${place.label} ${call}: ${why}`);
        const escaped = name.replace(/~/g, '~0').replace(/\//g, '~1');
        t.ok(
          res.body.details.some((d: { path: string }) => d.path === `${place.path}/${escaped}`),
          `${place.label} ${call}: ${why} names the header`,
        );
      };
      for (const name of refusedNames) await expectRefused({ [name]: 'x' }, name, `${name} is refused`);
      for (const name of badNames) await expectRefused({ [name]: 'x' }, name, `name ${JSON.stringify(name.slice(0, 10))} is not a token`);
      for (const value of badValues) await expectRefused({ 'X-Ok': value }, 'X-Ok', `value ${JSON.stringify(value.slice(0, 10))}`);
      await expectRefused({ 'X-Ok': 1 }, 'X-Ok', 'values are strings');
      await expectRefused({ 'x-dup': '1', 'X-Dup': '2' }, 'X-Dup', 'names repeat case-insensitively');

      const tooMany = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`x-h${i}`, 'v']));
      const many = await place[call](server, tooMany);
      t.equal(many.status, 400, `${place.label} ${call}: 51 headers are refused`);
      t.equal(many.body.details[0].path, place.path);

      const fine = {
        ...Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`X-Big-${i}`, 'v'.repeat(4000)])),
        "x-token-!#$%&'*+.^_`|~": 'tab\tand space and ~!@#$%^&*()[]{}<>?/\\"',
        'X-Empty': '',
      };
      const ok = await place[call](server, fine);
      t.equal(ok.status, call === 'create' ? 201 : 200, `${place.label} ${call}: 20 × 4 KB, every token character and visible ASCII pass`);
    }
  }
  t.equal(
    (await server.request('POST', ENDPOINTS, { body: { url: 'https://x.example/', headers: { 'Content-Type': 'text/plain' } } })).status,
    400,
    'endpoints also refuse what Dispatch sets on deliveries',
  );
  t.equal(
    (
      await server.request('POST', '/api/v1/sources', {
        body: { name: 's', destination: { url: 'https://x.example/', headers: { 'svix-id': 'x' } } },
      })
    ).status,
    400,
    'destinations also refuse what the forward replaces',
  );
});
