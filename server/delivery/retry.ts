/** Retry timing (CONTRACT delivery rule 5): scheduled delays with jitter and clamped Retry-After. */
import { parseDuration } from '../../config/duration.js';

/** ±20 % jitter so retries of many deliveries that failed together do not arrive together. */
const JITTER = 0.2;

/** The delay before the next attempt once `attemptsDone` attempts have been made (1-based). */
export function scheduledDelayMs(scheduleMs: readonly number[], attemptsDone: number, random: () => number = Math.random): number {
  const base = scheduleMs[Math.min(Math.max(attemptsDone - 1, 0), scheduleMs.length - 1)] ?? 0;
  return Math.max(0, Math.round(base * (1 - JITTER + 2 * JITTER * random())));
}

/**
 * Parses a `Retry-After` header (delta seconds or an HTTP date) to milliseconds from `now`;
 * null when absent or unparseable.
 */
export function parseRetryAfterMs(value: string | string[] | undefined, now: number): number | null {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return null;
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

/**
 * The delay to use after a failed attempt: the scheduled delay, or — on 429/503 with a
 * `Retry-After` — that value clamped to between 1× and 2× the scheduled delay, so a receiver
 * can slow Dispatch down but neither stall nor hurry it.
 */
export function retryDelayMs(scheduledMs: number, responseStatus: number | null, retryAfterMs: number | null): number {
  if ((responseStatus === 429 || responseStatus === 503) && retryAfterMs !== null) {
    return Math.min(Math.max(retryAfterMs, scheduledMs), 2 * scheduledMs);
  }
  return scheduledMs;
}

/**
 * The lease of a claimed row: covers the request timeout plus time to reserve a rate-limit slot
 * and record the attempt. CONTRACT rule 9 caps it at the timeout + 15 s; short timeouts get a
 * shorter margin so a crashed process's rows come back sooner. An endpoint's own `timeout`
 * (§8) grows its deliveries' leases with it.
 */
export function leaseMs(requestTimeoutMs: number): number {
  return requestTimeoutMs + Math.min(15_000, Math.max(5_000, 2 * requestTimeoutMs));
}

/** An endpoint's stored override durations in milliseconds (validated when written); null = none or unreadable. */
export function overrideMs(durations: string[] | null): number[] | null {
  if (durations === null) return null;
  const ms = durations.map((text) => parseDuration(text));
  return ms.every((value): value is number => value !== null) ? ms : null;
}
