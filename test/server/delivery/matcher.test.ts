import t from 'tap';
import { endpointMatches, type MatchableEndpoint, type MatchableMessage } from '../../../server/delivery/matcher.js';

const endpoint: MatchableEndpoint = { appId: 'app_1', recipientId: 'rcp_a', eventTypes: [] };
const message: MatchableMessage = { appId: 'app_1', recipientId: null, eventType: 'invoice.paid' };

// CONTRACT delivery rule 2 (as amended by §8, §8.2: a disabled endpoint matches; its deliveries are held), one row per way an endpoint is in or out
const cases: { name: string; endpoint?: Partial<MatchableEndpoint>; message?: Partial<MatchableMessage>; matches: boolean }[] = [
  { name: 'a broadcast reaches every recipient of the app', matches: true },
  { name: 'a message targeted at the endpoint recipient reaches it', message: { recipientId: 'rcp_a' }, matches: true },
  { name: 'a message targeted at another recipient does not', message: { recipientId: 'rcp_b' }, matches: false },
  { name: 'an endpoint of another app never matches, even broadcast', endpoint: { appId: 'app_2' }, matches: false },
  {
    name: 'an endpoint of another app with the same recipient id does not match',
    endpoint: { appId: 'app_2' },
    message: { recipientId: 'rcp_a' },
    matches: false,
  },
  { name: 'empty event_types receives every type', endpoint: { eventTypes: [] }, message: { eventType: 'anything.else' }, matches: true },
  { name: 'event_types containing the type matches', endpoint: { eventTypes: ['invoice.voided', 'invoice.paid'] }, matches: true },
  { name: 'event_types without the type does not', endpoint: { eventTypes: ['invoice.voided'] }, matches: false },
  { name: 'event type names compare exactly (no prefix match)', endpoint: { eventTypes: ['invoice'] }, matches: false },
  { name: 'event type names compare case-sensitively', endpoint: { eventTypes: ['Invoice.Paid'] }, matches: false },
];

for (const c of cases) {
  t.test(`endpointMatches: ${c.name}`, async (t) => {
    t.equal(endpointMatches({ ...endpoint, ...c.endpoint }, { ...message, ...c.message }), c.matches);
  });
}

t.test('endpointMatches: a filter decides after scope and event types, and the payload is read only when there is one', async (t) => {
  let reads = 0;
  const payload = () => {
    reads++;
    return { tier: 'gold' };
  };
  t.equal(endpointMatches(endpoint, message, null, payload), true, 'no filter: matches');
  t.equal(reads, 0, 'no filter: the payload is never read');
  t.equal(
    endpointMatches(endpoint, message, (p) => (p as { tier: string }).tier === 'gold', payload),
    true,
  );
  t.equal(
    endpointMatches(endpoint, message, () => false, payload),
    false,
    'a filter that does not match keeps the message out',
  );
  t.equal(
    endpointMatches({ ...endpoint, eventTypes: ['other'] }, message, () => true, payload),
    false,
    'event types still apply',
  );
  t.equal(reads, 2, 'read once per filter evaluated, never for an event-type miss');
});
