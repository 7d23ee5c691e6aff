import { useCallback, useReducer } from 'react';
import { maxScroll } from '../../components/scroll-view.js';
import { describeError } from '../../describe-error.js';
import { useNow, usePoll } from '../../hooks/use-poll.js';
import { useListLoader, useRunner, useTextFilter, type ScreenProps } from '../screen.js';
import { eventDetailLines } from './detail-lines.js';
import { detailId, eventsReducer, initialEventsState, sourceDestinations, sourceName } from './reducer.js';
import { useEventsInput } from './use-events-input.js';
import { EventsView } from './view.js';

/** Screen 3: ingest events filtered by source and status; detail with body and attempts; replay. */
export function EventsScreen({
  client,
  width,
  height,
  refreshMs,
  inputActive,
  capture,
  textFilter,
  sourceId = null,
}: ScreenProps & { sourceId?: string | null }) {
  const [state, dispatch] = useReducer(eventsReducer, sourceId, initialEventsState);
  const now = useNow();
  const run = useRunner(dispatch);
  const { filter } = state;
  const list = useListLoader(
    'events',
    dispatch,
    (cursor) =>
      client.listEvents(
        { ...(filter.sourceId ? { source_id: filter.sourceId } : {}), ...(filter.status ? { status: filter.status } : {}) },
        { cursor },
      ),
    `${filter.sourceId}:${filter.status}`,
  );
  useTextFilter(textFilter, dispatch, 'events', state.events.filter);
  const openId = detailId(state);
  const refresh = useCallback(async () => {
    try {
      dispatch({ type: 'sources/loaded', sources: (await client.listSources({ limit: 100 })).items });
    } catch {
      // names fall back to ids; the events list still loads
    }
    if (openId) {
      try {
        dispatch({ type: 'detail/loaded', event: await client.getEvent(openId), at: Date.now() });
        dispatch({ type: 'feedback/refresh-ok' });
      } catch (error) {
        dispatch({ type: 'feedback/error', message: describeError(error), from: 'refresh' });
      }
    } else {
      await list.refresh();
    }
  }, [client, list, openId]);
  usePoll(refresh, refreshMs, true, `${filter.sourceId}:${filter.status}:${openId}`);
  // eslint-disable-next-line react-hooks/immutability -- `capture` is the app's ref, set during render by design (ScreenProps.capture)
  capture.current = state.mode.kind === 'confirm-replay';

  const replay = useCallback(
    (id: string) =>
      run(async () => {
        try {
          await client.replayEvent(id);
        } catch (error) {
          dispatch({ type: 'replay/cancel' });
          throw error;
        }
        dispatch({ type: 'replayed', id });
        await refresh();
      }),
    [client, run, refresh],
  );
  const body = Math.max(3, height - 3);
  const detailMax = state.detail
    ? maxScroll(
        eventDetailLines(state.detail, sourceName(state, state.detail.source_id), width, sourceDestinations(state, state.detail.source_id))
          .length,
        body,
      )
    : 0;
  useEventsInput(state, dispatch, { replay, loadMore: (c) => void list.loadMore(c) }, inputActive, Math.max(1, height - 5), detailMax);
  return <EventsView state={state} width={width} height={height} now={now} />;
}
