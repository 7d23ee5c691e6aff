import { useInput } from 'ink';
import { cursorAfterMove, selectedItem } from '../list-state.js';
import { listMove, useLatest } from '../screen.js';
import type { AnomaliesAction, AnomaliesState } from './reducer.js';

export interface AnomaliesCommands {
  acknowledge(id: string): void;
  resolve(id: string): void;
  loadMore(cursor: string): void;
}

/** Anomalies keyboard: move, `a` acknowledge, `r` resolve, `f` filter, Enter details, Esc back. */
export function useAnomaliesInput(
  state: AnomaliesState,
  dispatch: (a: AnomaliesAction) => void,
  commands: AnomaliesCommands,
  active: boolean,
  page: number,
  detailMax: number,
): void {
  const latest = useLatest({ state, commands, page, detailMax });
  useInput(
    (input, key) => {
      const { state, commands, page, detailMax } = latest.current;
      dispatch({ type: 'feedback/clear' });
      const move = listMove(input, key, page);
      const selected = selectedItem(state.anomalies);
      if (state.detail) {
        if (key.escape || key.backspace || key.delete || key.return) dispatch({ type: 'detail/close' });
        else if (move !== null) dispatch({ type: 'detail/scroll', delta: move, max: detailMax });
        else if (input === 'a') commands.acknowledge(state.detail.id);
        else if (input === 'r') commands.resolve(state.detail.id);
        return;
      }
      if (move !== null) {
        dispatch({ type: 'list/move', list: 'anomalies', delta: move });
        const cursor = cursorAfterMove(state.anomalies, move);
        if (cursor) commands.loadMore(cursor);
        return;
      }
      if (input === 'f') dispatch({ type: 'filter/next' });
      else if (key.return) dispatch({ type: 'detail/open' });
      else if (input === 'a' && selected) commands.acknowledge(selected.id);
      else if (input === 'r' && selected) commands.resolve(selected.id);
    },
    { isActive: active },
  );
}
