import { useInput } from 'ink';
import { cursorAfterMove } from '../list-state.js';
import { listMove, useLatest } from '../screen.js';
import { currentList, type AppsAction, type AppsState } from './reducer.js';

export interface AppsCommands {
  loadMore(list: 'apps' | 'recipients', cursor: string): void;
}

/** Apps keyboard (apps and recipients levels): move, Enter drills down, Esc/Backspace goes up. */
export function useAppsInput(
  state: AppsState,
  dispatch: (a: AppsAction) => void,
  commands: AppsCommands,
  active: boolean,
  page: number,
): void {
  const latest = useLatest({ state, commands, page });
  useInput(
    (input, key) => {
      const { state, commands, page } = latest.current;
      if (state.level === 'endpoints') return;
      dispatch({ type: 'feedback/clear' });
      const list = currentList(state);
      const move = listMove(input, key, page);
      if (move !== null) {
        dispatch({ type: 'list/move', list: state.level, delta: move });
        const cursor = cursorAfterMove(list, move);
        if (cursor) commands.loadMore(state.level, cursor);
        return;
      }
      if (key.return) dispatch({ type: 'open' });
      else if (key.escape || key.backspace || key.delete) dispatch({ type: 'back' });
    },
    { isActive: active },
  );
}
