import type { AppDeps } from '../deps.js';
import { coerceError } from '../errors.js';
import { backlog } from './backlog.js';
import { createDetectorContext, type Detector, type DetectorContext, type PassTally } from './context.js';
import { endpointDisabled } from './endpoint-disabled.js';
import { endpointFailing } from './endpoint-failing.js';
import { verificationFailing } from './verification-failing.js';
import { volumeDrop } from './volume-drop.js';
import { volumeSpike } from './volume-spike.js';
import { resolveWindows, type AnomalyWindows } from './windows.js';

/** Every detector, one per anomaly type, in the order a pass runs them. */
export const DETECTORS: readonly Detector[] = [endpointFailing, endpointDisabled, verificationFailing, backlog, volumeSpike, volumeDrop];

/** `emit` (optional for tools and tests that run a pass alone) announces opened and resolved anomalies. */
export type EngineDeps = Pick<AppDeps, 'db' | 'config' | 'logger' | 'clock'> & Partial<Pick<AppDeps, 'emit'>>;

/** A context for work outside a full pass (signal handlers) at `now`. */
export function detectorContext(deps: EngineDeps, now: number, windows?: Partial<AnomalyWindows>): DetectorContext {
  return createDetectorContext({ db: deps.db, config: deps.config, logger: deps.logger, emit: deps.emit }, now, resolveWindows(windows));
}

/**
 * Runs every detector once as of `now` and returns what changed. A detector that throws is
 * logged and counted in `errors`; the others still run. Safe to run from several processes at
 * once: anomalies are opened through the `open_key` unique index and bumps are conditional, so
 * concurrent passes over the same data create one anomaly with one count.
 */
export async function runDetectorsOnce(deps: EngineDeps, now = deps.clock.now(), windows?: Partial<AnomalyWindows>): Promise<PassTally> {
  const ctx = detectorContext(deps, now, windows);
  for (const detector of DETECTORS) {
    const started = performance.now();
    try {
      await detector.detect(ctx);
    } catch (thrown) {
      const error = coerceError(thrown);
      ctx.tally.errors.push({ type: detector.type, message: error.message });
      deps.logger.error({ err: error, anomaly_type: detector.type }, 'anomaly detector failed');
    }
    ctx.tally.durations[detector.type] = Math.round(performance.now() - started);
  }
  return ctx.tally;
}
