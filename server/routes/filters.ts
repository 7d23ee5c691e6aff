import { assertValidFilter, compileFilter } from '../filters/index.js';
import { filterTestBody } from '../schemas/filter.js';
import { filterTestResultSchema } from '../schemas/responses/filters.js';
import { defineRoute } from './define-route.js';
import { requireApp } from './apps.js';

/** Tries a payload filter (CONTRACT §8.1) against a sample payload, with the evaluator deliveries use. */
export const filterRoutes = [
  defineRoute({
    method: 'post',
    path: '/apps/:app/filters/test',
    scope: 'endpoint:read',
    tag: 'Endpoints',
    summary: 'Test a payload filter',
    description:
      'Evaluates `filter` against `payload` exactly as an endpoint filter, a source destination filter or a bulk replay filter would, and answers whether it matches. Nothing is stored. An invalid filter answers 400 `invalid_request` with `details` under `/filter`.',
    params: { app: 'The app id (`app_…`) or uid.' },
    body: filterTestBody,
    response: filterTestResultSchema,
    status: 200,
    example: { matches: true },
    errors: ['app_not_found'],
    async handler({ params, body, auth, deps }) {
      await requireApp(deps.db, auth.workspaceId, params.app);
      const filter: unknown = body.filter;
      assertValidFilter(filter, '/filter');
      return { matches: compileFilter(filter)(body.payload) };
    },
  }),
] as const;
