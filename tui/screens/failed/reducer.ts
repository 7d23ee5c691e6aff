import type { App, DeliveryFilter, ListedDelivery } from '../../api-types.js';
import { isFeedbackAction, noFeedback, reduceFeedback, type Feedback, type FeedbackAction } from '../feedback.js';
import { emptyList, isListAction, reduceList, selectedItem, type ListState } from '../list-state.js';
import type { Routed } from '../screen.js';

/** Look-back windows the `w` key cycles through (the bulk replay needs a `since`). */
export const WINDOWS = ['1h', '24h', '7d', '30d'] as const;
export type FailedWindow = (typeof WINDOWS)[number];
const WINDOW_MS: Record<FailedWindow, number> = { '1h': 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000 };

export interface FailedFilter {
  app: App | null;
  eventType: string | null;
  /** An endpoint, with the app it belongs to (a bulk replay must name that app). */
  endpoint: { id: string; appId: string; url: string } | null;
  window: FailedWindow;
}

export interface FailedState extends Feedback {
  deliveries: ListState<ListedDelivery>;
  /** The workspace's apps (first page), for the app filter and for a replay across apps. */
  apps: App[];
  filter: FailedFilter;
  confirm: boolean;
  replaying: boolean;
}

export type FailedAction =
  | Routed<ListedDelivery>
  | FeedbackAction
  | { type: 'apps'; apps: App[] }
  | { type: 'filter/app' }
  | { type: 'filter/event-type' }
  | { type: 'filter/endpoint' }
  | { type: 'filter/window' }
  | { type: 'filter/clear' }
  | { type: 'replay/ask' }
  | { type: 'replay/started' }
  | { type: 'replay/done'; replayed: number; apps: number }
  | { type: 'replay/failed' }
  | { type: 'cancel' };

/** The Failed view before its first fetch: every app, the last 24 hours. */
export function initialFailedState(): FailedState {
  return {
    ...noFeedback,
    deliveries: emptyList(),
    apps: [],
    filter: { app: null, eventType: null, endpoint: null, window: '24h' },
    confirm: false,
    replaying: false,
  };
}

function withFilter(state: FailedState, filter: FailedFilter): FailedState {
  // a new filter lists other rows: start from the top, keep the `/` text
  return { ...state, filter, deliveries: { ...emptyList<ListedDelivery>(), filter: state.deliveries.filter }, confirm: false };
}

/**
 * Failed view: failed deliveries across the workspace, filtered by app (`a` cycles), event type
 * and endpoint (`t` / `p` take the selected row's, again to clear) and window (`w`); `R` asks to
 * replay everything the filter selects.
 */
export function failedReducer(state: FailedState, action: FailedAction): FailedState {
  if (isFeedbackAction(action)) return reduceFeedback(state, action);
  if (isListAction(action)) return { ...state, deliveries: reduceList(state.deliveries, action) };
  const filter = state.filter;
  const row = selectedItem(state.deliveries);
  switch (action.type) {
    case 'apps':
      return { ...state, apps: action.apps };
    case 'filter/app': {
      if (state.apps.length === 0) return state;
      const at = filter.app ? state.apps.findIndex((a) => a.id === filter.app?.id) : -1;
      const app = at + 1 < state.apps.length ? state.apps[at + 1] : null;
      const endpoint = filter.endpoint && app && filter.endpoint.appId !== app.id ? null : filter.endpoint;
      return withFilter(state, { ...filter, app, endpoint: app ? endpoint : null });
    }
    case 'filter/event-type':
      if (filter.eventType) return withFilter(state, { ...filter, eventType: null });
      return row ? withFilter(state, { ...filter, eventType: row.event_type }) : state;
    case 'filter/endpoint': {
      if (filter.endpoint) return withFilter(state, { ...filter, endpoint: null });
      if (!row) return state;
      const app = state.apps.find((a) => a.id === row.app_id) ?? filter.app;
      return withFilter(state, {
        ...filter,
        app,
        endpoint: { id: row.endpoint_id, appId: row.app_id, url: row.endpoint_url ?? row.endpoint_id },
      });
    }
    case 'filter/window':
      return withFilter(state, { ...filter, window: WINDOWS[(WINDOWS.indexOf(filter.window) + 1) % WINDOWS.length] });
    case 'filter/clear':
      return withFilter(state, { app: null, eventType: null, endpoint: null, window: filter.window });
    case 'replay/ask':
      if (state.deliveries.items.length === 0) return { ...state, error: 'Nothing to replay under this filter.', errorFrom: 'action' };
      return { ...state, confirm: true };
    case 'replay/started':
      return { ...state, confirm: false, replaying: true };
    case 'replay/done':
      return {
        ...state,
        replaying: false,
        notice: `Replaying ${action.replayed} failed deliver${action.replayed === 1 ? 'y' : 'ies'}${action.apps > 1 ? ` in ${action.apps} apps` : ''}.`,
        error: null,
        errorFrom: null,
      };
    case 'replay/failed':
      return { ...state, replaying: false };
    case 'cancel':
      return { ...state, confirm: false };
    default:
      return state;
  }
}

/** The list query for the filter at `now` (GET /deliveries?status=failed…). */
export function deliveryQuery(filter: FailedFilter, now: number): DeliveryFilter {
  return {
    app: filter.endpoint?.appId ?? filter.app?.id,
    event_type: filter.eventType ?? undefined,
    endpoint_id: filter.endpoint?.id,
    since: new Date(now - WINDOW_MS[filter.window]).toISOString(),
  };
}

/**
 * The bulk replays that cover the filter: one per app (the filter's app, the endpoint's app, or
 * every app of the workspace), each with the same event type, endpoint and window.
 */
export function replayCalls(
  state: FailedState,
  now: number,
): Array<{ app: string; body: { since: string; event_type?: string; endpoint_id?: string } }> {
  const query = deliveryQuery(state.filter, now);
  const apps = query.app ? [query.app] : state.apps.map((a) => a.id);
  const body = {
    since: query.since as string,
    ...(query.event_type ? { event_type: query.event_type } : {}),
    ...(query.endpoint_id ? { endpoint_id: query.endpoint_id } : {}),
  };
  return apps.map((app) => ({ app, body }));
}

/** "app Billing · type invoice.paid · endpoint hooks.example.com · last 24h" */
export function describeFilter(filter: FailedFilter, host: (url: string) => string): string {
  const parts = [`app ${filter.app?.name ?? 'all'}`];
  if (filter.eventType) parts.push(`type ${filter.eventType}`);
  if (filter.endpoint) parts.push(`endpoint ${host(filter.endpoint.url)}`);
  parts.push(`last ${filter.window}`);
  return parts.join(' · ');
}
