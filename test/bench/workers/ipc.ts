import type { Json } from '../../helpers/json.js';
/**
 * The worker side of children.ts's `startWorker`: answers `{cmd, seq, …}` messages from the
 * bench runner with `{seq, result}` or `{seq, error}`, and exits when the runner goes away
 * (so a killed run never leaves a load generator or receiver behind).
 */
export function serve(handlers: Record<string, (command: Json) => unknown>): void {
  process.on('message', async (command: { cmd: string; seq: number }) => {
    try {
      const handler = handlers[command.cmd];
      if (!handler) throw new Error(`unknown command ${command.cmd}`);
      process.send?.({ seq: command.seq, result: await handler(command) });
    } catch (error) {
      process.send?.({ seq: command.seq, error: error instanceof Error ? error.message : String(error) });
    }
  });
  process.on('disconnect', () => process.exit(0));
  process.on('SIGTERM', () => process.exit(0));
}

/** Wall-clock milliseconds with sub-millisecond precision, comparable across processes. */
export function preciseNow(): number {
  return performance.timeOrigin + performance.now();
}
