import t from 'tap';
import type { LookupAddress } from 'node:dns';
import { DestinationBlockedError, guardedLookup, isBlockedAddress, type Resolver } from '../../../server/delivery/ssrf.js';
import { forEachDatabase } from '../../helpers/each-database.js';
import { api, createApp, createEndpoint, runDispatcher, send } from '../../helpers/dispatch-fixtures.js';
import { startReceiver } from '../../helpers/receiver.js';
import { waitFor } from '../../helpers/wait-for.js';
import type { Json } from '../../helpers/json.js';

const blockAll = { allowPrivateNetworks: false, allowedCidrs: [] as string[] };

/** [address, blocked?, why] — CONTRACT §4 rule 8, §10, §10.1. */
const TABLE: [string, boolean, string][] = [
  ['127.0.0.1', true, 'loopback'],
  ['10.0.0.1', true, 'RFC 1918'],
  ['172.16.5.4', true, 'RFC 1918'],
  ['192.168.1.1', true, 'RFC 1918'],
  ['169.254.169.254', true, 'link-local metadata'],
  ['100.64.0.1', true, 'CGNAT'],
  ['0.0.0.0', true, 'unspecified'],
  ['224.0.0.1', true, 'multicast'],
  ['255.255.255.255', true, 'broadcast'],
  ['8.8.8.8', false, 'public IPv4'],
  ['93.184.216.34', false, 'public IPv4'],
  ['::1', true, 'IPv6 loopback'],
  ['::', true, 'IPv6 unspecified'],
  ['fe80::1', true, 'IPv6 link-local'],
  ['fd12:3456::1', true, 'unique local'],
  ['ff02::1', true, 'IPv6 multicast'],
  ['fec0::1', true, 'deprecated site-local'],
  ['2001:db8::1', true, 'documentation'],
  ['2606:4700:4700::1111', false, 'public IPv6'],
  ['2001:4860:4860::8888', false, 'public IPv6 under 2001::/16 but not Teredo'],
  ['::7f00:1', true, 'IPv4-compatible 127.0.0.1'],
  ['::a9fe:a9fe', true, 'IPv4-compatible 169.254.169.254'],
  ['::808:808', false, 'IPv4-compatible 8.8.8.8'],
  ['::ffff:127.0.0.1', true, 'IPv4-mapped loopback'],
  ['::ffff:a00:1', true, 'IPv4-mapped 10.0.0.1'],
  ['::ffff:8.8.8.8', false, 'IPv4-mapped public'],
  ['::ffff:0:7f00:1', true, 'IPv4-translated 127.0.0.1'],
  ['64:ff9b::7f00:1', true, 'NAT64 of 127.0.0.1'],
  ['64:ff9b::a9fe:a9fe', true, 'NAT64 of the metadata service'],
  ['64:ff9b::808:808', false, 'NAT64 of 8.8.8.8'],
  ['64:ff9b:1::a00:1', true, 'local-use NAT64 /96 reading 10.0.0.1'],
  ['64:ff9b:1:7f00:0:100::', true, 'local-use NAT64 /48 reading 127.0.0.1'],
  ['2002:7f00:1::', true, '6to4 of 127.0.0.1'],
  ['2002:a9fe:a9fe::1', true, '6to4 of 169.254.169.254'],
  ['2002:c0a8:101::1', true, '6to4 of 192.168.1.1'],
  ['2002:808:808::1', false, '6to4 of 8.8.8.8'],
  ['2001:0:4136:e378:8000:63bf:f7f7:f7f7', false, 'Teredo: server 65.54.227.120, client 8.8.8.8'],
  ['2001:0:4136:e378:8000:63bf:80ff:fffe', true, 'Teredo: client 127.0.0.1'],
  ['2001:0:a00:1::f7f7:f7f7', true, 'Teredo: server 10.0.0.1'],
  ['100::1', true, 'discard-only 100::/64'],
  ['100::ffff:ffff:ffff:ffff', true, 'discard-only, last address'],
];

t.test('the classifier judges embedded IPv4 by the address it carries', async (t) => {
  t.ok(TABLE.length >= 25);
  for (const [address, blocked, why] of TABLE) {
    t.equal(isBlockedAddress(address, blockAll), blocked, `${address} (${why}) ${blocked ? 'blocked' : 'allowed'}`);
  }
  t.notOk(isBlockedAddress('2002:7f00:1::', { allowPrivateNetworks: true, allowedCidrs: [] }), 'allowPrivateNetworks allows all');
  const cidr = { allowPrivateNetworks: false, allowedCidrs: ['10.1.0.0/16'] };
  t.notOk(isBlockedAddress('::ffff:10.1.2.3', cidr), 'an allowed CIDR holds for the mapped form');
  t.notOk(isBlockedAddress('2002:a01:203::1', cidr), 'and for 6to4 of an allowed address');
  t.ok(isBlockedAddress('2002:a02:203::1', cidr), 'but not outside it');
  t.ok(isBlockedAddress('not-an-ip', blockAll), 'unparsable is blocked');
});

