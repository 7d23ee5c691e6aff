import { useInput } from 'ink';
import type { Endpoint } from '../../api-types.js';
import { selectedItem, cursorAfterMove } from '../list-state.js';
import { listMove, useLatest } from '../screen.js';
import type { EndpointsAction, EndpointsState } from './reducer.js';

export interface EndpointsCommands {
  toggle(endpoint: Endpoint): void;
  rotate(endpoint: Endpoint): void;
  recover(endpoint: Endpoint, since: string): void;
  discardHeld(endpoint: Endpoint): void;
  loadMore(cursor: string): void;
  back(): void;
}

/**
 * Endpoints keyboard: move; `e` enable/disable; `s` rotate the secret (y confirms; the new one
 * shows until Enter); `r` recover since… (type a look-back or time, Enter); `x` discard held (y
 * confirms); Esc back to the recipients.
 */
export function useEndpointsInput(
  state: EndpointsState,
  dispatch: (a: EndpointsAction) => void,
  commands: EndpointsCommands,
  active: boolean,
  page: number,
): void {
  const latest = useLatest({ state, commands, page });
  useInput(
    (input, key) => {
      const { state, commands, page } = latest.current;
      const mode = state.mode;
      if (mode.kind === 'secret') {
        if (key.return || key.escape) dispatch({ type: 'cancel' });
        return;
      }
      if (mode.kind === 'confirm-rotate' || mode.kind === 'confirm-discard') {
        if (input === 'y' || input === 'Y') {
          if (mode.kind === 'confirm-rotate') commands.rotate(mode.endpoint);
          else commands.discardHeld(mode.endpoint);
        } else if (input === 'n' || key.escape) dispatch({ type: 'cancel' });
        return;
      }
      if (mode.kind === 'recover') {
        if (key.escape) return dispatch({ type: 'cancel' });
        if (key.return) return commands.recover(mode.endpoint, mode.text);
        if (key.backspace || key.delete) return dispatch({ type: 'recover/backspace' });
        if (input && !key.ctrl && !key.meta) dispatch({ type: 'recover/type', text: input });
        return;
      }
      dispatch({ type: 'feedback/clear' });
      const move = listMove(input, key, page);
      if (move !== null) {
        dispatch({ type: 'list/move', list: 'endpoints', delta: move });
        const cursor = cursorAfterMove(state.endpoints, move);
        if (cursor) commands.loadMore(cursor);
        return;
      }
      const endpoint = selectedItem(state.endpoints);
      if (key.escape || key.backspace || key.delete) commands.back();
      else if (!endpoint) return;
      else if (input === 'e') commands.toggle(endpoint);
      else if (input === 's') dispatch({ type: 'rotate/ask' });
      else if (input === 'r') dispatch({ type: 'recover/ask' });
      else if (input === 'x') dispatch({ type: 'discard/ask' });
    },
    { isActive: active },
  );
}
