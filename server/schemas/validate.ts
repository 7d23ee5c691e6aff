import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { AppError, type ErrorDetail } from '../errors.js';

export type JsonSchema = Record<string, unknown>;

const addFormats = addFormatsModule as unknown as { default: (ajv: Ajv) => void };

function makeAjv(coerceTypes: boolean): Ajv {
  // discriminator: oneOf branches picked by a tag (source verification types) report only that branch's errors
  const ajv = new Ajv({ allErrors: true, coerceTypes, useDefaults: true, strict: false, discriminator: true });
  addFormats.default(ajv);
  return ajv;
}

/** Validates request bodies (no coercion: JSON types must be right). */
export const bodyAjv = makeAjv(false);
/** Validates query strings (strings coerced to the schema's numbers and booleans). */
export const queryAjv = makeAjv(true);

/** Turns ajv errors into the `details` of a 400: one entry per problem, JSON-pointer paths. */
export function toDetails(errors: ErrorObject[] | null | undefined, root = ''): ErrorDetail[] {
  return (errors ?? []).map((error) => {
    let path = root + error.instancePath;
    if (error.keyword === 'required') path += `/${(error.params as { missingProperty: string }).missingProperty}`;
    if (error.keyword === 'additionalProperties') path += `/${(error.params as { additionalProperty: string }).additionalProperty}`;
    let message = error.message ?? 'is invalid';
    if (error.keyword === 'required') message = 'is required';
    if (error.keyword === 'additionalProperties') message = 'is not a known field';
    if (error.keyword === 'enum') message = `must be one of: ${(error.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`;
    return { path: path || '/', message };
  });
}

/** Runs a compiled validator and throws 400 `invalid_request` with details when it fails. */
export function assertValid<T>(validate: ValidateFunction, value: unknown, what: 'body' | 'query'): T {
  if (!validate(value)) {
    const details = toDetails(validate.errors);
    const first = details[0];
    throw new AppError('invalid_request', `The request ${what} is invalid: ${first.path} ${first.message}.`, { details });
  }
  return value as T;
}
