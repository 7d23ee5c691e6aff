import type { App, Endpoint, Recipient } from '../../api-types.js';
import { isFeedbackAction, noFeedback, reduceFeedback, type Feedback, type FeedbackAction } from '../feedback.js';
import { emptyList, isListAction, reduceList, type ListState } from '../list-state.js';
import type { Routed } from '../screen.js';

export type AppsLevel = 'apps' | 'recipients' | 'endpoints';

export interface AppsState extends Feedback {
  level: AppsLevel;
  apps: ListState<App>;
  recipients: ListState<Recipient>;
  endpoints: ListState<Endpoint>;
  app: App | null;
  recipient: Recipient | null;
  /** Endpoint id → open anomaly type (endpoint_failing / endpoint_disabled); null when unknown. */
  failing: Record<string, string> | null;
}

export type AppsAction =
  | (Routed<App> & { list: 'apps' })
  | (Routed<Recipient> & { list: 'recipients' })
  | (Routed<Endpoint> & { list: 'endpoints' })
  | FeedbackAction
  | { type: 'open' }
  | { type: 'back' }
  | { type: 'endpoint/updated'; endpoint: Endpoint }
  | { type: 'failing'; failing: Record<string, string> | null };

/** The Apps screen before its first fetch: the app list. */
export function initialAppsState(): AppsState {
  return { ...noFeedback, level: 'apps', apps: emptyList(), recipients: emptyList(), endpoints: emptyList(), app: null, recipient: null, failing: null };
}

/** Apps screen: drill from apps to an app's recipients to a recipient's endpoints, and back. */
export function appsReducer(state: AppsState, action: AppsAction): AppsState {
  if (isFeedbackAction(action)) return reduceFeedback(state, action);
  if (isListAction(action)) {
    const routed = action as AppsAction & { list: AppsLevel };
    if (routed.list === 'apps') return { ...state, apps: reduceList(state.apps, action) };
    if (routed.list === 'recipients') return { ...state, recipients: reduceList(state.recipients, action) };
    return { ...state, endpoints: reduceList(state.endpoints, action) };
  }
  switch (action.type) {
    case 'open': {
      if (state.level === 'apps') {
        const app = state.apps.items[state.apps.selected];
        return app ? { ...state, level: 'recipients', app, recipients: emptyList() } : state;
      }
      if (state.level === 'recipients') {
        const recipient = state.recipients.items[state.recipients.selected];
        return recipient ? { ...state, level: 'endpoints', recipient, endpoints: emptyList(), failing: null } : state;
      }
      return state;
    }
    case 'back':
      if (state.level === 'endpoints') return { ...state, level: 'recipients', recipient: null };
      if (state.level === 'recipients') return { ...state, level: 'apps', app: null };
      return state;
    case 'endpoint/updated':
      return {
        ...state,
        endpoints: { ...state.endpoints, items: state.endpoints.items.map((e) => (e.id === action.endpoint.id ? action.endpoint : e)) },
        notice: `${action.endpoint.disabled ? 'Disabled' : 'Enabled'} ${action.endpoint.url}.`,
        error: null,
        errorFrom: null,
      };
    case 'failing':
      return { ...state, failing: action.failing };
    default:
      return state;
  }
}

/** The list shown at the current level. */
export function currentList(state: AppsState): ListState<{ id: string }> {
  return state[state.level];
}

/** "failing", "disabled", "ok" or "?" (anomalies unreadable) for one endpoint. */
export function endpointHealth(state: AppsState, endpoint: Endpoint): string {
  if (endpoint.failing || (endpoint.consecutive_failures ?? 0) > 0) return 'failing';
  if (state.failing === null) return '?';
  const type = state.failing[endpoint.id];
  return type === 'endpoint_failing' ? 'failing' : type === 'endpoint_disabled' ? 'auto-disabled' : 'ok';
}
