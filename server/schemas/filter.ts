/** The payload filter (CONTRACT §8.1) as a JSON-schema fragment other request schemas embed. */
export const filterSchema = {
  type: 'object',
  additionalProperties: true,
  description:
    'A payload filter: keys are dot paths (`customer.tier`, `items.0.sku`) whose values are a literal (deep equality) ' +
    'or an operator object ($eq $ne $in $nin $gt $gte $lt $lte $exists $prefix $contains); $and, $or and $not ' +
    'combine filters. Sibling keys are ANDed. At most 4 KiB and 10 levels; checked by the server beyond this schema.',
} as const;

/** `POST /apps/{app}/filters/test`. */
export const filterTestBody = {
  type: 'object',
  required: ['filter', 'payload'],
  additionalProperties: false,
  properties: {
    filter: filterSchema,
    payload: { description: 'Any JSON value, usually a message payload (a JSON object).' },
  },
} as const;
