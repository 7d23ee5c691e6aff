import { AppError } from '../errors.js';
import { ALL_SCOPES } from '../scopes.js';
import { createApiKey } from '../api-keys.js';
import { clearAuthCache } from '../middleware/auth.js';
import { findApiKey, listApiKeys, revokeApiKey, type ApiKey } from '../../db/queries/api-keys.js';
import { paginationQuery, type PageQuery } from '../schemas/common.js';
import { defineRoute } from './define-route.js';
import { iso } from './serialize.js';

const serializeKey = (key: ApiKey) => ({
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
};

interface CreateKeyBody {
  name: string;
  scopes: string[];
}

export const keyRoutes = [
  defineRoute<CreateKeyBody>({
    method: 'post',
    path: '/keys',
    scope: 'key:write',
    tag: 'Keys',
    summary: 'Create an API key',
    description: 'The plaintext `key` is returned only in this response; Dispatch stores only its hash.',
    body: {
      type: 'object',
      required: ['name', 'scopes'],
      additionalProperties: false,
      properties: {
        name: { type: 'string', minLength: 1, maxLength: 200 },
        scopes: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', enum: [...ALL_SCOPES] } },
      },
    },
    status: 201,
    example: { ...keyExample, key: 'rlk_8fJq2Lx0…' },
    errors: [],
    async handler({ body, auth, deps }) {
      const { key, plaintext } = await createApiKey(deps.db, { workspaceId: auth.workspaceId, name: body.name, scopes: body.scopes }, deps.clock.now());
      return { ...serializeKey(key), key: plaintext };
    },
  }),
  defineRoute<undefined, PageQuery>({
    method: 'get',
    path: '/keys',
    scope: 'key:read',
    tag: 'Keys',
    summary: 'List API keys',
    description: 'Never includes the key itself.',
    query: { ...paginationQuery },
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
    status: 200,
    example: { id: keyExample.id, revoked: true },
    errors: ['key_not_found'],
    async handler({ params, auth, deps }) {
      const revoked = await revokeApiKey(deps.db, auth.workspaceId, params.id, deps.clock.now());
      if (!revoked) throw new AppError('key_not_found');
      clearAuthCache(deps.db);
      return { id: params.id, revoked: true };
    },
  }),
];