/** A resolver that answers from a fixed table, standing in for DNS. */
function fixedResolver(answers: Record<string, string[]>): Resolver {
  return (hostname, _options, callback) => {
    const list: LookupAddress[] = (answers[hostname] ?? []).map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
    callback(null, list);
  };
}

function lookupThrough(resolver: Resolver, hostname: string, all: boolean): Promise<{ err: Error | null; address: unknown }> {
  return new Promise((resolve) => {
    guardedLookup(blockAll, resolver)(hostname, { all }, (err, address) => resolve({ err, address }));
  });
}

t.test('the connect-time lookup guard applies the same classification to resolved names', async (t) => {
  const resolver = fixedResolver({
    'nat64.test': ['64:ff9b::7f00:1'],
    'rebind.test': ['93.184.216.34', '2002:a9fe:a9fe::1'],
    'teredo.test': ['2001:0:4136:e378:8000:63bf:80ff:fffe'],
    'public.test': ['2002:808:808::1', '8.8.8.8'],
  });
  for (const name of ['nat64.test', 'rebind.test', 'teredo.test']) {
    const { err } = await lookupThrough(resolver, name, true);
    t.ok(err instanceof DestinationBlockedError, `${name} is refused`);
  }
  const many = await lookupThrough(resolver, 'public.test', true);
  t.equal(many.err, null);
  t.same(
    (many.address as LookupAddress[]).map((a) => a.address),
    ['2002:808:808::1', '8.8.8.8'],
  );
  const one = await lookupThrough(resolver, 'public.test', false);
  t.equal(one.address, '2002:808:808::1', 'a single-address lookup gets the first');
});

const BASE = (app: string) => `/api/v1/apps/${app}/recipients/acme/endpoints`;

forEachDatabase(
  t,
  'endpoint and source destination create refuse literal embedded-IPv4 forms',
  async (t, server) => {
    const setup = await createApp(server);
    const refused = [
      'http://[::7f00:1]/',
      'http://[::a9fe:a9fe]/',
      'http://[100::1]/',
      'http://[2002:7f00:1::]/',
      'http://[64:ff9b::a00:5]/',
      'http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/',
      'http://[::127.0.0.1]/',
    ];
    for (const url of refused) {
      const res = await server.request('POST', BASE(setup.app), { body: { url } });
      t.equal(res.status, 400, `endpoint ${url}`);
      t.equal(res.body.error, 'destination_invalid', `endpoint ${url}`);
    }
    const allowed = await server.request('POST', BASE(setup.app), { body: { url: 'http://[2002:808:808::1]/hook' } });
    t.equal(allowed.status, 201, '6to4 of a public address is a valid destination');

    const source = await server.request('POST', '/api/v1/sources', {
      body: { name: 'nat64', destination: { url: 'http://[64:ff9b::a9fe:a9fe]/in' } },
    });
    t.equal(source.status, 400);
    t.equal(source.body.error, 'destination_invalid');
    const sixToFour = await server.request('POST', '/api/v1/sources', {
      body: { name: '6to4', destination: { url: 'https://[2002:a00:1::1]/in' } },
    });
    t.equal(sixToFour.body.error, 'destination_invalid', '6to4 of 10.0.0.1 as a source destination');
    const publicSource = await server.request('POST', '/api/v1/sources', {
      body: { name: 'ok', destination: { url: 'https://[2002:808:808::1]/in' } },
    });
    t.equal(publicSource.status, 201);
  },
  { env: { DISPATCH_ALLOW_PRIVATE_NETWORKS: 'false' } },
);

forEachDatabase(
  t,
  'a stored literal embedded-IPv4 URL is refused at connect time',
  async (t, server) => {
    runDispatcher(t, server);
    const receiver = await startReceiver();
    t.teardown(() => receiver.close());
    const setup = await createApp(server);
    const urls = [
      `http://[::7f00:1]:${receiver.port}/`,
      `http://[64:ff9b::7f00:1]:${receiver.port}/`,
      `http://[2002:7f00:1::]:${receiver.port}/`,
    ];
    for (const url of urls) {
      // written to the row directly, as if created before this rule existed
      const endpoint = await createEndpoint(server, setup, 'acme', { url: `http://localhost:${receiver.port}/` });
      await server.db('endpoints').where({ id: endpoint.id }).update({ url });
    }
    const message = await send(server, setup, { event_type: 'invoice.paid', payload: { a: 1 } });
    t.equal(message.delivery_count, urls.length);
    const attempts = await waitFor(async () => {
      const list = await api(server, 'GET', `/apps/${setup.app}/messages/${message.id}/attempts`);
      return list.length >= urls.length ? list : null;
    }, 'every attempt to be recorded');
    t.same(
      attempts.map((a: Json) => a.error),
      urls.map(() => 'destination_blocked'),
      'each attempt is destination_blocked',
    );
    t.equal(receiver.connections(), 0, 'nothing connected');
  },
  { env: { DISPATCH_ALLOW_PRIVATE_NETWORKS: 'false' } },
);
