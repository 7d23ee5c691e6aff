import { discardHeldDeliveries, holdPendingDeliveries, releaseHeldDeliveries } from '../../db/queries/held-deliveries.js';
import type { AppDeps } from '../deps.js';
import { coerceError } from '../errors.js';
import type { EndpointToggledSignal } from '../signals.js';
import type { Workers } from '../workers.js';

/**
 * Held deliveries (CONTRACT §8.2) as the routes and workers use them. The endpoint's `disabled`
 * flag is committed first; these then move its deliveries in short batches
 * (db/queries/held-deliveries.ts). A fan-out racing the change is caught later: a pending
 * delivery of a disabled endpoint is held when the dispatcher claims it (endpoint-target.ts), a
 * held one of an enabled endpoint is released by the retention worker's sweep.
 */

/** The endpoint was disabled: its pending deliveries wait as `held`. Returns how many. */
export async function holdEndpoint(deps: Pick<AppDeps, 'db' | 'clock'>, endpointId: string): Promise<number> {
  return holdPendingDeliveries(deps.db, endpointId, deps.clock.now());
}

/** The endpoint was re-enabled: its held deliveries are pending again and the dispatcher is woken. Returns how many. */
export async function releaseEndpoint(deps: Pick<AppDeps, 'db' | 'clock' | 'emit'>, endpointId: string): Promise<number> {
  const released = await releaseHeldDeliveries(deps.db, endpointId, deps.clock.now());
  if (released > 0) deps.emit('work');
  return released;
}

/** `POST …/discard-held`: the held deliveries finish as failed with `last_error: discarded`. Returns how many. */
export async function discardHeld(deps: Pick<AppDeps, 'db' | 'clock'>, endpointId: string): Promise<number> {
  return discardHeldDeliveries(deps.db, endpointId, deps.clock.now());
}

/**
 * Holds an auto-disabled endpoint's pending deliveries as soon as the recorder announces it
 * (`endpoint_disabled`); the recorder's own transaction stays short. Runs with the dispatcher
 * whose recorder disables endpoints. Should this process die first, each delivery is still held
 * when it comes due (the resolver holds what it claims).
 */
export function startHeldWorker(deps: AppDeps): Workers {
  const running = new Set<Promise<unknown>>();
  const onDisabled = (signal: EndpointToggledSignal) => {
    const job = holdEndpoint(deps, signal.endpointId)
      .catch((thrown: unknown) => {
        deps.logger.warn({ err: coerceError(thrown), endpointId: signal.endpointId }, 'holding deliveries of a disabled endpoint failed');
      })
      .finally(() => running.delete(job));
    running.add(job);
  };
  deps.signals.on('endpoint_disabled', onDisabled);
  return {
    async stop() {
      deps.signals.off('endpoint_disabled', onDisabled);
      await Promise.all(running);
    },
  };
}
