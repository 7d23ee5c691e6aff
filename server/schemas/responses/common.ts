import type { FromSchema, JSONSchema } from 'json-schema-to-ts';

/**
 * Building blocks of the response schemas. Each resource has one schema (the `data` object); its
 * serialiser returns `ResponseOf<typeof schema>`, so a serialiser that drifts from the schema fails
 * tsc, and the same object is what OpenAPI documents and what the response test validates against.
 * Resource objects are closed (`additionalProperties: false`) so an extra field is drift too;
 * free-form objects (`payload`, `metadata`, `schema`, `details`, `filter`) are open.
 */

/** The static type of a response schema (what its serialiser must return). */
export type ResponseOf<S extends JSONSchema> = FromSchema<S>;

export const id = (prefix: string) => ({ type: 'string', description: `\`${prefix}_…\`` }) as const;
export const timestamp = { type: 'string', format: 'date-time', description: 'ISO-8601 UTC.' } as const;
export const nullableTimestamp = { type: ['string', 'null'], format: 'date-time', description: 'ISO-8601 UTC, or null.' } as const;
export const nullableString = { type: ['string', 'null'] } as const;
export const nullableInteger = { type: ['integer', 'null'] } as const;

/** A JSON object whose keys are the caller's own. */
export const freeForm = { type: 'object', additionalProperties: true } as const;
/** A header map as configured (names to values). */
export const headerMap = { type: 'object', additionalProperties: { type: 'string' } } as const;

/** `{id, deleted: true}` of a DELETE. */
export const deletedSchema = {
  type: 'object',
  required: ['id', 'deleted'],
  additionalProperties: false,
  properties: { id: { type: 'string' }, deleted: { const: true } },
} as const;

/** The §2 error body every non-2xx answer carries. */
export const errorBodySchema = {
  type: 'object',
  required: ['ok', 'error', 'message'],
  properties: {
    ok: { const: false },
    error: { type: 'string' },
    message: { type: 'string' },
    details: {
      type: 'array',
      items: { type: 'object', required: ['path', 'message'], properties: { path: { type: 'string' }, message: { type: 'string' } } },
    },
    required_scope: { type: 'string' },
  },
} as const;

/** `{ok: true, data}` around one object. */
export function singleEnvelope(data: JSONSchema) {
  return { type: 'object', required: ['ok', 'data'], additionalProperties: false, properties: { ok: { const: true }, data } } as const;
}

/** `{ok: true, data: [...], next_cursor}` around the items of a list. */
export function listEnvelope(item: JSONSchema) {
  return {
    type: 'object',
    required: ['ok', 'data', 'next_cursor'],
    additionalProperties: false,
    properties: {
      ok: { const: true },
      data: { type: 'array', items: item },
      next_cursor: { type: ['string', 'null'], description: 'Pass as `cursor` for the next page; null on the last page.' },
    },
  } as const;
}

/** The `data` of a DELETE (`deleted` stays the literal `true` its schema says). */
export const deletedResult = (deletedId: string) => ({ id: deletedId, deleted: true as const });
