import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { AppError, type ErrorDetail } from '../errors.js';
import { pointerSegment } from './schema-walk.js';

export type JsonSchema = Record<string, unknown>;

const addFormats = addFormatsModule as unknown as { default: (ajv: Ajv) => void };

function makeAjv(coerceTypes: boolean): Ajv {
  // discriminator: oneOf branches picked by a tag (source verification types) report only that branch's errors
  const ajv = new Ajv({ allErrors: true, coerceTypes, useDefaults: true, strict: false, discriminator: true });
  addFormats.default(ajv);
  return ajv;
}

/** The compilers of request validators: an ajv caches what it compiled, so each app builds its own. */
export interface RequestAjv {
  /** Validates request bodies (no coercion: JSON types must be right). */
  readonly body: Ajv;
  /** Validates query strings (strings coerced to the schema's numbers and booleans). */
  readonly query: Ajv;
}

/** A fresh pair of request-validator compilers (one per set of mounted routes). */
export function createRequestAjv(): RequestAjv {
  return { body: makeAjv(false), query: makeAjv(true) };
}

/** Turns ajv errors into the `details` of a 400: one entry per problem, JSON-pointer paths. */
export function toDetails(errors: ErrorObject[] | null | undefined, root = ''): ErrorDetail[] {
  // a bad property name yields the reason (with `propertyName`) and a vaguer `propertyNames` summary: keep the reason
  const reasons = (errors ?? []).filter((error) => error.keyword !== 'propertyNames');
  return (reasons.length > 0 ? reasons : (errors ?? [])).map((error) => {
    let path = root + error.instancePath;
    if (error.propertyName !== undefined) path += `/${pointerSegment(error.propertyName)}`;
    if (error.keyword === 'required') path += `/${pointerSegment((error.params as { missingProperty: string }).missingProperty)}`;
    if (error.keyword === 'additionalProperties')
      path += `/${pointerSegment((error.params as { additionalProperty: string }).additionalProperty)}`;
    let message = error.message ?? 'is invalid';
    if (error.keyword === 'required') message = 'is required';
    if (error.keyword === 'additionalProperties') message = 'is not a known field';
    if (error.keyword === 'enum') message = `must be one of: ${(error.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`;
    if (error.propertyName !== undefined) message = `is not a valid name: ${message}`;
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
