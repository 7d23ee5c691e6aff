import { useCallback, useReducer } from 'react';
import type { ApiClient } from '../../api-client.js';
import type { Source } from '../../api-types.js';
import { useNow, usePoll } from '../../hooks/use-poll.js';
import { useListLoader, useRunner, useTextFilter, type ScreenProps } from '../screen.js';
import { sampleForwards, type ForwardSample } from './destination-lines.js';
import { initialSourcesState, sourcesReducer, type SourceStats } from './reducer.js';
import { useSourcesInput } from './use-sources-input.js';
import { SourcesView } from './view.js';

const HOUR_MS = 3_600_000;
/** Activity is counted for this many sources at most per refresh, so a big workspace stays cheap. */
const STATS_LIMIT = 40;
/** The detail counts forwards over this many of the source's newest events (one detail read each). */
const FORWARD_SAMPLE = 20;

/**
 * Counts one source's events of the last hour (one page of up to 100) and finds its latest event,
 * from the events API — the source resource itself carries no activity figures.
 */
export async function sourceStats(client: ApiClient, sourceId: string, now: number): Promise<SourceStats> {
  const recent = await client.listEvents({ source_id: sourceId, since: new Date(now - HOUR_MS).toISOString() }, { limit: 100 });
  let lastEventAt = recent.items[0]?.created_at ?? null;
  if (!lastEventAt) lastEventAt = (await client.listEvents({ source_id: sourceId }, { limit: 1 })).items[0]?.created_at ?? null;
  return { lastEventAt, lastHour: recent.items.length, more: recent.nextCursor !== null };
}

/** The newest events of a source with their forwards, tallied per destination. */
export async function sourceForwards(client: ApiClient, sourceId: string): Promise<ForwardSample> {
  const recent = await client.listEvents({ source_id: sourceId }, { limit: FORWARD_SAMPLE });
  return sampleForwards(await Promise.all(recent.items.map((event) => client.getEvent(event.id))));
}

/** Screen 2: sources with activity; `p` pauses or resumes, Enter opens the source's events. */
export function SourcesScreen({
  client,
  width,
  height,
  refreshMs,
  inputActive,
  textFilter,
  onOpenEvents,
}: ScreenProps & { onOpenEvents: (source: Source) => void }) {
  const [state, dispatch] = useReducer(sourcesReducer, undefined, initialSourcesState);
  const now = useNow();
  const run = useRunner(dispatch);
  const list = useListLoader('sources', dispatch, (cursor) => client.listSources({ cursor }));
  useTextFilter(textFilter, dispatch, 'sources', state.sources.filter);
  const refresh = useCallback(async () => {
    const page = await list.refresh();
    if (!page) return;
    const ids = page.items
      .slice(0, STATS_LIMIT)
      .filter((s) => s.events_last_hour === undefined)
      .map((s) => s.id);
    try {
      const at = Date.now();
      const entries = await Promise.all(ids.map(async (id) => [id, await sourceStats(client, id, at)] as const));
      dispatch({ type: 'stats', stats: Object.fromEntries(entries) });
    } catch {
      // without event:read the activity columns stay "—"; the list itself still works
    }
  }, [list, client]);
  usePoll(refresh, refreshMs, true, '');

  const detailId = state.mode.kind === 'detail' ? state.mode.id : null;
  const refreshDetail = useCallback(async () => {
    if (!detailId) return;
    try {
      dispatch({ type: 'forwards/sampled', sourceId: detailId, sample: await sourceForwards(client, detailId) });
    } catch {
      // without event:read the detail shows the destinations without their recent forwards
    }
  }, [client, detailId]);
  usePoll(refreshDetail, refreshMs, detailId !== null, detailId ?? '');

  const setPaused = useCallback(
    (id: string, paused: boolean) =>
      run(async () => {
        const source = paused ? await client.pauseSource(id) : await client.resumeSource(id);
        dispatch({ type: 'source/updated', source });
      }),
    [client, run],
  );
  useSourcesInput(
    state,
    dispatch,
    { setPaused, openEvents: onOpenEvents, loadMore: (c) => void list.loadMore(c) },
    inputActive,
    Math.max(1, height - 5),
  );
  return <SourcesView state={state} width={width} height={height} now={now} />;
}
