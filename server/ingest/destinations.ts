import type { Destination } from '../../db/queries/sources.js';
import type { IngestEvent } from '../../db/queries/events.js';
import type { FilterMatcher } from '../filters/index.js';
import { jsonDepthExceeds } from '../middleware/json-depth.js';

/** What a filter sees of a body that is not JSON (or nests deeper than 64 levels, CONTRACT §10.1). */
const NOT_JSON: unique symbol = Symbol('not JSON');

const hasFilter = (destination: Destination): destination is Destination & { filter: Record<string, unknown> } =>
  destination.filter !== undefined && destination.filter !== null && Object.keys(destination.filter).length > 0;

/** The stored body as a filter payload: parsed JSON, or NOT_JSON. */
function filterPayload(event: Pick<IngestEvent, 'body' | 'bodyEncoding'>): unknown {
  if (event.body === null || event.bodyEncoding !== 'utf8' || jsonDepthExceeds(event.body)) return NOT_JSON;
  try {
    return JSON.parse(event.body) as unknown;
  } catch {
    return NOT_JSON;
  }
}

/**
 * The indexes of the destinations an event goes to (CONTRACT §9.3): every destination without a
 * filter (or with `{}`), and those whose filter matches the JSON body. A body that is not JSON
 * matches no non-empty filter. The body is parsed once, and only when some destination filters.
 */
export function matchingDestinations(
  destinations: readonly Destination[],
  event: Pick<IngestEvent, 'body' | 'bodyEncoding'>,
  matcherOf: (filter: Record<string, unknown>) => FilterMatcher,
): number[] {
  let payload: unknown = undefined;
  let parsed = false;
  const matching: number[] = [];
  destinations.forEach((destination, index) => {
    if (!hasFilter(destination)) {
      matching.push(index);
      return;
    }
    if (!parsed) {
      payload = filterPayload(event);
      parsed = true;
    }
    if (payload !== NOT_JSON && matcherOf(destination.filter)(payload)) matching.push(index);
  });
  return matching;
}

/** True when some destination filters events (resume then needs the held events' bodies). */
export function anyFilter(destinations: readonly Destination[]): boolean {
  return destinations.some(hasFilter);
}

/**
 * The URL a forward is sent to: the destination's, plus — with `path_forwarding` — the sub-path
 * received after `/in/{token}` (a bare ingest URL, stored as `/`, adds nothing) and the incoming
 * query, appended to the destination's own query with `&`. Throws on an invalid URL.
 */
export function forwardUrl(destination: Destination, event: Pick<IngestEvent, 'path' | 'query'>): URL {
  const url = new URL(destination.url);
  if (!destination.path_forwarding) return url;
  const subPath = withoutDotSegments(event.path);
  if (subPath !== '') {
    const base = url.pathname.endsWith('/') ? url.pathname.slice(0, -1) : url.pathname;
    // the stored path is the raw request path, percent-encoded as the sender sent it
    url.pathname = `${base}${subPath}`;
  }
  if (event.query) {
    const own = url.search.replace(/^\?/, '');
    url.search = own ? `${own}&${event.query}` : event.query;
  }
  return url;
}

/**
 * The received sub-path without `.` and `..` segments (plain or percent-encoded): a sender must
 * not climb above the destination's own path (`/in/{token}/../admin`). `/` and `` give ``.
 */
function withoutDotSegments(path: string): string {
  const kept = path.split('/').filter((segment) => {
    const plain = segment.replace(/%2e/gi, '.');
    return segment !== '' && plain !== '.' && plain !== '..';
  });
  return kept.length === 0 ? '' : `/${kept.join('/')}${path.endsWith('/') ? '/' : ''}`;
}
