import type { AppDeps } from './deps.js';
import { startAnomalyWorker } from './anomalies/worker.js';
import { startDispatcher } from './delivery/dispatcher.js';
import { startSecretSealer } from './encrypt-secrets.js';
import { reportInFlight } from './metrics.js';
import { startOperationalEvents } from './operational/listener.js';
import { startRetentionWorker } from './retention/worker.js';

/** Background work that runs beside the HTTP server (dispatcher, anomaly detectors, retention). */
export interface Workers {
  /** Stops claiming new work and waits up to `graceMs` for in-flight work, then releases leases. */
  stop(graceMs: number): Promise<void>;
}

/** Starts every background worker of one app; `Runtime.startWorkers` (server/runtime.ts) calls this. */
export function startWorkers(deps: AppDeps): Workers {
  const started: Workers[] = [];
  // before the anomaly worker: its first pass may already open (and announce) anomalies
  started.push(startOperationalEvents(deps));
  started.push(startAnomalyWorker(deps));
  const dispatcher = startDispatcher(deps);
  started.push(dispatcher);
  started.push(reportInFlight(deps.metrics, () => dispatcher.inFlight()));
  started.push(startRetentionWorker(deps));
  started.push(startSecretSealer(deps));
  return {
    async stop(graceMs) {
      await Promise.all(started.map((worker) => worker.stop(graceMs)));
    },
  };
}
