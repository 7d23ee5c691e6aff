import { Ajv, type ValidateFunction } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { EventType } from '../../db/queries/event-types.js';
import { AppError, type ErrorDetail } from '../errors.js';
import { iso } from '../routes/serialize.js';
import { toDetails } from './validate.js';

/** Event type names: letters, digits, `.`, `_`, `-`, up to 256 characters. */
export const EVENT_TYPE_NAME_PATTERN = '^[a-zA-Z0-9._-]{1,256}$';

export const eventTypeName = { type: 'string', pattern: EVENT_TYPE_NAME_PATTERN, description: 'e.g. `invoice.paid`' } as const;
const description = { type: 'string', maxLength: 4096 } as const;
const jsonSchema = { type: 'object', description: 'A JSON Schema (draft-07, or 2019-09/2020-12 when `$schema` says so) every new message of this type must satisfy.' } as const;

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

export interface EventTypeBody {
  name: string;
  description?: string | null;
  schema?: Record<string, unknown> | null;
}

export const serializeEventType = (eventType: EventType) => ({
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
};

const addFormats = addFormatsModule as unknown as { default: (ajv: Ajv) => void };

/**
 * A fresh ajv for user-supplied schemas, kept apart from the request validators: strict off (user
 * schemas may carry unknown keywords), and fresh per schema so two schemas with the same `$id`
 * never collide in one registry.
 */
function payloadAjv(schema: Record<string, unknown>): Ajv {
  const dialect = typeof schema.$schema === 'string' ? schema.$schema : '';
  const options = { strict: false, allErrors: true, logger: false as const };
  // draft-07 unless the schema declares a newer draft
  let ajv: Ajv;
  if (dialect.includes('2020-12')) ajv = new Ajv2020(options) as unknown as Ajv;
  else if (dialect.includes('2019-09')) ajv = new Ajv2019(options) as unknown as Ajv;
  else ajv = new Ajv(options);
  addFormats.default(ajv);
  return ajv;
}

/** Compiles a user-supplied JSON Schema; throws 400 invalid_request with details under `path` when it does not compile. */
export function compileUserSchema(schema: Record<string, unknown>, path = '/schema'): ValidateFunction {
  const ajv = payloadAjv(schema);
  let details: ErrorDetail[] = [];
  try {
    if (!ajv.validateSchema(schema)) details = toDetails(ajv.errors, path);
  } catch (error) {
    details = [{ path, message: (error as Error).message }];
  }
  if (details.length === 0) {
    try {
      return ajv.compile(schema);
    } catch (error) {
      details = [{ path, message: (error as Error).message }];
    }
  }
  throw new AppError('invalid_request', `The schema is not a valid JSON Schema: ${details[0].path} ${details[0].message}.`, { details });
}

const compiled = new Map<string, ValidateFunction>();
const COMPILED_MAX = 1000;

/**
 * The payload validator of an event type, compiled once per distinct schema text (messages of one
 * type reuse it). For the messages route: `validator(payload)` then `toDetails(validator.errors, '/payload')`.
 */
export function payloadValidator(schema: Record<string, unknown>): ValidateFunction {
  const key = JSON.stringify(schema);
  let validate = compiled.get(key);
  if (!validate) {
    validate = compileUserSchema(schema);
    if (compiled.size >= COMPILED_MAX) compiled.clear();
    compiled.set(key, validate);
  }
  return validate;
}
