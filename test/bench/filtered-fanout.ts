/**
 * Accept-path cost of payload filters (CONTRACT §8.1, issue 13): a recipient with 10 endpoints,
 * once without filters and once with a filter on each (about half of them match), on SQLite.
 * A run with 1 unfiltered endpoint gives the marginal cost of a fan-out row (as bench case 5).
 * Messages go through acceptMessage in process (validation, group commit, fan-out with the
 * compiled filters, the 202's commit), MESSAGES of them with CONCURRENCY in flight. Prints CPU
 * µs per message and per fan-out row for both, the difference the filters make, and the cost of
 * the matching loop alone (no database).
 *
 *   npx tsx test/bench/filtered-fanout.ts [messages]
 */
import { loadavg } from 'node:os';
import { listCandidateEndpoints } from '../../db/queries/candidate-endpoints.js';
import { acceptMessage } from '../../server/delivery/accept.js';
import { endpointMatches } from '../../server/delivery/matcher.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const MESSAGES = Number(process.argv[2] ?? 20_000);
const CONCURRENCY = 200;
const ENDPOINTS = 10;
const TIERS = ['gold', 'silver', 'bronze', 'platinum'];

/** A filter of the same shape that every bench payload matches (same rows as no filters: the filters' own cost). */
function matchAllFilterFor(i: number): Record<string, unknown> {
  return {
    'customer.tier': { $in: TIERS },
    amount: { $gte: -i },
    $or: [{ 'items.0.sku': { $prefix: 'SKU-' } }, { test: { $exists: true } }],
  };
}

/** A filter per endpoint: tier membership, an amount threshold and a nested prefix, like real ones. */
function filterFor(i: number): Record<string, unknown> {
  return {
    'customer.tier': { $in: TIERS.slice(0, 1 + (i % 3)) },
    amount: { $gte: i * 10 },
    $or: [{ 'items.0.sku': { $prefix: 'SKU-' } }, { test: { $exists: false } }],
  };
}

function payloadFor(n: number): Record<string, unknown> {
  return {
    id: `ord_${n}`,
    amount: n % 200,
    currency: 'EUR',
    customer: { id: `cus_${n % 97}`, tier: TIERS[n % TIERS.length], email: 'someone@example.com' },
    items: [{ sku: `SKU-${n % 13}`, qty: 1 + (n % 3), price: 19.99 }],
  };
}

interface Run {
  wallMs: number;
  cpuUs: number;
  rows: number;
}

async function run(filter: ((i: number) => Record<string, unknown>) | null, endpoints = ENDPOINTS): Promise<Run> {
  const server: TestServer = await startTestServer('sqlite', { env: { DISPATCH_LOG_LEVEL: 'warn' } });
  try {
    const request = async (method: string, path: string, body: unknown) => {
      const response = await server.request(method, `/api/v1${path}`, { body });
      if (response.status >= 300) throw new Error(`${method} ${path} → ${response.status}`);
      return response.body.data;
    };
    const app = await request('POST', '/apps', { name: 'bench', uid: 'bench' });
    await request('POST', `/apps/${app.id}/event-types`, { name: 'order.created' });
    await request('POST', `/apps/${app.id}/recipients`, { uid: 'acme' });
    // a silent URL: no dispatcher runs here, only the accept path is measured
    for (let i = 0; i < endpoints; i++) {
      await request('POST', `/apps/${app.id}/recipients/acme/endpoints`, {
        url: `https://hooks.example.com/${i}`,
        ...(filter ? { filter: filter(i) } : {}),
      });
    }
    // warm up: caches, compiled filters, the JIT
    for (let n = 0; n < 500; n++) {
      await acceptMessage(server.deps, server.workspaceId, 'bench', {
        eventType: 'order.created',
        payload: payloadFor(n),
        recipient: 'acme',
      });
    }
    const rowsBefore = Number(((await server.db('deliveries').count({ n: '*' }).first()) as { n: number | string }).n);
    let next = 0;
    const cpu = process.cpuUsage();
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < MESSAGES) {
          const n = next++;
          await acceptMessage(server.deps, server.workspaceId, 'bench', {
            eventType: 'order.created',
            payload: payloadFor(n),
            recipient: 'acme',
          });
        }
      }),
    );
    const wallMs = performance.now() - started;
    const used = process.cpuUsage(cpu);
    const rowsAfter = Number(((await server.db('deliveries').count({ n: '*' }).first()) as { n: number | string }).n);
    return { wallMs, cpuUs: used.user + used.system, rows: rowsAfter - rowsBefore };
  } finally {
    await server.close();
  }
}

