import { useCallback, useReducer } from 'react';
import { useNow, usePoll } from '../../hooks/use-poll.js';
import { maxScroll } from '../../components/scroll-view.js';
import { useListLoader, useRunner, useTextFilter, type ScreenProps } from '../screen.js';
import { anomaliesReducer, detailAnomaly, initialAnomaliesState } from './reducer.js';
import { useAnomaliesInput } from './use-anomalies-input.js';
import { AnomaliesView, anomalyLines } from './view.js';

/** Screen 1 (default): anomalies, open first, with acknowledge / resolve and live refresh. */
export function AnomaliesScreen({ client, width, height, refreshMs, inputActive, textFilter }: ScreenProps) {
  const [state, dispatch] = useReducer(anomaliesReducer, undefined, initialAnomaliesState);
  const now = useNow();
  const run = useRunner(dispatch);
  const filter = state.filter;
  const { refresh, loadMore } = useListLoader(
    'anomalies',
    dispatch,
    (cursor) => client.listAnomalies(filter === 'active' ? {} : { status: filter }, { cursor }),
    filter,
  );
  usePoll(refresh, refreshMs, true, filter);
  useTextFilter(textFilter, dispatch, 'anomalies', state.anomalies.filter);

  const act = useCallback(
    (verb: 'Acknowledged' | 'Resolved', id: string) =>
      run(async () => {
        const anomaly = verb === 'Acknowledged' ? await client.acknowledgeAnomaly(id) : await client.resolveAnomaly(id);
        dispatch({ type: 'anomaly/updated', anomaly, verb });
        await refresh();
      }),
    [client, run, refresh],
  );
  const detail = detailAnomaly(state);
  const detailMax = detail ? maxScroll(anomalyLines(detail, width).length, height - 3) : 0;
  useAnomaliesInput(
    state,
    dispatch,
    { acknowledge: (id) => act('Acknowledged', id), resolve: (id) => act('Resolved', id), loadMore: (c) => void loadMore(c) },
    inputActive,
    Math.max(1, height - 5),
    detailMax,
  );
  return <AnomaliesView state={state} width={width} height={height} now={now} />;
}
