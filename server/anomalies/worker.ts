import { listOpenAnomaliesOfType, openKeyOf } from '../../db/queries/anomalies.js';
import type { AppDeps } from '../deps.js';
import { coerceError } from '../errors.js';
import { checkEndpointDisabled } from './endpoint-disabled.js';
import { checkFailingTarget, resolveIfRecovered } from './endpoint-failing.js';
import { detectorContext, runDetectorsOnce } from './engine.js';
import type { AnomalyWindows } from './windows.js';

/** The payload of the dispatcher's `attempt` signal. */
export interface AttemptSignal {
  kind: 'endpoint' | 'source';
  targetId: string;
  workspaceId: string;
  status: 'succeeded' | 'failed';
  consecutiveFailures: number;
}

export interface AnomalyWorker {
  /** Stops the timer and the signal listeners, then waits (up to graceMs) for running work. */
  stop(graceMs: number): Promise<void>;
}

/**
 * Runs the detectors every DISPATCH_ANOMALY_INTERVAL (the first pass at once) and reacts to the
 * dispatcher's signals between passes: `attempt` opens endpoint_failing the moment a streak
 * reaches the threshold and resolves it on the first success; `endpoint_disabled` /
 * `endpoint_enabled` open and resolve endpoint_disabled. The signals only make things happen
 * sooner: every pass re-derives the same state from the database.
 */
export function startAnomalyWorker(deps: AppDeps, options: { windows?: Partial<AnomalyWindows> } = {}): AnomalyWorker {
  const { config, logger, signals } = deps;
  const running = new Set<Promise<unknown>>();
  // endpoint_failing keys known to be open: a success signal costs a write only for those
  const failingOpen = new Set<string>();
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;

  const track = (label: string, work: () => Promise<unknown>) => {
    if (stopped) return;
    const promise = work()
      .catch((thrown) => logger.error({ err: coerceError(thrown), work: label }, 'anomaly work failed'))
      .finally(() => running.delete(promise));
    running.add(promise);
  };

  const pass = async () => {
    const tally = await runDetectorsOnce(deps, deps.clock.now(), options.windows);
    if (tally.opened.length + tally.bumped.length + tally.resolved.length > 0) {
      logger.debug({ opened: tally.opened.length, bumped: tally.bumped.length, resolved: tally.resolved.length, durations: tally.durations }, 'anomaly pass');
    }
    failingOpen.clear();
    for (const anomaly of await listOpenAnomaliesOfType(deps.db, 'endpoint_failing')) failingOpen.add(anomaly.subjectId);
  };

  const schedule = (delayMs: number) => {
    if (stopped) return;
    timer = setTimeout(() => track('pass', () => pass().finally(() => schedule(config.anomalyIntervalMs))), delayMs);
    timer.unref?.();
  };

  const onAttempt = (signal: AttemptSignal) => {
    const key = openKeyOf('endpoint_failing', signal.targetId);
    if (signal.status === 'failed' && signal.consecutiveFailures >= config.failingThreshold && !failingOpen.has(signal.targetId)) {
      track(key, async () => {
        const ctx = detectorContext(deps, deps.clock.now(), options.windows);
        if (await checkFailingTarget(ctx, signal.kind, signal.targetId, signal.consecutiveFailures)) failingOpen.add(signal.targetId);
      });
    } else if (signal.status === 'succeeded' && failingOpen.has(signal.targetId)) {
      failingOpen.delete(signal.targetId);
      track(key, () => resolveIfRecovered(detectorContext(deps, deps.clock.now(), options.windows), signal.kind, signal.targetId));
    }
  };
  const onEndpointToggled = (signal: { endpointId: string }) => {
    track(`endpoint_disabled:${signal.endpointId}`, () =>
      checkEndpointDisabled(detectorContext(deps, deps.clock.now(), options.windows), signal.endpointId));
  };

  signals.on('attempt', onAttempt);
  signals.on('endpoint_disabled', onEndpointToggled);
  signals.on('endpoint_enabled', onEndpointToggled);
  schedule(0);

  return {
    async stop(graceMs) {
      stopped = true;
      if (timer) clearTimeout(timer);
      signals.off('attempt', onAttempt);
      signals.off('endpoint_disabled', onEndpointToggled);
      signals.off('endpoint_enabled', onEndpointToggled);
      let expired: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((resolve) => {
        expired = setTimeout(resolve, graceMs);
      });
      await Promise.race([Promise.allSettled([...running]), grace]);
      clearTimeout(expired);
    },
  };
}
