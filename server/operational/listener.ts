import { isOperationalEndpointId } from '../../db/queries/operational-endpoints.js';
import type { Anomaly } from '../../db/queries/anomalies.js';
import type { AppDeps } from '../deps.js';
import { coerceError } from '../errors.js';
import type { AnomalySignal, EndpointToggledByHandSignal } from '../signals.js';
import { anomalyEvent, endpointToggleEvent, type OperationalEvent } from './events.js';
import { writeOperationalEvents } from './write.js';

export interface OperationalEvents {
  /** Detaches the listeners, then waits (up to graceMs) for events being written. */
  stop(graceMs: number): Promise<void>;
}

/** An anomaly about an operational endpoint stays visible in GET /anomalies but is never sent to operational endpoints. */
const aboutOperationalEndpoint = (anomaly: Anomaly) => anomaly.subjectKind === 'endpoint' && isOperationalEndpointId(anomaly.subjectId);

/**
 * Turns the signals of writes that commit outside the dispatcher into operational events:
 * `anomaly_opened` / `anomaly_resolved` (detectors and POST /anomalies/{id}/resolve) and
 * `endpoint_toggled_by_hand` (PATCH disabled). Each event is stored as messages of the system
 * app in its own transaction and the dispatcher is woken. Best effort per process: the signal
 * follows the commit, so a crash between the two loses that event (the failure and auto-disable
 * events are written in the attempts' own transaction instead, see from-attempts.ts).
 */
export function startOperationalEvents(deps: AppDeps): OperationalEvents {
  const { db, logger, config } = deps;
  const running = new Set<Promise<void>>();
  let stopped = false;

  const write = (event: OperationalEvent) => {
    if (stopped) return;
    const work = db
      .transaction((tx) => writeOperationalEvents(tx, [event], { now: deps.clock.now(), maxAttempts: config.retryScheduleMs.length + 1 }))
      .then((deliveries) => {
        if (deliveries > 0) deps.emit('work');
      })
      .catch((thrown: unknown) => logger.error({ err: coerceError(thrown), event: event.type }, 'operational event not written'))
      .finally(() => running.delete(work));
    running.add(work);
  };

  const onAnomalyOpened = ({ anomaly }: AnomalySignal) => {
    if (!aboutOperationalEndpoint(anomaly)) write(anomalyEvent('anomaly.opened', anomaly, deps.clock.now()));
  };
  const onAnomalyResolved = ({ anomaly }: AnomalySignal) => {
    if (!aboutOperationalEndpoint(anomaly)) write(anomalyEvent('anomaly.resolved', anomaly, deps.clock.now()));
  };
  const onToggled = (signal: EndpointToggledByHandSignal) => {
    if (isOperationalEndpointId(signal.endpointId)) return;
    write(endpointToggleEvent(signal.disabled, signal, 'manual', deps.clock.now()));
  };

  deps.signals.on('anomaly_opened', onAnomalyOpened);
  deps.signals.on('anomaly_resolved', onAnomalyResolved);
  deps.signals.on('endpoint_toggled_by_hand', onToggled);

  return {
    async stop(graceMs) {
      stopped = true;
      deps.signals.off('anomaly_opened', onAnomalyOpened);
      deps.signals.off('anomaly_resolved', onAnomalyResolved);
      deps.signals.off('endpoint_toggled_by_hand', onToggled);
      let expired: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((resolve) => {
        expired = setTimeout(resolve, graceMs);
      });
      await Promise.race([Promise.allSettled([...running]), grace]);
      clearTimeout(expired);
    },
  };
}
