import type { FilterMatcher } from '../filters/index.js';

/**
 * What matching needs to know of an endpoint. Deliberately no secrets, URL or headers: deciding
 * who receives a message never signs anything, so it never opens a sealed secret. Whether the
 * endpoint is disabled does not decide matching any more (CONTRACT §8.2): a disabled endpoint's
 * matching messages are stored as `held` deliveries (see insertFanOut).
 */
export interface MatchableEndpoint {
  appId: string;
  recipientId: string;
  /** Event type names the endpoint receives; empty = all. */
  eventTypes: string[];
}

/** What matching needs to know of a message. */
export interface MatchableMessage {
  appId: string;
  /** The targeted recipient; null = every recipient of the app (broadcast). */
  recipientId: string | null;
  eventType: string;
}

/**
 * CONTRACT delivery rule 2 as amended by §8, the one place it is decided: an endpoint receives a
 * message when it belongs to the targeted recipient(s) of the message's app, its `eventTypes` is
 * empty or contains the message's type, and its payload filter (compiled once per endpoint
 * version, server/delivery/endpoint-filters.ts; null = none) matches the payload. `payload` is
 * called only when there is a filter, so messages to unfiltered endpoints are never parsed.
 * Every fan-out (the grouped accept path and the keyed one) asks this function, over candidates
 * from `listCandidateEndpoints`.
 */
export function endpointMatches(
  endpoint: MatchableEndpoint,
  message: MatchableMessage,
  filter: FilterMatcher | null = null,
  payload: () => unknown = () => undefined,
): boolean {
  return (
    endpoint.appId === message.appId &&
    (message.recipientId === null || endpoint.recipientId === message.recipientId) &&
    (endpoint.eventTypes.length === 0 || endpoint.eventTypes.includes(message.eventType)) &&
    (filter === null || filter(payload()))
  );
}