/** The matching loop alone over 10 candidates with their compiled filters: µs per message. */
async function matchingOnly(): Promise<{ perMessageUs: number; perRowUs: number }> {
  const server = await startTestServer('sqlite', { env: { DISPATCH_LOG_LEVEL: 'warn' } });
  try {
    const app = (await server.request('POST', '/api/v1/apps', { body: { name: 'm' } })).body.data;
    const recipient = (await server.request('POST', `/api/v1/apps/${app.id}/recipients`, { body: { uid: 'r' } })).body.data;
    for (let i = 0; i < ENDPOINTS; i++) {
      await server.request('POST', `/api/v1/apps/${app.id}/recipients/r/endpoints`, {
        body: { url: `https://hooks.example.com/${i}`, filter: filterFor(i) },
      });
    }
    const candidates = await listCandidateEndpoints(server.db, [{ appId: app.id, recipientId: recipient.id }]);
    const compiled = candidates.map((endpoint) => ({
      endpoint,
      filter: server.deps.endpointFilters.matcherFor(endpoint.id, endpoint.filter),
    }));
    const payloads = Array.from({ length: 1000 }, (_, n) => payloadFor(n));
    const message = { appId: app.id, recipientId: recipient.id, eventType: 'order.created' };
    let matched = 0;
    const rounds = 200;
    const started = performance.now();
    for (let r = 0; r < rounds; r++) {
      for (const payload of payloads) {
        for (const { endpoint, filter } of compiled) if (endpointMatches(endpoint, message, filter, () => payload)) matched++;
      }
    }
    const elapsedUs = (performance.now() - started) * 1000;
    const messages = rounds * payloads.length;
    if (matched === 0) throw new Error('no filter ever matched');
    return { perMessageUs: elapsedUs / messages, perRowUs: elapsedUs / (messages * ENDPOINTS) };
  } finally {
    await server.close();
  }
}

const fmt = (n: number) => n.toFixed(2);

const single = await run(null, 1);
const plain = await run(null);
const allMatch = await run(matchAllFilterFor);
const filtered = await run(filterFor);
const matching = await matchingOnly();
const perMessage = (r: Run) => r.cpuUs / MESSAGES;
console.log(`filtered fan-out on SQLite: ${MESSAGES} messages, ${CONCURRENCY} in flight, ${ENDPOINTS} endpoints per recipient`);
console.log(`load average at the end: ${loadavg().map(fmt).join(' ')}`);
for (const [name, r] of [
  ['no filters                 ', plain],
  ['10 filters, all match      ', allMatch],
  ['10 filters, about half match', filtered],
] as const) {
  console.log(
    `${name}: ${fmt(perMessage(r))} µs CPU/message, ${fmt(r.cpuUs / Math.max(1, r.rows))} µs CPU per delivery row (${r.rows} rows, ${fmt(r.rows / MESSAGES)} per message), ${fmt((MESSAGES / r.wallMs) * 1000)} msg/s wall`,
  );
}
const marginal = (r: Run) => (perMessage(r) - perMessage(single)) / (ENDPOINTS - 1);
console.log(
  `marginal CPU per fan-out row ((10 endpoints − 1) / 9, as bench case 5): ${fmt(marginal(plain))} µs without filters, ${fmt(marginal(allMatch))} µs with filters that all match`,
);
console.log(
  `filters that all match add ${fmt(perMessage(allMatch) - perMessage(plain))} µs CPU per message (${fmt((perMessage(allMatch) - perMessage(plain)) / ENDPOINTS)} per row), same rows`,
);
console.log(
  `matching loop alone (10 compiled filters, no database): ${fmt(matching.perMessageUs)} µs/message, ${fmt(matching.perRowUs)} µs per candidate`,
);
