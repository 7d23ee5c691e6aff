import type { Attempt, Endpoint } from '../../api-types.js';
import { isFeedbackAction, noFeedback, reduceFeedback, type Feedback, type FeedbackAction } from '../feedback.js';
import { emptyList, isListAction, reduceList, selectedItem, type ListState } from '../list-state.js';
import type { Routed } from '../screen.js';

/** Success rate and last attempt of an endpoint, from its most recent attempts. */
export interface EndpointHealth {
  /** Succeeded / attempts sampled; null when it has none yet. */
  rate: number | null;
  sampled: number;
  last: Attempt | null;
}

export type EndpointsMode =
  | { kind: 'list' }
  | { kind: 'confirm-rotate'; endpoint: Endpoint }
  | { kind: 'secret'; url: string; secret: string }
  | { kind: 'recover'; endpoint: Endpoint; text: string }
  | { kind: 'confirm-discard'; endpoint: Endpoint };

export interface EndpointsState extends Feedback {
  endpoints: ListState<Endpoint>;
  health: Record<string, EndpointHealth>;
  /** Endpoint id → open anomaly type (endpoint_failing / endpoint_disabled); null when unknown. */
  failing: Record<string, string> | null;
  mode: EndpointsMode;
}

export type EndpointsAction =
  | Routed<Endpoint>
  | FeedbackAction
  | { type: 'health'; health: Record<string, EndpointHealth> }
  | { type: 'failing'; failing: Record<string, string> | null }
  | { type: 'endpoint/updated'; endpoint: Endpoint }
  | { type: 'rotate/ask' }
  | { type: 'rotated'; url: string; secret: string }
  | { type: 'recover/ask' }
  | { type: 'recover/type'; text: string }
  | { type: 'recover/backspace' }
  | { type: 'recovered'; url: string; replayed: number }
  | { type: 'discard/ask' }
  | { type: 'discarded'; url: string; discarded: number }
  | { type: 'cancel' };

/** The Endpoints view of one recipient before its first fetch. */
export function initialEndpointsState(): EndpointsState {
  return { ...noFeedback, endpoints: emptyList(), health: {}, failing: null, mode: { kind: 'list' } };
}

const done = (state: EndpointsState, notice: string): EndpointsState => ({
  ...state,
  mode: { kind: 'list' },
  notice,
  error: null,
  errorFrom: null,
});

/**
 * Endpoints of a recipient: the list with health, and the flows of its keys — rotate the secret
 * (confirm, then the new secret shown once), recover since a time (typed), discard held (confirm).
 */
export function endpointsReducer(state: EndpointsState, action: EndpointsAction): EndpointsState {
  if (isFeedbackAction(action)) return reduceFeedback(state, action);
  if (isListAction(action)) return { ...state, endpoints: reduceList(state.endpoints, action) };
  const mode = state.mode;
  const endpoint = selectedItem(state.endpoints);
  switch (action.type) {
    case 'health':
      return { ...state, health: action.health };
    case 'failing':
      return { ...state, failing: action.failing };
    case 'endpoint/updated':
      return done(
        {
          ...state,
          endpoints: { ...state.endpoints, items: state.endpoints.items.map((e) => (e.id === action.endpoint.id ? action.endpoint : e)) },
        },
        `${action.endpoint.disabled ? 'Disabled' : 'Enabled'} ${action.endpoint.url}.`,
      );
    case 'rotate/ask':
      return endpoint ? { ...state, mode: { kind: 'confirm-rotate', endpoint } } : state;
    case 'rotated':
      return { ...state, mode: { kind: 'secret', url: action.url, secret: action.secret }, notice: `Rotated the secret of ${action.url}.` };
    case 'recover/ask':
      return endpoint ? { ...state, mode: { kind: 'recover', endpoint, text: '24h' } } : state;
    case 'recover/type':
      if (mode.kind !== 'recover') return state;
      // eslint-disable-next-line no-control-regex -- typed text only: control characters are dropped
      return { ...state, mode: { ...mode, text: (mode.text + action.text.replace(/[\x00-\x1f\x7f]/g, '')).slice(0, 40) } };
    case 'recover/backspace':
      return mode.kind === 'recover' ? { ...state, mode: { ...mode, text: mode.text.slice(0, -1) } } : state;
    case 'recovered':
      return done(state, `Recovering ${action.replayed} failed message${action.replayed === 1 ? '' : 's'} to ${action.url}.`);
    case 'discard/ask':
      return endpoint ? { ...state, mode: { kind: 'confirm-discard', endpoint } } : state;
    case 'discarded':
      return done(state, `Discarded ${action.discarded} held deliver${action.discarded === 1 ? 'y' : 'ies'} of ${action.url}.`);
    case 'cancel':
      return { ...state, mode: { kind: 'list' } };
    default:
      return state;
  }
}

const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * What "recover since…" accepts: a look-back (`30m`, `6h`, `7d`) or an ISO-8601 time; the ISO
 * time the recover route takes, or null when the text is neither.
 */
export function parseSince(text: string, now: number): string | null {
  const trimmed = text.trim();
  const relative = /^(\d{1,4})\s*([mhd])$/.exec(trimmed);
  if (relative) return new Date(now - Number(relative[1]) * UNITS[relative[2]]).toISOString();
  if (!/^\d{4}-\d{2}-\d{2}/.test(trimmed)) return null;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) || at > now ? null : new Date(at).toISOString();
}

/** Success rate and last attempt from an endpoint's newest attempts (newest first). */
export function healthOf(attempts: Attempt[]): EndpointHealth {
  const succeeded = attempts.filter((a) => a.status === 'succeeded').length;
  return { rate: attempts.length ? succeeded / attempts.length : null, sampled: attempts.length, last: attempts[0] ?? null };
}

/** "disabled", "auto-disabled", "failing" or "enabled" for one endpoint. */
export function endpointState(state: EndpointsState, endpoint: Endpoint): string {
  const anomaly = state.failing?.[endpoint.id];
  if (endpoint.disabled) return anomaly === 'endpoint_disabled' ? 'auto-disabled' : 'disabled';
  if (endpoint.failing || (endpoint.consecutive_failures ?? 0) > 0 || anomaly === 'endpoint_failing') return 'failing';
  return 'enabled';
}
