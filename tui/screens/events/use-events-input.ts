import { useInput } from 'ink';
import { cursorAfterMove } from '../list-state.js';
import { listMove, useLatest } from '../screen.js';
import type { EventsAction, EventsState } from './reducer.js';

export interface EventsCommands {
  replay(id: string): void;
  loadMore(cursor: string): void;
}

/**
 * Events keyboard. List: move, `s` source filter, `f` status filter, Enter detail, `R` replay.
 * Detail: scroll, `R` replay, Esc back. Confirmation: `y` replays, `n`/Esc cancels.
 */
export function useEventsInput(
  state: EventsState,
  dispatch: (a: EventsAction) => void,
  commands: EventsCommands,
  active: boolean,
  page: number,
  detailMax: number,
): void {
  const latest = useLatest({ state, commands, page, detailMax });
  useInput(
    (input, key) => {
      const { state, commands, page, detailMax } = latest.current;
      const mode = state.mode;
      if (mode.kind === 'confirm-replay') {
        if (input === 'y' || input === 'Y') commands.replay(mode.id);
        else if (input === 'n' || key.escape) dispatch({ type: 'replay/cancel' });
        return;
      }
      dispatch({ type: 'feedback/clear' });
      const move = listMove(input, key, page);
      if (input === 'R') return dispatch({ type: 'replay/ask' });
      if (mode.kind === 'detail') {
        if (key.escape || key.backspace || key.delete) dispatch({ type: 'detail/close' });
        else if (move !== null) dispatch({ type: 'detail/scroll', delta: move, max: detailMax });
        return;
      }
      if (move !== null) {
        dispatch({ type: 'list/move', list: 'events', delta: move });
        const cursor = cursorAfterMove(state.events, move);
        if (cursor) commands.loadMore(cursor);
        return;
      }
      if (input === 's') dispatch({ type: 'filter/source-next' });
      else if (input === 'f') dispatch({ type: 'filter/status-next' });
      else if (key.return) dispatch({ type: 'detail/open' });
    },
    { isActive: active },
  );
}
