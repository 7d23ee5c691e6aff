import type { RouteSpec } from '../../routes/define-route.js';
import { endpointRoutes, endpointBase } from '../../routes/endpoints.js';
import { endpointSecretRoutes } from '../../routes/endpoint-secrets.js';
import { paginationQuery } from '../../schemas/common.js';
import type { PortalSession } from '../../../db/queries/portal-sessions.js';
import type { PortalRouteSpec } from '../define-portal-route.js';
import { apiOperation, portalCaller } from '../delegate.js';

/** The path parameters that pin an API endpoint operation to the session's app and recipient (by id). */
function recipientParams(session: PortalSession, endpointId?: string): Record<string, string> {
  return { app: session.appId, recipient: session.recipientId, ...(endpointId === undefined ? {} : { endpoint: endpointId }) };
}

/** A portal route that runs the API operation `method path` with the recipient pinned. */
function delegate(method: RouteSpec['method'], portalPath: string, apiPath: string, summary: string, list = false): PortalRouteSpec {
  const operation = apiOperation([...endpointRoutes, ...endpointSecretRoutes], method, apiPath);
  // built from the API operation's own schemas (not re-derived), so it is the erased spec type
  return {
    method,
    path: portalPath,
    summary,
    body: operation.body,
    query: list ? { ...paginationQuery } : undefined,
    response: operation.response,
    status: operation.status,
    list,
    example: operation.example,
    errors: operation.errors.filter((code) => code !== 'app_not_found' && code !== 'recipient_not_found'),
    handler({ params, body, query, session, deps, ctx }) {
      return operation.handler({ params: recipientParams(session, params.id), body, query, auth: portalCaller(session), deps, ctx });
    },
  };
}

/**
 * The API's endpoint operations, run for the session's recipient (see delegate.ts): the same body
 * schemas, URL/SSRF check, header and secret validation, event type check, plan limit and secret
 * sealing apply by construction.
 */
export const portalEndpointRoutes: readonly PortalRouteSpec[] = [
  delegate('get', '/endpoints', endpointBase, "List the recipient's endpoints", true),
  delegate('post', '/endpoints', endpointBase, 'Create an endpoint'),
  delegate('get', '/endpoints/:id', `${endpointBase}/:endpoint`, 'Get an endpoint'),
  delegate('patch', '/endpoints/:id', `${endpointBase}/:endpoint`, 'Update an endpoint'),
  delegate('delete', '/endpoints/:id', `${endpointBase}/:endpoint`, 'Delete an endpoint'),
  delegate('get', '/endpoints/:id/secret', `${endpointBase}/:endpoint/secret`, "Reveal an endpoint's signing secret"),
  delegate('post', '/endpoints/:id/rotate-secret', `${endpointBase}/:endpoint/rotate-secret`, "Rotate an endpoint's signing secret"),
];
