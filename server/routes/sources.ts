import type { DbOrTx } from '../../db/index.js';
import { countSources, deleteSource, findSource, insertSource, listSources, updateSource, type Source } from '../../db/queries/sources.js';
import { AppError } from '../errors.js';
import { assertBelowLimit } from '../plan-limits.js';
import { generateSigningSecret } from '../secrets.js';
import { paginationQuery } from '../schemas/common.js';
import { deletedResult, deletedSchema } from '../schemas/responses/common.js';
import { sourceCreatedSchema, sourceResumedSchema, sourceSchema } from '../schemas/responses/sources.js';
import { checkSourceBody, createSourceBody, patchSourceBody, serializeSource, sourceExample } from '../ingest/source-schemas.js';
import { newSourceVerification, patchedVerification } from '../ingest/source-options.js';
import { bodyDestinations } from '../ingest/destination-schemas.js';
import { releaseHeldEvents } from '../ingest/release-held.js';
import { defineRoute } from './define-route.js';

const sourceParam = { id: 'The source id (`src_…`).' } as const;

async function requireSource(db: DbOrTx, workspaceId: string, id: string): Promise<Source> {
  const source = await findSource(db, workspaceId, id);
  if (!source) throw new AppError('source_not_found', `No source "${id}" in this workspace.`);
  return source;
}

