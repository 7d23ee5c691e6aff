import type { Destination } from '../../db/queries/sources.js';
import { AppError } from '../errors.js';
import { assertValidFilter } from '../filters/index.js';
import { customHeadersSchema } from '../schemas/headers.js';
import { filterSchema } from '../schemas/filter.js';
import type { DestinationData } from '../schemas/responses/sources.js';

/** A source forwards to at most this many destinations (CONTRACT §9.3). */
export const MAX_DESTINATIONS = 10;

/** One destination in a source request (`destination`, or an item of `destinations`). */
export const destinationItemSchema = {
  type: 'object',
  required: ['url'],
  additionalProperties: false,
  properties: {
    url: { type: 'string', minLength: 1, maxLength: 2048 },
    headers: {
      ...customHeadersSchema,
      description:
        'Added to every forward (after the original headers, so they win). At most 50; names are RFC 9110 tokens, values visible ASCII, space or tab up to 8 KiB; hop-by-hop and webhook-*/svix-* names are refused.',
    },
    rate_limit: { type: 'integer', minimum: 1, maximum: 100_000, description: 'Max forwards per rolling second to this destination.' },
    filter: {
      ...filterSchema,
      type: ['object', 'null'],
      description:
        'Only events whose JSON body matches are forwarded here (a body that is not JSON matches only `{}`); null or absent = every event. ' +
        filterSchema.description,
    },
    path_forwarding: {
      type: 'boolean',
      description:
        'Append the sub-path and query received after `/in/{token}` to `url` (the query after the URL’s own, joined with `&`). Default false.',
    },
  },
} as const;

/** A destination as the request schema has validated it. */
interface DestinationFields {
  url: string;
  headers?: Record<string, string>;
  rate_limit?: number;
  filter?: Record<string, unknown> | null;
  path_forwarding?: boolean;
}

interface DestinationsBody {
  destination?: DestinationFields | null;
  destinations?: readonly DestinationFields[] | null;
}

/**
 * Checks what the schema cannot: `destination` and `destinations` are exclusive, and every
 * filter is valid (CONTRACT §8.1); `checkOne` adds the URL and header rules for each destination,
 * given its JSON Pointer (`/destination`, `/destinations/2`). Throws 400 invalid_request.
 */
export function checkDestinations(body: DestinationsBody, checkOne: (destination: DestinationFields, at: string) => void): void {
  if (body.destination !== undefined && body.destinations !== undefined) {
    throw new AppError('invalid_request', 'Give either destination or destinations, not both.', {
      details: [{ path: '/destinations', message: 'must not be given together with destination' }],
    });
  }
  const given: [DestinationFields, string][] = body.destination
    ? [[body.destination, '/destination']]
    : (body.destinations ?? []).map((destination, index) => [destination, `/destinations/${index}`]);
  for (const [destination, at] of given) {
    checkOne(destination, at);
    if (destination.filter !== undefined && destination.filter !== null) assertValidFilter(destination.filter, `${at}/filter`);
  }
}

/** A destination as stored: only the fields given (no null filter, `path_forwarding` only when on). */
function toStored(fields: DestinationFields): Destination {
  return {
    url: fields.url,
    ...(fields.headers !== undefined ? { headers: fields.headers } : {}),
    ...(fields.rate_limit !== undefined ? { rate_limit: fields.rate_limit } : {}),
    ...(fields.filter !== undefined && fields.filter !== null ? { filter: fields.filter } : {}),
    ...(fields.path_forwarding === true ? { path_forwarding: true } : {}),
  };
}

/**
 * The destinations a create or patch body sets: `destinations`, or `destination` as a one-item
 * list; null (either form) = store only (`[]`); undefined when the body sets neither.
 */
export function bodyDestinations(body: DestinationsBody): Destination[] | undefined {
  if (body.destinations !== undefined) return (body.destinations ?? []).map(toStored);
  if (body.destination !== undefined) return body.destination === null ? [] : [toStored(body.destination)];
  return undefined;
}

/** A destination as the API shows it: `filter` null and `path_forwarding` false when unset. */
export function publicDestination(destination: Destination): DestinationData {
  return {
    url: destination.url,
    ...(destination.headers !== undefined ? { headers: destination.headers } : {}),
    ...(destination.rate_limit !== undefined ? { rate_limit: destination.rate_limit } : {}),
    filter: destination.filter ?? null,
    path_forwarding: destination.path_forwarding === true,
  };
}
