/** Schema pieces shared by several routes. */

export const paginationQuery = {
  limit: { type: 'integer', minimum: 1, maximum: 100, default: 50, description: 'Page size (1-100).' },
  cursor: { type: 'string', maxLength: 64, description: 'The next_cursor of the previous page.' },
} as const;

export const isoTimestamp = { type: 'string', format: 'date-time' } as const;

export const metadata = {
  type: 'object',
  description: 'Free-form key/value data kept with the object.',
  additionalProperties: true,
} as const;

export const uid = {
  type: 'string',
  minLength: 1,
  maxLength: 256,
  pattern: '^[a-zA-Z0-9._:-]+$',
  description: 'Your own identifier; usable wherever the id is.',
} as const;