export const sourceRoutes = [
  defineRoute({
    method: 'post',
    path: '/sources',
    scope: 'source:write',
    tag: 'Sources',
    summary: 'Create a source',
    description:
      'Returns the public `ingest_url` and the `forward_secret` (`whsec_…`) that signs forwards to the destination. ' +
      'The forward secret is returned only here; verification secrets are never returned (you supplied them).',
    body: createSourceBody,
    response: sourceCreatedSchema,
    status: 201,
    example: { ...sourceExample, forward_secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' },
    errors: ['invalid_request', 'invalid_json', 'destination_invalid', 'plan_limit_reached'],
    async handler({ body, auth, deps }) {
      checkSourceBody(body, deps.config);
      const forwardSecret = generateSigningSecret();
      const source = await deps.db.transaction(async (tx) => {
        const limit = deps.config.planLimits.sources;
        if (limit !== undefined) assertBelowLimit(limit, await countSources(tx, auth.workspaceId), 'sources per workspace (sources)');
        return insertSource(
          tx,
          {
            workspaceId: auth.workspaceId,
            name: body.name,
            verification: newSourceVerification(body),
            destinations: bodyDestinations(body) ?? [],
            dedupe: body.dedupe ?? null,
            allowedMethods: body.allowed_methods ?? ['POST'],
            forwardSecret,
          },
          deps.config.encryptionKey,
          deps.clock.now(),
        );
      });
      return { ...serializeSource(source, deps.config), forward_secret: forwardSecret };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/sources',
    scope: 'source:read',
    tag: 'Sources',
    summary: 'List sources',
    query: { ...paginationQuery },
    response: sourceSchema,
    status: 200,
    list: true,
    example: [sourceExample],
    errors: ['invalid_request'],
    async handler({ query, auth, deps }) {
      const page = await listSources(deps.db, auth.workspaceId, query);
      return { items: page.items.map((source) => serializeSource(source, deps.config)), next_cursor: page.nextCursor };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/sources/:id',
    scope: 'source:read',
    tag: 'Sources',
    summary: 'Get a source',
    params: sourceParam,
    response: sourceSchema,
    status: 200,
    example: sourceExample,
    errors: ['source_not_found'],
    async handler({ params, auth, deps }) {
      return serializeSource(await requireSource(deps.db, auth.workspaceId, params.id), deps.config);
    },
  }),
  defineRoute({
    method: 'patch',
    path: '/sources/:id',
    scope: 'source:write',
    tag: 'Sources',
    summary: 'Update a source',
    description:
      '`verification` is replaced as a whole (include its secrets); `destinations` (or `destination`) replaces every destination, ' +
      'and null makes the source store-only; `dedupe: null` turns dedupe off. Forwards already queued keep their destination index.',
    params: sourceParam,
    body: patchSourceBody,
    response: sourceSchema,
    status: 200,
    example: sourceExample,
    errors: ['invalid_request', 'invalid_json', 'destination_invalid', 'source_not_found'],
    async handler({ params, body, auth, deps }) {
      checkSourceBody(body, deps.config);
      const updated = await updateSource(
        deps.db,
        auth.workspaceId,
        params.id,
        {
          name: body.name,
          verification: await patchedVerification(deps.db, auth.workspaceId, params.id, body),
          destinations: bodyDestinations(body),
          dedupe: body.dedupe,
          allowedMethods: body.allowed_methods,
        },
        deps.config.encryptionKey,
        deps.clock.now(),
      );
      if (!updated) throw new AppError('source_not_found', `No source "${params.id}" in this workspace.`);
      deps.sourceCache.clear();
      return serializeSource(updated, deps.config);
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/sources/:id',
    scope: 'source:write',
    tag: 'Sources',
    summary: 'Delete a source',
    description: 'Deletes the source with its events, their pending forwards and attempts; its ingest URL answers 404 at once.',
    params: sourceParam,
    response: deletedSchema,
    status: 200,
    example: { id: sourceExample.id, deleted: true },
    errors: ['source_not_found'],
    async handler({ params, auth, deps }) {
      const deleted = await deps.db.transaction((tx) => deleteSource(tx, auth.workspaceId, params.id));
      if (!deleted) throw new AppError('source_not_found', `No source "${params.id}" in this workspace.`);
      deps.sourceCache.clear();
      return deletedResult(params.id);
    },
  }),
  defineRoute({
    method: 'post',
    path: '/sources/:id/pause',
    scope: 'source:write',
    tag: 'Sources',
    summary: 'Pause a source',
    description:
      'Requests are still verified and stored, as `held` events; nothing new is forwarded until resume. Forwards already queued continue.',
    params: sourceParam,
    response: sourceSchema,
    status: 200,
    example: { ...sourceExample, paused: true },
    errors: ['source_not_found'],
    async handler({ params, auth, deps }) {
      const updated = await updateSource(
        deps.db,
        auth.workspaceId,
        params.id,
        { paused: true },
        deps.config.encryptionKey,
        deps.clock.now(),
      );
      if (!updated) throw new AppError('source_not_found', `No source "${params.id}" in this workspace.`);
      return serializeSource(updated, deps.config);
    },
  }),
  defineRoute({
    method: 'post',
    path: '/sources/:id/resume',
    scope: 'source:write',
    tag: 'Sources',
    summary: 'Resume a source',
    description:
      'Releases every `held` event, oldest first: each becomes `pending` with a forward due now to every destination whose ' +
      'filter matches it (`filtered` when none does); a store-only source just marks them `pending` (stored, never forwarded). ' +
      '`released` counts them.',
    params: sourceParam,
    response: sourceResumedSchema,
    status: 200,
    example: { ...sourceExample, released: 12 },
    errors: ['source_not_found'],
    async handler({ params, auth, deps }) {
      const now = deps.clock.now();
      const result = await deps.db.transaction(async (tx) => {
        // taking the row exclusively first: an ingest that saw `paused` holds a share lock until
        // it commits its held event, so every held event is visible to the release below
        const updated = await updateSource(tx, auth.workspaceId, params.id, { paused: false }, deps.config.encryptionKey, now);
        if (!updated) throw new AppError('source_not_found', `No source "${params.id}" in this workspace.`);
        const { released, forwards } = await releaseHeldEvents(deps, tx, updated, now);
        return { source: updated, released, forwarded: forwards > 0 };
      });
      if (result.forwarded) deps.emit('work');
      return { ...serializeSource(result.source, deps.config), released: result.released };
    },
  }),
] as const;
