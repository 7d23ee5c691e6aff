import type { Destination, EventStatus, IngestEvent, IngestEventDetail, Source } from '../../api-types.js';
import { isFeedbackAction, noFeedback, reduceFeedback, type Feedback, type FeedbackAction } from '../feedback.js';
import { emptyList, isListAction, reduceList, selectedItem, type ListState } from '../list-state.js';
import type { Routed } from '../screen.js';

export const EVENT_STATUSES: Array<EventStatus | null> = [
  null,
  'pending',
  'delivered',
  'failed',
  'held',
  'rejected',
  'duplicate',
  'filtered',
];

export interface EventsFilter {
  sourceId: string | null;
  status: EventStatus | null;
}

export type EventsMode =
  { kind: 'list' } | { kind: 'detail'; id: string; scroll: number } | { kind: 'confirm-replay'; id: string; from: 'list' | 'detail' };

export interface EventsState extends Feedback {
  events: ListState<IngestEvent>;
  filter: EventsFilter;
  /** Sources by id, for names in the list and to cycle the source filter. */
  sources: Source[];
  mode: EventsMode;
  detail: IngestEventDetail | null;
  detailAt: number | null;
  /** The detail pane's scroll offset to return to after a replay confirmation. */
  scroll: number;
}

export type EventsAction =
  | Routed<IngestEvent>
  | FeedbackAction
  | { type: 'sources/loaded'; sources: Source[] }
  | { type: 'filter/source-next' }
  | { type: 'filter/status-next' }
  | { type: 'detail/open' }
  | { type: 'detail/loaded'; event: IngestEventDetail; at: number }
  | { type: 'detail/close' }
  | { type: 'detail/scroll'; delta: number; max: number }
  | { type: 'replay/ask' }
  | { type: 'replay/cancel' }
  | { type: 'replayed'; id: string };

/** The Events screen before its first fetch, filtered to `sourceId` when opened from Sources. */
export function initialEventsState(sourceId: string | null = null): EventsState {
  return {
    ...noFeedback,
    events: emptyList(),
    filter: { sourceId, status: null },
    sources: [],
    mode: { kind: 'list' },
    detail: null,
    detailAt: null,
    scroll: 0,
  };
}

function next<T>(values: T[], current: T): T {
  return values[(values.indexOf(current) + 1) % values.length];
}

/** Events screen: filters, the list, one event's scrollable detail, and replay confirmation. */
export function eventsReducer(state: EventsState, action: EventsAction): EventsState {
  if (isFeedbackAction(action)) return reduceFeedback(state, action);
  if (isListAction(action)) return { ...state, events: reduceList(state.events, action) };
  const mode = state.mode;
  switch (action.type) {
    case 'sources/loaded':
      return { ...state, sources: action.sources };
    case 'filter/source-next': {
      const sourceId = next<string | null>([null, ...state.sources.map((s) => s.id)], state.filter.sourceId);
      return { ...state, filter: { ...state.filter, sourceId }, events: emptyList() };
    }
    case 'filter/status-next':
      return { ...state, filter: { ...state.filter, status: next(EVENT_STATUSES, state.filter.status) }, events: emptyList() };
    case 'detail/open': {
      const event = selectedItem(state.events);
      return event ? { ...state, mode: { kind: 'detail', id: event.id, scroll: 0 }, detail: null, detailAt: null } : state;
    }
    case 'detail/loaded':
      return mode.kind !== 'list' && mode.id === action.event.id ? { ...state, detail: action.event, detailAt: action.at } : state;
    case 'detail/close':
      return { ...state, mode: { kind: 'list' }, detail: null };
    case 'detail/scroll':
      if (mode.kind !== 'detail') return state;
      return { ...state, mode: { ...mode, scroll: Math.max(0, Math.min(action.max, mode.scroll + action.delta)) } };
    case 'replay/ask': {
      if (mode.kind === 'detail') return { ...state, mode: { kind: 'confirm-replay', id: mode.id, from: 'detail' }, scroll: mode.scroll };
      const event = selectedItem(state.events);
      return event && mode.kind === 'list' ? { ...state, mode: { kind: 'confirm-replay', id: event.id, from: 'list' } } : state;
    }
    case 'replay/cancel':
      return { ...state, mode: back(state) };
    case 'replayed':
      return {
        ...state,
        mode: back(state),
        notice: `Replay of ${action.id} accepted; a new attempt is on its way.`,
        error: null,
        errorFrom: null,
      };
    default:
      return state;
  }
}

function back(state: EventsState): EventsMode {
  const mode = state.mode;
  if (mode.kind === 'confirm-replay' && mode.from === 'detail') return { kind: 'detail', id: mode.id, scroll: state.scroll };
  return mode.kind === 'confirm-replay' ? { kind: 'list' } : mode;
}

/** The id of the event whose detail is showing (also while confirming its replay). */
export function detailId(state: EventsState): string | null {
  const mode = state.mode;
  if (mode.kind === 'detail') return mode.id;
  if (mode.kind === 'confirm-replay' && mode.from === 'detail') return mode.id;
  return null;
}

/** A source's name for display, or its id when it is not among the loaded sources. */
export function sourceName(state: EventsState, id: string | null): string {
  if (!id) return 'all sources';
  return state.sources.find((s) => s.id === id)?.name ?? id;
}

/** A source's destinations, when it is among the loaded sources (for URLs in the event detail). */
export function sourceDestinations(state: EventsState, id: string): Destination[] {
  return state.sources.find((s) => s.id === id)?.destinations ?? [];
}
