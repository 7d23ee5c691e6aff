import type { Source } from '../../api-types.js';
import { isFeedbackAction, noFeedback, reduceFeedback, type Feedback, type FeedbackAction } from '../feedback.js';
import { emptyList, isListAction, reduceList, selectedItem, type ListState } from '../list-state.js';
import type { Routed } from '../screen.js';
import type { ForwardSample } from './destination-lines.js';

/** A source's recent activity, counted from the events API. */
export interface SourceStats {
  lastEventAt: string | null;
  lastHour: number;
  /** True when the last hour holds more events than were counted (one page). */
  more: boolean;
}

export interface SourcesState extends Feedback {
  sources: ListState<Source>;
  stats: Record<string, SourceStats>;
  /** The list, or one source's detail (destinations, filters, per-destination delivery state). */
  mode: { kind: 'list' } | { kind: 'detail'; id: string };
  /** Recent forwards per destination, by source id. */
  forwards: Record<string, ForwardSample>;
}

export type SourcesAction =
  | Routed<Source>
  | FeedbackAction
  | { type: 'stats'; stats: Record<string, SourceStats> }
  | { type: 'source/updated'; source: Source }
  | { type: 'detail/open' }
  | { type: 'detail/close' }
  | { type: 'forwards/sampled'; sourceId: string; sample: ForwardSample };

/** The Sources screen before its first fetch. */
export function initialSourcesState(): SourcesState {
  return { ...noFeedback, sources: emptyList(), stats: {}, mode: { kind: 'list' }, forwards: {} };
}

/** Sources screen: the list, per-source activity, and pause/resume results. */
export function sourcesReducer(state: SourcesState, action: SourcesAction): SourcesState {
  if (isFeedbackAction(action)) return reduceFeedback(state, action);
  if (isListAction(action)) return { ...state, sources: reduceList(state.sources, action) };
  switch (action.type) {
    case 'stats':
      return { ...state, stats: { ...state.stats, ...action.stats } };
    case 'source/updated':
      return {
        ...state,
        sources: { ...state.sources, items: state.sources.items.map((s) => (s.id === action.source.id ? action.source : s)) },
        notice: `${action.source.paused ? 'Paused' : 'Resumed'} ${action.source.name}${action.source.paused ? ': new events are held' : ': held events are being delivered'}.`,
        error: null,
        errorFrom: null,
      };
    case 'detail/open': {
      const source = selectedItem(state.sources);
      return source ? { ...state, mode: { kind: 'detail', id: source.id } } : state;
    }
    case 'detail/close':
      return { ...state, mode: { kind: 'list' } };
    case 'forwards/sampled':
      return { ...state, forwards: { ...state.forwards, [action.sourceId]: action.sample } };
    default:
      return state;
  }
}

/** "42", "100+" or "—" (not counted yet) for the events-in-the-last-hour column. */
export function lastHourLabel(stats: SourceStats | undefined): string {
  if (!stats) return '—';
  return `${stats.lastHour}${stats.more ? '+' : ''}`;
}

/** The source whose detail is showing (from the refreshed list), or null in the list. */
export function detailSource(state: SourcesState): Source | null {
  const mode = state.mode;
  return mode.kind === 'detail' ? (state.sources.items.find((s) => s.id === mode.id) ?? null) : null;
}
