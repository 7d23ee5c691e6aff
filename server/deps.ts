import type { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import type { Db } from '../db/index.js';

/** A source of "now" in epoch milliseconds; tests inject their own to move time. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/**
 * What the app and its background workers are built from. `signals` carries in-process wake-ups
 * (e.g. `work` after a route commits new deliveries) so the dispatcher need not wait for its poll.
 */
export interface AppDeps {
  config: Readonly<Config>;
  db: Db;
  logger: Logger;
  clock: Clock;
  signals: EventEmitter;
  /** Set once migrations are applied; /readyz answers 200 only then. */
  readiness: { migrated: boolean };
}
