import type { AppDeps } from './deps.js';

/** Background work that runs beside the HTTP server (dispatcher, anomaly detectors, retention). */
export interface Workers {
  /** Stops claiming new work and waits up to `graceMs` for in-flight work, then releases leases. */
  stop(graceMs: number): Promise<void>;
}

export function startWorkers(_deps: AppDeps): Workers {
  const started: Workers[] = [];
  return {
    async stop(graceMs) {
      await Promise.all(started.map((worker) => worker.stop(graceMs)));
    },
  };
}
