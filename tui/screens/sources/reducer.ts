import type { Source } from '../../api-types.js';
import { isFeedbackAction, noFeedback, reduceFeedback, type Feedback, type FeedbackAction } from '../feedback.js';
import { emptyList, isListAction, reduceList, type ListState } from '../list-state.js';
import type { Routed } from '../screen.js';

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
}

export type SourcesAction =
  | Routed<Source>
  | FeedbackAction
  | { type: 'stats'; stats: Record<string, SourceStats> }
  | { type: 'source/updated'; source: Source };

/** The Sources screen before its first fetch. */
export function initialSourcesState(): SourcesState {
  return { ...noFeedback, sources: emptyList(), stats: {} };
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
    default:
      return state;
  }
}

/** "42", "100+" or "—" (not counted yet) for the events-in-the-last-hour column. */
export function lastHourLabel(stats: SourceStats | undefined): string {
  if (!stats) return '—';
  return `${stats.lastHour}${stats.more ? '+' : ''}`;
}
