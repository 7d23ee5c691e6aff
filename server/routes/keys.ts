import { AppError } from '../errors.js';
import { ALL_SCOPES, firstScopeNotHeld } from '../scopes.js';
import { createApiKey } from '../api-keys.js';
import { findApiKey, listApiKeys, revokeApiKey, type ApiKey } from '../../db/queries/api-keys.js';
import { paginationQuery } from '../schemas/common.js';
import { apiKeyCreatedSchema, apiKeyRevokedSchema, apiKeySchema, type ApiKeyData } from '../schemas/responses/keys.js';
import { defineRoute } from './define-route.js';
import { iso } from './serialize.js';

const serializeKey = (key: ApiKey): ApiKeyData => ({
  id: key.id,
  name: key.name,
  scopes: key.scopes,
  prefix: key.prefix,
  created_at: iso(key.createdAt),
});

const keyExample = {
  id: 'key_0ujsswThIGTUYm2K8FjOOfXtY1K',
  name: 'billing backend',
  scopes: ['message:write', 'message:read'],
  prefix: 'rlk_8fJq2Lx0',
  created_at: '2026-11-26T10:00:00.000Z',
} as const;

export const keyRoutes = [
  defineRoute({
    method: 'post',
    path: '/keys',
    scope: 'key:write',
    tag: 'Keys',
    summary: 'Create an API key',
    description:
      'The plaintext `key` is returned only in this response; Dispatch stores only its hash. The calling key may grant only scopes it holds itself (a `*` key may grant anything); otherwise 403 `missing_scope` with `required_scope` naming the first requested scope it lacks.',
    body: {
      type: 'object',
      required: ['name', 'scopes'],
      additionalProperties: false,
      properties: {
        name: { type: 'string', minLength: 1, maxLength: 200 },
        scopes: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', enum: [...ALL_SCOPES] } },
      },
    },
    response: apiKeyCreatedSchema,
    status: 201,
    example: { ...keyExample, key: 'rlk_8fJq2Lx0…' },
    errors: [],
    async handler({ body, auth, deps }) {
      const lacking = firstScopeNotHeld(auth.scopes, body.scopes);
      if (lacking !== null) {
        throw new AppError(
          'missing_scope',
          `This key cannot grant the ${lacking} scope: a key may create keys only with scopes it holds itself.`,
          { required_scope: lacking },
        );
      }
      const { key, plaintext } = await createApiKey(
        deps.db,
        { workspaceId: auth.workspaceId, name: body.name, scopes: body.scopes },
        deps.clock.now(),
      );
      return { ...serializeKey(key), key: plaintext };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/keys',
    scope: 'key:read',
    tag: 'Keys',
    summary: 'List API keys',
    description: 'Never includes the key itself.',
    query: { ...paginationQuery },
    response: apiKeySchema,
    status: 200,
    list: true,
    example: [keyExample],
    errors: [],
    async handler({ query, auth, deps }) {
      const page = await listApiKeys(deps.db, auth.workspaceId, query);
      return { items: page.items.map(serializeKey), next_cursor: page.nextCursor };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/keys/:id',
    scope: 'key:read',
    tag: 'Keys',
    summary: 'Get an API key',
    response: apiKeySchema,
    status: 200,
    example: keyExample,
    errors: ['key_not_found'],
    async handler({ params, auth, deps }) {
      const key = await findApiKey(deps.db, auth.workspaceId, params.id);
      if (!key) throw new AppError('key_not_found');
      return serializeKey(key);
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/keys/:id',
    scope: 'key:write',
    tag: 'Keys',
    summary: 'Revoke an API key',
    description: 'The key answers 401 within 1 s on every server process.',
    response: apiKeyRevokedSchema,
    status: 200,
    example: { id: keyExample.id, revoked: true },
    errors: ['key_not_found'],
    async handler({ params, auth, deps }) {
      const revoked = await revokeApiKey(deps.db, auth.workspaceId, params.id, deps.clock.now());
      if (!revoked) throw new AppError('key_not_found');
      deps.apiKeys.clear();
      return { id: params.id, revoked: true as const };
    },
  }),
] as const;
