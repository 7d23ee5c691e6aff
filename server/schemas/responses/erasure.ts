/** `DELETE /apps/{app}/recipients/{recipient}`: the recipient is erased (CONTRACT §8.6). */
export const recipientErasedSchema = {
  type: 'object',
  required: ['id', 'deleted', 'erased'],
  additionalProperties: false,
  properties: {
    id: { type: 'string', description: '`rcp_…`' },
    deleted: { const: true },
    erased: {
      type: 'object',
      required: ['endpoints', 'messages', 'attempts'],
      additionalProperties: false,
      description:
        'What was deleted: its endpoints, the messages that targeted it, and the attempts of those messages and at its endpoints (broadcast messages included).',
      properties: {
        endpoints: { type: 'integer', minimum: 0 },
        messages: { type: 'integer', minimum: 0 },
        attempts: { type: 'integer', minimum: 0 },
      },
    },
  },
} as const;
