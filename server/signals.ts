import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { Anomaly } from '../db/queries/anomalies.js';
import { coerceError } from './errors.js';

/** What the recorder reports after each attempt is written (dispatcher → anomalies, metrics). */
export interface AttemptSignal {
  kind: 'endpoint' | 'source';
  /** The endpoint or source id. */
  targetId: string;
  workspaceId: string;
  status: 'succeeded' | 'failed';
  /** The target's failure streak after this attempt (0 after a success). */
  consecutiveFailures: number;
  /** The attempt's error class (CONTRACT Attempt.error), null on success. */
  error?: string | null;
  durationMs?: number;
  /** True for the first scheduled attempt of a delivery (not retries, replays or recovers). */
  firstAttempt?: boolean;
  /** When the delivery was created: message accepted or event ingested (epoch ms). */
  acceptedAt?: number;
  /** When the attempt finished (epoch ms). */
  at?: number;
}

/** An endpoint was disabled (by the recorder after failing continuously) or re-enabled (PATCH). */
export interface EndpointToggledSignal {
  endpointId: string;
  workspaceId: string;
}

/**
 * A user changed an endpoint's `disabled` state (PATCH, API or portal), emitted after the change
 * committed and only when the state changed. Operational webhooks send it as
 * `endpoint.disabled|enabled` with reason `manual` (server/operational/).
 */
export interface EndpointToggledByHandSignal {
  endpointId: string;
  workspaceId: string;
  appId: string;
  recipientId: string;
  disabled: boolean;
}

/** An anomaly was opened, or resolved (by a detector or by hand), as stored after the write committed. */
export interface AnomalySignal {
  anomaly: Anomaly;
}

/** A request to an ingest URL was stored, with how. */
export interface IngestedSignal {
  status: 'accepted' | 'duplicate' | 'rejected';
  sourceId: string;
  workspaceId: string;
  eventId: string;
}

/**
 * Every in-process signal of one app and its payload, in one place. Signals only make things
 * happen sooner (the dispatcher wakes, a detector runs, a counter moves): every listener must
 * reach the same state from the database on its own schedule.
 */
export interface DispatchSignals {
  /** New deliveries were committed: the dispatcher should claim now rather than at its next poll. */
  work: [];
  /** Messages were accepted (202). */
  accepted: [{ count: number }];
  ingested: [IngestedSignal];
  attempt: [AttemptSignal];
  endpoint_disabled: [EndpointToggledSignal];
  endpoint_enabled: [EndpointToggledSignal];
  endpoint_toggled_by_hand: [EndpointToggledByHandSignal];
  anomaly_opened: [AnomalySignal];
  anomaly_resolved: [AnomalySignal];
}

/** The typed signal bus an app owns (see `createSignalBus`). */
export type SignalBus = EventEmitter<DispatchSignals>;

/** A bus for one app: no listener limit (every worker and test may listen), typed by `DispatchSignals`. */
export function createSignalBus(): SignalBus {
  const bus = new EventEmitter<DispatchSignals>();
  bus.setMaxListeners(0);
  return bus;
}

/**
 * Emits `name` to every listener, each in its own try/catch: a listener that throws (or returns a
 * rejected promise) is logged through the logger's `err` serializer and never reaches the
 * emitter, and the listeners after it still run. Emitters are routes after a commit and the
 * dispatcher's recorder, where a throw would turn a stored message into a 500 or rewrite a
 * committed group (graphile-worker's WorkerEvents are guarded the same way).
 */
export function safeEmit<K extends keyof DispatchSignals>(bus: SignalBus, logger: Logger, name: K, ...args: DispatchSignals[K]): void {
  // rawListeners: a `once` listener's wrapper removes itself when called, as emit would
  for (const listener of bus.rawListeners(name) as ((...a: DispatchSignals[K]) => unknown)[]) {
    try {
      const result = listener(...args);
      if (result instanceof Promise) result.catch((thrown: unknown) => logListenerError(logger, name, thrown));
    } catch (thrown) {
      logListenerError(logger, name, thrown);
    }
  }
}

function logListenerError(logger: Logger, name: string, thrown: unknown): void {
  logger.error({ err: coerceError(thrown), signal: name }, `${name} listener failed`);
}

/** `safeEmit` bound to one app's bus and logger: what `AppDeps.emit` is. */
export type EmitSignal = <K extends keyof DispatchSignals>(name: K, ...args: DispatchSignals[K]) => void;

/** Binds `safeEmit` to a bus and the logger its listener errors go to. */
export function signalEmitter(bus: SignalBus, logger: Logger): EmitSignal {
  return (name, ...args) => safeEmit(bus, logger, name, ...args);
}
