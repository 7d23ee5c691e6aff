import { useInput } from 'ink';
import { listMove, useLatest } from '../screen.js';
import { cursorAfterMove } from '../list-state.js';
import { canSubmit, type KeysAction, type KeysState } from './reducer.js';

export interface KeysCommands {
  create(name: string, scopes: string[]): void;
  revoke(id: string): void;
  loadMore(cursor: string): void;
}

/** Keys screen keyboard: list navigation, `n` create form, `d` revoke with confirmation. */
export function useKeysInput(
  state: KeysState,
  dispatch: (a: KeysAction) => void,
  commands: KeysCommands,
  active: boolean,
  page: number,
): void {
  const latest = useLatest({ state, commands, page });
  useInput(
    (input, key) => {
      const { state, commands, page } = latest.current;
      const mode = state.mode;
      if (mode.kind === 'created') {
        if (key.return || key.escape) dispatch({ type: 'cancel' });
        return;
      }
      if (mode.kind === 'confirm-revoke') {
        if (input === 'y' || input === 'Y') commands.revoke(mode.id);
        else if (input === 'n' || key.escape) dispatch({ type: 'cancel' });
        return;
      }
      if (mode.kind === 'form') {
        if (key.escape) return dispatch({ type: 'cancel' });
        if (mode.step === 'name') {
          if (key.return || key.tab) return dispatch({ type: 'form/next' });
          if (key.backspace || key.delete) return dispatch({ type: 'form/backspace' });
          if (input && !key.ctrl && !key.meta) dispatch({ type: 'form/type', text: input });
          return;
        }
        if (key.tab && key.shift) return dispatch({ type: 'form/back' });
        const move = listMove(input, key, page);
        if (move !== null) return dispatch({ type: 'form/cursor', delta: move });
        if (input === ' ') return dispatch({ type: 'form/toggle' });
        if (key.return) {
          if (canSubmit(mode)) commands.create(mode.name.trim(), mode.scopes);
          else if (!mode.submitting)
            dispatch({ type: 'feedback/error', message: 'Pick at least one scope (Space toggles).', from: 'action' });
        }
        return;
      }
      dispatch({ type: 'feedback/clear' });
      const move = listMove(input, key, page);
      if (move !== null) {
        dispatch({ type: 'list/move', list: 'keys', delta: move });
        const cursor = cursorAfterMove(state.keys, move);
        if (cursor) commands.loadMore(cursor);
        return;
      }
      if (input === 'n') dispatch({ type: 'form/open' });
      else if (input === 'd') dispatch({ type: 'revoke/ask' });
    },
    { isActive: active },
  );
}
