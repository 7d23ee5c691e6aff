import { render } from 'ink-testing-library';
import { createApiClient } from '../../tui/api-client.js';
import { App, TABS } from '../../tui/app.js';

/** Terminal key sequences as a terminal sends them. */
export const KEY = {
  enter: '\r',
  escape: '\u001B',
  up: '\u001B[A',
  down: '\u001B[B',
  pageDown: '\u001B[6~',
  tab: '\t',
  shiftTab: '\u001B[Z',
  backspace: '\u007F',
  ctrlC: '\u0003',
} as const;

/**
 * Polls `check` until it returns something truthy (returned) or `timeoutMs` passes; the error
 * names `what` and, for frames, shows the last one so a failing TUI test explains itself.
 */
export async function poll<T>(check: () => T | Promise<T>, what: () => string, timeoutMs = 15_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export interface RenderedTui {
  lastFrame(): string;
  /** Sends one key (or a pasted string) and lets React commit the update before returning. */
  press(input: string): Promise<void>;
  /** Sends keys back to back, as fast typing or a paste of separate keys would, with no pause. */
  pressAtOnce(...inputs: string[]): void;
  /** Waits until the frame contains `text` (or matches it) and returns the frame. */
  waitForFrame(text: string | RegExp, timeoutMs?: number): Promise<string>;
  /** Waits until the frame no longer contains `text`. */
  waitForFrameWithout(text: string | RegExp, timeoutMs?: number): Promise<string>;
  /** Pretends the terminal was resized to `columns` × `rows`, as a real terminal's SIGWINCH does. */
  resize(columns: number, rows: number): void;
  unmount(): void;
}

/** Renders the whole TUI against `url` with `key`, on screen `tab` (a TABS name), refreshing fast. */
export function renderTui(url: string, key: string, tab: (typeof TABS)[number] = 'Anomalies', refreshMs = 150): RenderedTui {
  const client = createApiClient({ baseUrl: url, apiKey: key });
  const instance = render(<App client={client} refreshMs={refreshMs} initialTab={TABS.indexOf(tab)} />);
  const frame = () => instance.lastFrame() ?? '';
  const has = (text: string | RegExp) => (typeof text === 'string' ? frame().includes(text) : text.test(frame()));
  return {
    lastFrame: frame,
    async press(input) {
      instance.stdin.write(input);
      // the input handler re-subscribes after React commits; give it that turn of the loop
      await new Promise((resolve) => setTimeout(resolve, 30));
    },
    pressAtOnce(...inputs) {
      for (const input of inputs) instance.stdin.write(input);
    },
    waitForFrame: (text, timeoutMs) =>
      poll(
        () => (has(text) ? frame() : null),
        () => `${String(text)} in frame:\n${frame()}`,
        timeoutMs,
      ),
    waitForFrameWithout: (text, timeoutMs) =>
      poll(
        () => (has(text) ? null : frame()),
        () => `${String(text)} to leave frame:\n${frame()}`,
        timeoutMs,
      ),
    resize(columns, rows) {
      Object.defineProperty(instance.stdout, 'columns', { value: columns, configurable: true });
      Object.defineProperty(instance.stdout, 'rows', { value: rows, configurable: true });
      instance.stdout.emit('resize');
    },
    unmount: () => instance.unmount(),
  };
}
