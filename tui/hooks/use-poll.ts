import { useEffect, useState } from 'react';
import { useLatest } from './use-latest.js';

/**
 * Runs `load` now and every `intervalMs` while `enabled`, never two at once (a slow server must
 * not pile requests up). Changing `key` (a filter, a drill-down) reloads at once.
 */
export function usePoll(load: () => Promise<unknown>, intervalMs: number, enabled: boolean, key: string): void {
  const latest = useLatest(load);
  useEffect(() => {
    if (!enabled) return;
    let stopped = false;
    let running = false;
    const tick = async () => {
      if (running || stopped) return;
      running = true;
      try {
        await latest.current();
      } catch {
        // loads report their own errors on the screen; a throw here must not stop the timer
      } finally {
        running = false;
      }
    };
    void tick();
    const timer = setInterval(() => void tick(), intervalMs);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [latest, intervalMs, enabled, key]);
}

/** The current time, re-read every `intervalMs`, for "updated Ns ago" labels. */
export function useNow(intervalMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}
