import type { Receiver } from './receiver.js';

/**
 * Counting what receivers got against what the server recorded, for the tests that promise
 * "every (message, endpoint) exactly once" across several processes (replicas, Galera).
 */

/** Copies received per `webhook-id` (the message id). */
export function countsById(receiver: Receiver): Map<string, number> {
  const counts = new Map<string, number>();
  for (const request of receiver.requests) {
    const id = request.headers['webhook-id'] as string;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

/** One attempt row as the tests read it from `attempts`. */
export interface AttemptRow {
  message_id: string;
  endpoint_id: string;
  status: string;
  error: string | null;
}

/** Per `message/endpoint`: the attempts recorded, succeeded and failed (by error). */
export type RecordedAttempts = Map<string, { succeeded: number; failed: string[] }>;

export function groupAttempts(rows: AttemptRow[]): RecordedAttempts {
  const recorded: RecordedAttempts = new Map();
  for (const row of rows) {
    const key = `${row.message_id}/${row.endpoint_id}`;
    const entry = recorded.get(key) ?? { succeeded: 0, failed: [] };
    if (row.status === 'succeeded') entry.succeeded++;
    else entry.failed.push(row.error ?? 'unknown');
    recorded.set(key, entry);
  }
  return recorded;
}

/**
 * For one endpoint's receiver: the accepted messages whose copies are not exactly their recorded
 * attempts (a send nobody recorded: two processes held the same row), and those without exactly
 * one successful attempt. A copy beyond the first is then only ever the retry of a recorded
 * failure (on a starved machine, a receiver that answered after the request timeout), which
 * at-least-once delivery owes; those are counted by error.
 */
export function compareWithAttempts(receiver: Receiver, endpointId: string, accepted: string[], recorded: RecordedAttempts) {
  const copies = countsById(receiver);
  const unrecorded: string[] = [];
  const notOnce: string[] = [];
  const retriedAfter = new Map<string, number>();
  for (const id of accepted) {
    const attempts = recorded.get(`${id}/${endpointId}`) ?? { succeeded: 0, failed: [] };
    if ((copies.get(id) ?? 0) !== attempts.succeeded + attempts.failed.length) unrecorded.push(id);
    if (attempts.succeeded !== 1) notOnce.push(id);
    for (const error of attempts.failed) retriedAfter.set(error, (retriedAfter.get(error) ?? 0) + 1);
  }
  return { unrecorded, notOnce, retriedAfter: Object.fromEntries(retriedAfter) };
}
