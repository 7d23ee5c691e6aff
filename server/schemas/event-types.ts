import type { ValidateFunction } from 'ajv';
import type { EventType } from '../../db/queries/event-types.js';
import { AppError } from '../errors.js';
import { iso } from '../routes/serialize.js';
import { withEvaluationCounting } from './evaluation-budget.js';
import { guardValidator, payloadAjv, probeProblem, tooManySubschemas, unsupportedPatterns } from './payload-ajv.js';
import { toDetails } from './validate.js';
import type { EventTypeData } from './responses/event-types.js';

/** Event type names: letters, digits, `.`, `_`, `-`, up to 256 characters. */
export const EVENT_TYPE_NAME_PATTERN = '^[a-zA-Z0-9._-]{1,256}$';

export const eventTypeName = { type: 'string', pattern: EVENT_TYPE_NAME_PATTERN, description: 'e.g. `invoice.paid`' } as const;
const description = { type: 'string', maxLength: 4096 } as const;
const jsonSchema = {
  type: 'object',
  additionalProperties: true,
  description: 'A JSON Schema (draft-07, or 2019-09/2020-12 when `$schema` says so) every new message of this type must satisfy.',
} as const;

export const createEventTypeBody = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: { name: eventTypeName, description, schema: jsonSchema },
} as const;

export const patchEventTypeBody = {
  type: 'object',
  additionalProperties: false,
  properties: { description: { ...description, type: ['string', 'null'] }, schema: { ...jsonSchema, type: ['object', 'null'] } },
} as const;

export const serializeEventType = (eventType: EventType): EventTypeData => ({
  id: eventType.id,
  app_id: eventType.appId,
  name: eventType.name,
  description: eventType.description,
  schema: eventType.schema,
  archived: eventType.archivedAt !== null,
  archived_at: iso(eventType.archivedAt),
  created_at: iso(eventType.createdAt),
  updated_at: iso(eventType.updatedAt),
});

export const eventTypeExample = {
  id: 'et_0ujsswThIGTUYm2K8FjOOf',
  app_id: 'app_0ujsswThIGTUYm2K8FjOOf',
  name: 'invoice.paid',
  description: 'An invoice was paid in full.',
  schema: { type: 'object', required: ['invoice_id'], properties: { invoice_id: { type: 'string' } } },
  archived: false,
  archived_at: null,
  created_at: '2026-11-26T10:00:00.000Z',
  updated_at: '2026-11-26T10:00:00.000Z',
} as const;

const CYCLE = 'refers to itself without descending into the payload';

/**
 * Compiles a user-supplied JSON Schema for payload validation; throws 400 invalid_request with
 * details under `path` when it holds more than 1,000 subschemas, does not compile, uses a pattern
 * RE2 cannot run or that expands too far (details point at each pattern), or refers to itself
 * without descending into the payload.
 */
export function compileUserSchema(schema: Record<string, unknown>, path = '/schema'): ValidateFunction {
  const { ajv, meter } = payloadAjv(schema);
  // counted first: compiling (and even meta-validating) a huge schema is what holds the loop
  let details = tooManySubschemas(schema, path);
  try {
    if (details.length === 0 && !ajv.validateSchema(schema)) details = toDetails(ajv.errors, path);
  } catch (error) {
    details = [{ path, message: (error as Error).message }];
  }
  if (details.length === 0) details = unsupportedPatterns(schema, path);
  if (details.length === 0) {
    try {
      // compiled from a copy that counts its evaluations, so no payload check runs unbounded
      const validate = ajv.compile(withEvaluationCounting(schema));
      const problem = probeProblem(validate, meter);
      if (!problem) return guardValidator(validate, meter);
      details = [{ path, message: problem }];
    } catch (error) {
      // ajv itself overflows while compiling some cycles
      details = [{ path, message: error instanceof RangeError ? CYCLE : (error as Error).message }];
    }
  }
  throw new AppError('invalid_request', `The schema is not a valid JSON Schema: ${details[0].path} ${details[0].message}.`, { details });
}

/**
 * The payload validator of an event type. For the messages route: `validator(payload)` then
 * `toDetails(validator.errors, '/payload')`. Callers cache it per event type version (compiling is
 * the slow part); a stack overflow inside it reports a failed validation, never throws.
 */
export function payloadValidator(schema: Record<string, unknown>): ValidateFunction {
  return compileUserSchema(schema);
}
