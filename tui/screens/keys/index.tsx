import { useCallback, useReducer } from 'react';
import { ALL_SCOPES } from '../../../server/scopes.js';
import { useNow, usePoll } from '../../hooks/use-poll.js';
import { useListLoader, useRunner, useTextFilter, type ScreenProps } from '../screen.js';
import { initialKeysState, keysReducer } from './reducer.js';
import { useKeysInput } from './use-keys-input.js';
import { KeysView } from './view.js';

/** Screen 5: list, create (name + scope multi-select, key shown once) and revoke API keys. */
export function KeysScreen({ client, width, height, refreshMs, inputActive, capture, textFilter }: ScreenProps) {
  const [state, dispatch] = useReducer(keysReducer, ALL_SCOPES, initialKeysState);
  const now = useNow();
  const run = useRunner(dispatch);
  const { refresh, loadMore } = useListLoader('keys', dispatch, (cursor) => client.listKeys({ cursor }));
  usePoll(refresh, refreshMs, true, '');
  useTextFilter(textFilter, dispatch, 'keys', state.keys.filter);
  // eslint-disable-next-line react-hooks/immutability -- `capture` is the app's ref, set during render by design (ScreenProps.capture)
  capture.current = state.mode.kind !== 'list';

  const create = useCallback(
    (name: string, scopes: string[]) =>
      run(async () => {
        dispatch({ type: 'form/submitting', submitting: true });
        try {
          dispatch({ type: 'created', key: await client.createKey(name, scopes) });
        } finally {
          dispatch({ type: 'form/submitting', submitting: false });
        }
        await refresh();
      }),
    [client, run, refresh],
  );
  const revoke = useCallback(
    (id: string) =>
      run(async () => {
        try {
          await client.revokeKey(id);
        } catch (error) {
          dispatch({ type: 'cancel' });
          throw error;
        }
        dispatch({ type: 'revoked', id });
        await refresh();
      }),
    [client, run, refresh],
  );
  useKeysInput(state, dispatch, { create, revoke, loadMore: (cursor) => void loadMore(cursor) }, inputActive, Math.max(1, height - 5));
  return <KeysView state={state} width={width} height={height} now={now} />;
}
