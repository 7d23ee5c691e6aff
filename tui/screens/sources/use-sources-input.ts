import { useInput } from 'ink';
import type { Source } from '../../api-types.js';
import { wantsMore } from '../list-state.js';
import { listMove, useLatest } from '../screen.js';
import type { SourcesAction, SourcesState } from './reducer.js';

export interface SourcesCommands {
  setPaused(id: string, paused: boolean): void;
  openEvents(source: Source): void;
  loadMore(cursor: string): void;
}

/** Sources keyboard: move, `p` pause/resume, Enter shows that source's events. */
export function useSourcesInput(state: SourcesState, dispatch: (a: SourcesAction) => void, commands: SourcesCommands, active: boolean, page: number): void {
  const latest = useLatest({ state, commands, page });
  useInput(
    (input, key) => {
      const { state, commands, page } = latest.current;
      dispatch({ type: 'feedback/clear' });
      const move = listMove(input, key, page);
      if (move !== null) {
        dispatch({ type: 'list/move', list: 'sources', delta: move });
        const next = { ...state.sources, selected: state.sources.selected + move };
        if (wantsMore(next) && state.sources.nextCursor) commands.loadMore(state.sources.nextCursor);
        return;
      }
      const source = state.sources.items[state.sources.selected];
      if (!source) return;
      if (input === 'p') commands.setPaused(source.id, !source.paused);
      else if (key.return) commands.openEvents(source);
    },
    { isActive: active },
  );
}
