import t from 'tap';
import { ALL_SCOPES } from '../../../server/scopes.js';
import { canSubmit, initialKeysState, keysReducer, type KeysAction, type KeysState } from '../../../tui/screens/keys/reducer.js';

const run = (state: KeysState, ...actions: KeysAction[]) => actions.reduce(keysReducer, state);
const key = { id: 'key_1', name: 'ci', scopes: ['*'], prefix: 'rlk_ab', created_at: '2026-11-26T10:00:00.000Z' };

t.test('keys reducer walks the create form: name, then scopes in table order', async (t) => {
  let state = run(initialKeysState(ALL_SCOPES), { type: 'form/open' }, { type: 'form/next' });
  t.equal(state.error, 'Give the key a name first.', 'an empty name is refused');
  state = run(state, { type: 'form/type', text: 'ci\u0007 bot' }, { type: 'form/backspace' }, { type: 'form/type', text: 't' });
  t.match(state.mode, { kind: 'form', step: 'name', name: 'ci bot' }, 'control characters dropped, backspace works');
  state = run(state, { type: 'form/next' });
  t.match(state.mode, { step: 'scopes' });
  t.notOk(canSubmit(state.mode), 'no scope yet');
  state = run(
    state,
    { type: 'form/cursor', delta: 18 },
    { type: 'form/toggle' },
    { type: 'form/cursor', delta: -18 },
    { type: 'form/toggle' },
  );
  t.match(state.mode, { scopes: ['*', 'key:write'] }, 'scopes kept in table order');
  state = run(state, { type: 'form/toggle' });
  t.match(state.mode, { scopes: ['key:write'] }, 'toggling again removes');
  state = run(state, { type: 'form/cursor', delta: -5 });
  t.match(state.mode, { cursor: 0 }, 'cursor clamps at the top');
  t.ok(canSubmit(state.mode));
  state = run(state, { type: 'form/submitting', submitting: true });
  t.notOk(canSubmit(state.mode), 'no double submit');
  state = run(state, { type: 'created', key: { ...key, key: 'rlk_secret' } });
  t.match(state.mode, { kind: 'created', key: { key: 'rlk_secret' } });
  t.equal(run(state, { type: 'cancel' }).mode.kind, 'list');
});

t.test('keys reducer asks before revoking and drops the revoked key', async (t) => {
  let state = run(initialKeysState(ALL_SCOPES), {
    type: 'list/refreshed',
    list: 'keys',
    page: { items: [key, { ...key, id: 'key_0', name: 'old' }], nextCursor: null },
    at: 1,
  });
  state = run(state, { type: 'list/move', list: 'keys', delta: 1 }, { type: 'revoke/ask' });
  t.same(state.mode, { kind: 'confirm-revoke', id: 'key_0', name: 'old' });
  state = run(state, { type: 'revoked', id: 'key_0' });
  t.same(
    state.keys.items.map((k) => k.id),
    ['key_1'],
  );
  t.equal(state.keys.selected, 0);
  t.equal(state.notice, 'Revoked key_0.');
});
