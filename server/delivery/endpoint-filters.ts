import { compileFilter, type FilterMatcher } from '../filters/index.js';

/** Compiled filters kept at most; past it the oldest entry goes (an app rarely has this many filtered endpoints). */
const MAX_ENTRIES = 10_000;

/** A stored filter that no longer compiles (it was validated when written) matches nothing. */
const MATCHES_NOTHING: FilterMatcher = () => false;

/**
 * One app's compiled endpoint filters (CONTRACT §8.1), held in its runtime (server/runtime.ts),
 * never in module state. Keyed by endpoint id and checked against the stored filter text, so a
 * PATCHed filter is compiled again the first time fan-out sees the new version, and an unchanged
 * one is compiled once however many messages it sees. Fan-out asks once per candidate per group
 * commit, not once per message.
 */
export function createEndpointFilters() {
  const cache = new Map<string, { text: string; match: FilterMatcher }>();
  return {
    /** The compiled filter of an endpoint's stored filter JSON text; null when it has none. */
    matcherFor(endpointId: string, filterText: string | null): FilterMatcher | null {
      if (filterText === null) return null;
      const hit = cache.get(endpointId);
      if (hit && hit.text === filterText) return hit.match;
      let match: FilterMatcher;
      try {
        match = compileFilter(JSON.parse(filterText) as Record<string, unknown>);
      } catch {
        match = MATCHES_NOTHING;
      }
      if (!hit && cache.size >= MAX_ENTRIES) {
        const oldest = cache.keys().next();
        if (!oldest.done) cache.delete(oldest.value);
      }
      cache.set(endpointId, { text: filterText, match });
      return match;
    },
    /** How many compiled filters are held (tests). */
    size: (): number => cache.size,
    clear(): void {
      cache.clear();
    },
  };
}

export type EndpointFilters = ReturnType<typeof createEndpointFilters>;
