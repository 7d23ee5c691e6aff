import type { TargetKind, TargetResolver } from './targets.js';
import { endpointResolver } from './endpoint-target.js';
import { sourceResolver } from '../ingest/forward-target.js';

/**
 * The registration point for delivery targets: one resolver per kind. The dispatcher looks a
 * claimed delivery's kind up here (see `targetKindOf`). Ingest adds its `source` resolver with a
 * one-line entry; a delivery whose kind has no resolver is left pending (never dropped).
 */
export const TARGET_RESOLVERS: Readonly<Partial<Record<TargetKind, TargetResolver>>> = {
  endpoint: endpointResolver,
  source: sourceResolver,
};
