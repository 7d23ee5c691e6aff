/** Answers of the filter tools. */

/** `POST /apps/{app}/filters/test`: whether the filter matches the payload. */
export const filterTestResultSchema = {
  type: 'object',
  required: ['matches'],
  additionalProperties: false,
  properties: { matches: { type: 'boolean' } },
} as const;
