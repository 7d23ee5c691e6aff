import { useInput } from 'ink';
import { cursorAfterMove } from '../list-state.js';
import { listMove, useLatest } from '../screen.js';
import type { FailedAction, FailedState } from './reducer.js';

export interface FailedCommands {
  replay(): void;
  loadMore(cursor: string): void;
}

/**
 * Failed view keyboard: move; `a` next app; `t` / `p` filter by the selected row's event type /
 * endpoint (again to clear); `w` next window; `c` clear; `R` replay the filter (y confirms).
 */
export function useFailedInput(
  state: FailedState,
  dispatch: (a: FailedAction) => void,
  commands: FailedCommands,
  active: boolean,
  page: number,
): void {
  const latest = useLatest({ state, commands, page });
  useInput(
    (input, key) => {
      const { state, commands, page } = latest.current;
      if (state.confirm) {
        if (input === 'y' || input === 'Y') commands.replay();
        else if (input === 'n' || key.escape) dispatch({ type: 'cancel' });
        return;
      }
      dispatch({ type: 'feedback/clear' });
      const move = listMove(input, key, page);
      if (move !== null) {
        dispatch({ type: 'list/move', list: 'deliveries', delta: move });
        const cursor = cursorAfterMove(state.deliveries, move);
        if (cursor) commands.loadMore(cursor);
        return;
      }
      if (input === 'a') dispatch({ type: 'filter/app' });
      else if (input === 't') dispatch({ type: 'filter/event-type' });
      else if (input === 'p') dispatch({ type: 'filter/endpoint' });
      else if (input === 'w') dispatch({ type: 'filter/window' });
      else if (input === 'c') dispatch({ type: 'filter/clear' });
      else if (input === 'R' && !state.replaying) dispatch({ type: 'replay/ask' });
    },
    { isActive: active },
  );
}
