import { useInput } from 'ink';
import { useLatest } from '../screen.js';

/** Overview keyboard: `r` refreshes now (it also refreshes by itself). */
export function useOverviewInput(commands: { refresh(): void }, active: boolean): void {
  const latest = useLatest(commands);
  useInput(
    (input) => {
      if (input === 'r') latest.current.refresh();
    },
    { isActive: active },
  );
}
