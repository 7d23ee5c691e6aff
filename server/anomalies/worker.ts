import { listOpenAnomaliesOfType, openKeyOf } from '../../db/queries/anomalies.js';
import type { AppDeps } from '../deps.js';
import { coerceError } from '../errors.js';
import { checkEndpointDisabled } from './endpoint-disabled.js';
import { checkFailingTarget, resolveIfRecovered } from './endpoint-failing.js';
import { detectorContext, runDetectorsOnce } from './engine.js';
import type { AnomalyWindows } from './windows.js';
import type { AttemptSignal, EndpointToggledSignal } from '../signals.js';

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

  // signal work per target runs in arrival order: a success must not overtake the open it resolves
  const queued = new Map<string, Promise<unknown>>();

  const track = (label: string, work: () => Promise<unknown>) => {
    if (stopped) return;
    const previous = queued.get(label) ?? Promise.resolve();
    const promise: Promise<unknown> = previous
      .then(work)
      .catch((thrown) => logger.error({ err: coerceError(thrown), work: label }, 'anomaly work failed'))
      .finally(() => {
        running.delete(promise);
        if (queued.get(label) === promise) queued.delete(label);
      });
    queued.set(label, promise);
    running.add(promise);
  };

  const pass = async () => {
    const tally = await runDetectorsOnce(deps, deps.clock.now(), options.windows);
    if (tally.opened.length + tally.bumped.length + tally.resolved.length > 0) {
      logger.debug(
        { opened: tally.opened.length, bumped: tally.bumped.length, resolved: tally.resolved.length, durations: tally.durations },
        'anomaly pass',
      );
    }
    // entries a signal added while the list was read stay: their open may have committed after it
    const known = new Set(failingOpen);
    const open = new Set((await listOpenAnomaliesOfType(deps.db, 'endpoint_failing')).map((anomaly) => anomaly.subjectId));
    for (const id of known) if (!open.has(id)) failingOpen.delete(id);
    for (const id of open) failingOpen.add(id);
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
    } else if (signal.status === 'succeeded' && (failingOpen.has(signal.targetId) || queued.has(key))) {
      failingOpen.delete(signal.targetId);
      track(key, () => resolveIfRecovered(detectorContext(deps, deps.clock.now(), options.windows), signal.kind, signal.targetId));
    }
  };
  const onEndpointToggled = (signal: EndpointToggledSignal) => {
    track(`endpoint_disabled:${signal.endpointId}`, () =>
      checkEndpointDisabled(detectorContext(deps, deps.clock.now(), options.windows), signal.endpointId),
    );
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
