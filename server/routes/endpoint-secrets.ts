import { readEndpointSecret, rotateEndpointSecret } from '../../db/queries/endpoint-secrets.js';
import { AppError } from '../errors.js';
import { generateSigningSecret } from '../secrets.js';
import { assertValidSecret, rotateSecretBody, secretExample } from '../schemas/endpoints.js';
import { secretSchema } from '../schemas/responses/endpoints.js';
import { defineRoute } from './define-route.js';
import { endpointBase, endpointParams, requireEndpoint } from './endpoints.js';

export const endpointSecretRoutes = [
  defineRoute({
    method: 'get',
    path: `${endpointBase}/:endpoint/secret`,
    scope: 'endpoint:read',
    tag: 'Endpoints',
    summary: "Get an endpoint's signing secret",
    description: 'The current secret; receivers verify `webhook-signature` with it.',
    params: endpointParams,
    response: secretSchema,
    status: 200,
    example: secretExample,
    errors: ['app_not_found', 'recipient_not_found', 'endpoint_not_found'],
    async handler({ params, auth, deps }) {
      const { endpoint } = await requireEndpoint(deps.db, auth.workspaceId, params);
      const secret = await readEndpointSecret(deps.db, endpoint.id, deps.config.encryptionKey);
      if (secret === null) throw new AppError('endpoint_not_found');
      return { secret };
    },
  }),
  defineRoute({
    method: 'post',
    path: `${endpointBase}/:endpoint/rotate-secret`,
    scope: 'endpoint:write',
    tag: 'Endpoints',
    summary: "Rotate an endpoint's signing secret",
    description:
      'Returns the new secret (the given one, or a generated one). For the next 24 h deliveries are signed with both the new and the previous secret, so receivers can switch without dropping webhooks.',
    params: endpointParams,
    body: rotateSecretBody,
    response: secretSchema,
    status: 200,
    example: secretExample,
    errors: ['app_not_found', 'recipient_not_found', 'endpoint_not_found'],
    async handler({ params, body, auth, deps }) {
      const { endpoint } = await requireEndpoint(deps.db, auth.workspaceId, params);
      if (body.secret !== undefined) assertValidSecret(body.secret);
      const secret = body.secret ?? generateSigningSecret();
      if (!(await rotateEndpointSecret(deps.db, endpoint.id, secret, deps.config.encryptionKey, deps.clock.now())))
        throw new AppError('endpoint_not_found');
      return { secret };
    },
  }),
] as const;
