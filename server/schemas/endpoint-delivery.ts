import { parseDuration } from '../../config/duration.js';
import { AppError, type ErrorDetail } from '../errors.js';
import { filterProblems } from '../filters/index.js';
import { filterSchema } from './filter.js';

/**
 * The per-endpoint delivery fields of CONTRACT §8: `filter`, `retry_schedule` and `timeout`,
 * on create and PATCH (`null` clears), echoed as given. The schema checks their shape; the
 * ranges and the filter language are checked by `assertDeliveryOverrides`, which answers 400
 * invalid_request with a detail per problem.
 */

/** A duration as the API takes it: digits and a unit (`500ms`, `5s`, `30m`, `2h`, `1d`). */
const DURATION_PATTERN = '^[0-9]{1,9}(ms|s|m|h|d)$';
const RETRY_DELAY_MIN_MS = 1000;
const RETRY_DELAY_MAX_MS = 7 * 86_400_000;
const TIMEOUT_MIN_MS = 1000;
const TIMEOUT_MAX_MS = 60_000;
export const RETRY_SCHEDULE_MAX = 20;

export const endpointFilterField = {
  ...filterSchema,
  type: ['object', 'null'],
  description: `${filterSchema.description} The endpoint receives a message only when its event_types match and this filter matches the payload; null = every payload.`,
} as const;

export const retryScheduleField = {
  type: ['array', 'null'],
  maxItems: RETRY_SCHEDULE_MAX,
  items: { type: 'string', maxLength: 16, pattern: DURATION_PATTERN },
  description:
    'Delays between attempts after the first (each `1s`–`7d`, e.g. `["10s","5m","1h"]`), overriding DISPATCH_RETRY_SCHEDULE for this endpoint; `[]` = one attempt only; null = the global schedule.',
} as const;

export const timeoutField = {
  type: ['string', 'null'],
  maxLength: 16,
  pattern: DURATION_PATTERN,
  description: 'Per-attempt timeout between `1s` and `60s` (e.g. `"10s"`), overriding DISPATCH_REQUEST_TIMEOUT; null = the global one.',
} as const;

/** The request properties, for the create and PATCH body schemas. */
export const deliveryOverrideProperties = {
  filter: endpointFilterField,
  retry_schedule: retryScheduleField,
  timeout: timeoutField,
} as const;

function durationProblem(text: string, path: string, min: number, max: number, range: string): ErrorDetail | null {
  const ms = parseDuration(text);
  return ms !== null && ms >= min && ms <= max ? null : { path, message: `must be a duration between ${range}` };
}

/** 400 invalid_request (with details) when the filter, a retry delay or the timeout is refused. */
export function assertDeliveryOverrides(body: {
  filter?: unknown;
  retry_schedule?: readonly string[] | null;
  timeout?: string | null;
}): void {
  const details: ErrorDetail[] = [];
  if (body.filter !== undefined && body.filter !== null) {
    for (const problem of filterProblems(body.filter)) details.push({ path: `/filter${problem.path}`, message: problem.message });
  }
  body.retry_schedule?.forEach((delay, index) => {
    const problem = durationProblem(delay, `/retry_schedule/${index}`, RETRY_DELAY_MIN_MS, RETRY_DELAY_MAX_MS, '1s and 7d');
    if (problem) details.push(problem);
  });
  if (typeof body.timeout === 'string') {
    const problem = durationProblem(body.timeout, '/timeout', TIMEOUT_MIN_MS, TIMEOUT_MAX_MS, '1s and 60s');
    if (problem) details.push(problem);
  }
  if (details.length > 0) throw new AppError('invalid_request', `${details[0].path} ${details[0].message}.`, { details });
}

/** The response properties: the fields as stored (durations as given), null when not set. */
export const deliveryOverrideResponseProperties = {
  filter: { type: ['object', 'null'], additionalProperties: true, description: 'The payload filter, or null.' },
  retry_schedule: { type: ['array', 'null'], items: { type: 'string' }, description: 'As given, or null (the global schedule).' },
  timeout: { type: ['string', 'null'], description: 'As given, or null (the global timeout).' },
  held_count: { type: 'integer', minimum: 0, description: 'Deliveries held while the endpoint is disabled (CONTRACT §8.2).' },
} as const;
