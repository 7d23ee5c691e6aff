import type { ValidateFunction } from 'ajv';
import type { SendContext } from '../../db/queries/messages.js';
import { payloadValidator } from '../schemas/event-types.js';

const VALIDATOR_CACHE_MAX = 5_000;

/** Compiled event-type schemas of one app (see `createPayloadValidators`). */
export interface PayloadValidators {
  /** The compiled schema of this event type as last updated, or null when it has none. */
  validatorFor(eventType: NonNullable<SendContext['eventType']>): ValidateFunction | null;
}

/**
 * Compiled event-type schemas, keyed by event type id and its last update (a new schema
 * recompiles). Compiling costs milliseconds, so each app keeps what it compiled; the map is
 * cleared when it grows past 5,000 types rather than tracking use.
 */
export function createPayloadValidators(): PayloadValidators {
  const validators = new Map<string, ValidateFunction | null>();
  return {
    validatorFor(eventType) {
      const key = `${eventType.id}:${eventType.updatedAt}`;
      let validate = validators.get(key);
      if (validate === undefined) {
        if (validators.size >= VALIDATOR_CACHE_MAX) validators.clear();
        // the same compiler (and draft selection) that checked the schema when the type was saved
        validate = eventType.schemaText ? payloadValidator(JSON.parse(eventType.schemaText) as Record<string, unknown>) : null;
        validators.set(key, validate);
      }
      return validate;
    },
  };
}
