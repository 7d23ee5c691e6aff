import type { Anomaly, AnomalyStatus } from '../../api-types.js';
import { isFeedbackAction, noFeedback, reduceFeedback, type Feedback, type FeedbackAction } from '../feedback.js';
import { emptyList, isListAction, reduceList, type ListState, selectedItem } from '../list-state.js';
import type { Routed } from '../screen.js';

/** `active` is the server's default (open and acknowledged, not resolved). */
export type AnomalyFilter = 'active' | AnomalyStatus;
export const ANOMALY_FILTERS: AnomalyFilter[] = ['active', 'open', 'acknowledged', 'resolved'];

export interface AnomaliesState extends Feedback {
  anomalies: ListState<Anomaly>;
  filter: AnomalyFilter;
  /** The anomaly whose details are open, and how far they are scrolled. */
  detail: { id: string; scroll: number } | null;
}

export type AnomaliesAction =
  | Routed<Anomaly>
  | FeedbackAction
  | { type: 'filter/next' }
  | { type: 'detail/open' }
  | { type: 'detail/close' }
  | { type: 'detail/scroll'; delta: number; max: number }
  | { type: 'anomaly/updated'; anomaly: Anomaly; verb: string };

/** The Anomalies screen before its first fetch: active anomalies, no detail open. */
export function initialAnomaliesState(): AnomaliesState {
  return { ...noFeedback, anomalies: emptyList(), filter: 'active', detail: null };
}

const STATUS_RANK: Record<string, number> = { open: 0, acknowledged: 1, resolved: 2 };

/** Open anomalies first, then acknowledged, then resolved; newest first within each (stable). */
export function sortAnomalies(items: Anomaly[]): Anomaly[] {
  return items
    .map((anomaly, index) => ({ anomaly, index }))
    .sort((a, b) => (STATUS_RANK[a.anomaly.status] ?? 3) - (STATUS_RANK[b.anomaly.status] ?? 3) || a.index - b.index)
    .map(({ anomaly }) => anomaly);
}

/** True when `anomaly` belongs in the list shown for `filter`. */
export function matchesFilter(anomaly: Anomaly, filter: AnomalyFilter): boolean {
  return filter === 'active' ? anomaly.status !== 'resolved' : anomaly.status === filter;
}

function withSorted(list: ListState<Anomaly>, selectedId: string | undefined): ListState<Anomaly> {
  const items = sortAnomalies(list.items);
  const found = selectedId ? items.findIndex((a) => a.id === selectedId) : -1;
  return { ...list, items, selected: found >= 0 ? found : Math.min(list.selected, Math.max(0, items.length - 1)) };
}

/** Anomalies screen: the sorted list, its status filter, the detail pane, ack/resolve results. */
export function anomaliesReducer(state: AnomaliesState, action: AnomaliesAction): AnomaliesState {
  if (isFeedbackAction(action)) return reduceFeedback(state, action);
  if (isListAction(action)) {
    const selectedId = selectedItem(state.anomalies)?.id;
    const next = reduceList(state.anomalies, action);
    return { ...state, anomalies: action.type === 'list/move' ? next : withSorted(next, selectedId) };
  }
  switch (action.type) {
    case 'filter/next': {
      const filter = ANOMALY_FILTERS[(ANOMALY_FILTERS.indexOf(state.filter) + 1) % ANOMALY_FILTERS.length];
      return { ...state, filter, anomalies: emptyList(), detail: null };
    }
    case 'detail/open': {
      const anomaly = selectedItem(state.anomalies);
      return anomaly ? { ...state, detail: { id: anomaly.id, scroll: 0 } } : state;
    }
    case 'detail/close':
      return { ...state, detail: null };
    case 'detail/scroll':
      if (!state.detail) return state;
      return { ...state, detail: { ...state.detail, scroll: Math.max(0, Math.min(action.max, state.detail.scroll + action.delta)) } };
    case 'anomaly/updated': {
      const { anomaly } = action;
      const selectedId = selectedItem(state.anomalies)?.id;
      const items = state.anomalies.items.map((a) => (a.id === anomaly.id ? anomaly : a)).filter((a) => matchesFilter(a, state.filter));
      return {
        ...state,
        anomalies: withSorted({ ...state.anomalies, items }, selectedId),
        notice: `${action.verb} ${anomaly.id} (${anomaly.type}).`,
        error: null,
        errorFrom: null,
      };
    }
    default:
      return state;
  }
}

/** The open detail's anomaly, if it is still in the list. */
export function detailAnomaly(state: AnomaliesState): Anomaly | undefined {
  return state.detail ? state.anomalies.items.find((a) => a.id === state.detail?.id) : undefined;
}
