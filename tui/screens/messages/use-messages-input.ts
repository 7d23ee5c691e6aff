import { useInput } from 'ink';
import { cursorAfterMove } from '../list-state.js';
import { listMove, useLatest } from '../screen.js';
import { selectedEndpointId, type MessagesAction, type MessagesState } from './reducer.js';

export interface MessagesCommands {
  replay(id: string, endpointId: string | null): void;
  loadMore(list: 'apps' | 'messages', cursor: string): void;
}

/**
 * Messages keyboard: move, Enter drills down (app → messages → detail), Esc goes up, `R` asks to
 * replay; in the confirmation `y`/`a` replays to every endpoint, `o` only to the selected one.
 */
export function useMessagesInput(
  state: MessagesState,
  dispatch: (a: MessagesAction) => void,
  commands: MessagesCommands,
  active: boolean,
  page: number,
): void {
  const latest = useLatest({ state, commands, page });
  useInput(
    (input, key) => {
      const { state, commands, page } = latest.current;
      if (state.confirm) {
        const only = state.level === 'detail' ? selectedEndpointId(state) : null;
        if (input === 'y' || input === 'a') commands.replay(state.confirm.id, null);
        else if (input === 'o' && only) commands.replay(state.confirm.id, only);
        else if (input === 'n' || key.escape) dispatch({ type: 'replay/cancel' });
        return;
      }
      dispatch({ type: 'feedback/clear' });
      const move = listMove(input, key, page);
      if (input === 'R' && state.level !== 'apps') return dispatch({ type: 'replay/ask' });
      if (key.escape || key.backspace || key.delete) return dispatch({ type: 'back' });
      if (state.level === 'detail') {
        if (move !== null) dispatch({ type: 'detail/move', delta: move });
        return;
      }
      if (move !== null) {
        const list = state.level === 'apps' ? state.apps : state.messages;
        dispatch({ type: 'list/move', list: state.level, delta: move });
        const cursor = cursorAfterMove(list, move);
        if (cursor) commands.loadMore(state.level, cursor);
        return;
      }
      if (key.return) dispatch({ type: 'open' });
    },
    { isActive: active },
  );
}
