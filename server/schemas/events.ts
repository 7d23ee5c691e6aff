import { MAX_DESTINATIONS } from '../ingest/destination-schemas.js';

/** `POST /events/{id}/replay`: every matching destination, or the one named (CONTRACT §9.4). */
export const replayEventBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    destination_index: {
      type: 'integer',
      minimum: 0,
      maximum: MAX_DESTINATIONS - 1,
      description: "Re-forward to this destination only (its index in the source's `destinations`); its filter must match the event.",
    },
  },
} as const;
