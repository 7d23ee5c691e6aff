import { isDeadlock } from './errors.js';

/**
 * Retrying a transaction that lost a conflict. InnoDB aborts one of two deadlocked transactions,
 * and Galera (multi-primary MariaDB) aborts a transaction at commit when another node committed
 * a write to the same row first (certification); both report ER_LOCK_DEADLOCK, and in both cases
 * nothing of the transaction was committed, so running it again whole is safe and is what the
 * server asks for ("try restarting transaction"). On Galera this is expected under concurrent
 * load, not an error worth an operator's attention.
 */

export interface DeadlockRetryOptions {
  /** Runs of the transaction at most (the first included). */
  attempts?: number;
  /** Base of the jittered, doubling pause between runs. */
  baseDelayMs?: number;
  /** Longest pause between runs. */
  maxDelayMs?: number;
  /** Told about each conflict that will be retried (log it at debug). */
  onRetry?: (error: unknown, attempt: number) => void;
}

const DEFAULT_ATTEMPTS = 10;
const DEFAULT_BASE_DELAY_MS = 5;
const DEFAULT_MAX_DELAY_MS = 250;

/**
 * Runs `work` (which must open and commit its own transaction) and runs it again when it fails
 * with a deadlock, up to `attempts` times, pausing a random time in [d/2, d] between runs, d
 * doubling from `baseDelayMs` up to `maxDelayMs`: random so that two colliding writers do not
 * collide again in step. Any other error, and the last deadlock, are thrown as they are.
 */
export async function retryOnDeadlock<T>(work: () => Promise<T>, options: DeadlockRetryOptions = {}): Promise<T> {
  const attempts = options.attempts ?? DEFAULT_ATTEMPTS;
  const maxDelay = options.maxDelayMs ?? DEFAULT_MAX_DELAY_MS;
  let delay = options.baseDelayMs ?? DEFAULT_BASE_DELAY_MS;
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (!isDeadlock(error) || attempt >= attempts) throw error;
      options.onRetry?.(error, attempt);
      await new Promise((resolve) => setTimeout(resolve, delay / 2 + (Math.random() * delay) / 2));
      delay = Math.min(delay * 2, maxDelay);
    }
  }
}
