import React, { useCallback, useReducer } from 'react';
import type { ApiClient } from '../../api-client.js';
import type { Source } from '../../api-types.js';
import { useNow, usePoll } from '../../hooks/use-poll.js';
import { useListLoader, useRunner, type ScreenProps } from '../screen.js';
import { initialSourcesState, sourcesReducer, type SourceStats } from './reducer.js';
import { useSourcesInput } from './use-sources-input.js';
import { SourcesView } from './view.js';

const HOUR_MS = 3_600_000;
/** Activity is counted for this many sources at most per refresh, so a big workspace stays cheap. */
const STATS_LIMIT = 40;

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

/** Screen 2: sources with activity; `p` pauses or resumes, Enter opens the source's events. */
export function SourcesScreen({ client, width, height, refreshMs, inputActive, onOpenEvents }: ScreenProps & { onOpenEvents(source: Source): void }) {
  const [state, dispatch] = useReducer(sourcesReducer, undefined, initialSourcesState);
  const now = useNow();
  const run = useRunner(dispatch);
  const list = useListLoader('sources', dispatch, (cursor) => client.listSources({ cursor }));
  const refresh = useCallback(async () => {
    const page = await list.refresh();
    if (!page) return;
    const ids = page.items.slice(0, STATS_LIMIT).filter((s) => s.events_last_hour === undefined).map((s) => s.id);
    try {
      const at = Date.now();
      const entries = await Promise.all(ids.map(async (id) => [id, await sourceStats(client, id, at)] as const));
      dispatch({ type: 'stats', stats: Object.fromEntries(entries) });
    } catch {
      // without event:read the activity columns stay "—"; the list itself still works
    }
  }, [list, client]);
  usePoll(refresh, refreshMs, true, '');

  const setPaused = useCallback(
    (id: string, paused: boolean) =>
      run(async () => {
        const source = paused ? await client.pauseSource(id) : await client.resumeSource(id);
        dispatch({ type: 'source/updated', source });
      }),
    [client, run],
  );
  useSourcesInput(state, dispatch, { setPaused, openEvents: onOpenEvents, loadMore: (c) => void list.loadMore(c) }, inputActive, Math.max(1, height - 5));
  return <SourcesView state={state} width={width} height={height} now={now} />;
}
