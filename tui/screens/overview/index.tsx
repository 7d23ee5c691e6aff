import { useCallback, useReducer } from 'react';
import { describeError } from '../../describe-error.js';
import { useNow, usePoll } from '../../hooks/use-poll.js';
import type { ScreenProps } from '../screen.js';
import { initialOverviewState, overviewReducer } from './reducer.js';
import { useOverviewInput } from './use-overview-input.js';
import { OverviewView } from './view.js';

/** Screen 0 (the start screen): the workspace's live figures from GET /stats, refreshed every `refreshMs`. */
export function OverviewScreen({ client, width, height, refreshMs, inputActive }: ScreenProps) {
  const [state, dispatch] = useReducer(overviewReducer, undefined, initialOverviewState);
  const now = useNow();
  const refresh = useCallback(async () => {
    try {
      dispatch({ type: 'stats/loaded', stats: await client.getStats(), at: Date.now() });
      dispatch({ type: 'feedback/refresh-ok' });
    } catch (error) {
      dispatch({ type: 'feedback/error', message: describeError(error), from: 'refresh' });
    }
  }, [client]);
  usePoll(refresh, Math.min(refreshMs, 2000), true, '');
  useOverviewInput({ refresh: () => void refresh() }, inputActive);
  return <OverviewView state={state} width={width} height={height} now={now} />;
}
