import { useCallback, useReducer } from 'react';
import { useNow, usePoll } from '../../hooks/use-poll.js';
import { useListLoader, useRunner, useTextFilter, type ScreenProps } from '../screen.js';
import { deliveryQuery, failedReducer, initialFailedState, replayCalls } from './reducer.js';
import { useFailedInput } from './use-failed-input.js';
import { FailedView } from './view.js';

/**
 * Screen 7: failed deliveries across the workspace (GET /deliveries?status=failed), filtered by
 * app, event type, endpoint and window, with `R` replaying everything the filter selects through
 * POST /apps/{app}/messages/replay (one call per app when no app is chosen).
 */
export function FailedScreen({ client, width, height, refreshMs, inputActive, capture, textFilter }: ScreenProps) {
  const [state, dispatch] = useReducer(failedReducer, undefined, initialFailedState);
  const now = useNow();
  const run = useRunner(dispatch);
  const filterKey = JSON.stringify(state.filter);
  const { refresh: refreshList, loadMore } = useListLoader(
    'deliveries',
    dispatch,
    (cursor) => client.listDeliveries({ status: 'failed', ...deliveryQuery(state.filter, Date.now()) }, { cursor }),
    filterKey,
  );
  useTextFilter(textFilter, dispatch, 'deliveries', state.deliveries.filter);
  // eslint-disable-next-line react-hooks/immutability -- `capture` is the app's ref, set during render by design (ScreenProps.capture)
  capture.current = state.confirm;

  const refresh = useCallback(async () => {
    if (state.apps.length === 0) {
      try {
        dispatch({ type: 'apps', apps: (await client.listApps({ limit: 100 })).items });
      } catch {
        // the list below reports the error; the app filter waits for the next refresh
      }
    }
    await refreshList();
  }, [client, refreshList, state.apps.length]);
  usePoll(refresh, refreshMs, true, filterKey);

  const replay = useCallback(
    () =>
      run(async () => {
        const calls = replayCalls(state, Date.now());
        dispatch({ type: 'replay/started' });
        let replayed = 0;
        try {
          for (const call of calls) replayed += (await client.bulkReplay(call.app, call.body)).replayed;
        } catch (error) {
          dispatch({ type: 'replay/failed' });
          throw error;
        }
        dispatch({ type: 'replay/done', replayed, apps: calls.length });
        await refreshList();
      }),
    [client, run, state, refreshList],
  );
  useFailedInput(state, dispatch, { replay, loadMore: (cursor) => void loadMore(cursor) }, inputActive, Math.max(1, height - 6));
  const replayApps = replayCalls(state, now).length;
  return <FailedView state={state} width={width} height={height} now={now} replayApps={replayApps} />;
}
