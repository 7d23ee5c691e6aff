import t from 'tap';
import type { Attempt, Message } from '../../../tui/api-types.js';
import {
  initialMessagesState,
  messageStatus,
  messagesReducer,
  selectedAttempts,
  selectedEndpointId,
  type MessagesAction,
  type MessagesState,
} from '../../../tui/screens/messages/reducer.js';

const run = (state: MessagesState, ...actions: MessagesAction[]) => actions.reduce(messagesReducer, state);
const app = { id: 'app_1', uid: null, name: 'Billing', created_at: '' };
const message = (id: string, extra: Partial<Message> = {}): Message => ({
  id,
  app_id: 'app_1',
  event_type: 'invoice.paid',
  recipient_id: null,
  event_id: null,
  created_at: '',
  ...extra,
});
const attempt = (id: string, endpoint: string, trigger: Attempt['trigger'] = 'scheduled'): Attempt => ({
  id,
  endpoint_id: endpoint,
  attempt: 1,
  trigger,
  status: 'succeeded',
  response_status: 200,
  error: null,
  duration_ms: 5,
  created_at: '',
});

t.test('messages reducer drills into a message and lists attempts of the selected delivery', async (t) => {
  let state = run(
    initialMessagesState(),
    { type: 'list/refreshed', list: 'apps', page: { items: [app], nextCursor: null }, at: 1 },
    { type: 'open' },
  );
  t.match(state, { level: 'messages', app: { id: 'app_1' } });
  state = run(
    state,
    { type: 'list/refreshed', list: 'messages', page: { items: [message('msg_1', { delivery_count: 2 })], nextCursor: null }, at: 2 },
    { type: 'open' },
  );
  t.match(state, { level: 'detail', detail: { id: 'msg_1', message: null } });
  const deliveries = [
    { endpoint_id: 'ep_a', status: 'succeeded' as const, attempts: 1, next_attempt_at: null },
    { endpoint_id: 'ep_b', status: 'pending' as const, attempts: 2, next_attempt_at: null },
  ];
  state = run(state, {
    type: 'detail/loaded',
    message: message('msg_1', { deliveries }),
    attempts: [attempt('atm_1', 'ep_a'), attempt('atm_2', 'ep_b'), attempt('atm_3', 'ep_b', 'replay')],
    at: 3,
  });
  t.equal(selectedEndpointId(state), 'ep_a');
  t.same(
    selectedAttempts(state).map((a) => a.id),
    ['atm_1'],
  );
  state = run(state, { type: 'detail/move', delta: 5 });
  t.equal(selectedEndpointId(state), 'ep_b', 'selection clamps to the last delivery');
  t.same(
    selectedAttempts(state).map((a) => a.id),
    ['atm_2', 'atm_3'],
  );
  state = run(state, { type: 'back' }, { type: 'back' });
  t.match(state, { level: 'apps', app: null });
});

t.test('messages reducer confirms replays for all or one endpoint', async (t) => {
  let state = run(initialMessagesState(), { type: 'replay/ask' });
  t.equal(state.confirm, null, 'nothing to replay on the app list');
  state = run(state, { type: 'list/refreshed', list: 'apps', page: { items: [app], nextCursor: null }, at: 1 }, { type: 'open' });
  state = run(
    state,
    { type: 'list/refreshed', list: 'messages', page: { items: [message('msg_1')], nextCursor: null }, at: 2 },
    { type: 'replay/ask' },
  );
  t.same(state.confirm, { id: 'msg_1', endpointId: null });
  state = run(state, { type: 'replayed', id: 'msg_1', endpointId: 'ep_a' });
  t.equal(state.confirm, null);
  t.match(state.notice, 'Replay of msg_1 accepted (endpoint ep_a)');
});

t.test('messages reducer labels delivery status from server statuses or deliveries', async (t) => {
  t.equal(messageStatus(message('m', { delivery_count: 0 })), 'none');
  t.equal(messageStatus(message('m', { delivery_count: 2 }), { m: 'failed' }), 'failed');
  t.equal(messageStatus(message('m', { delivery_count: 2 })), '…', 'unknown until statuses arrive');
  const d = (status: 'pending' | 'failed' | 'succeeded') => ({ endpoint_id: 'e', status, attempts: 1, next_attempt_at: null });
  t.equal(messageStatus(message('m', { deliveries: [d('succeeded'), d('pending')] })), 'pending');
  t.equal(messageStatus(message('m', { deliveries: [d('succeeded'), d('failed')] })), 'failed');
  t.equal(messageStatus(message('m', { deliveries: [d('succeeded')] })), 'succeeded');
});
