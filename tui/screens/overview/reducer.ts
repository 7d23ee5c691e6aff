import type { Stats } from '../../api-types.js';
import { isFeedbackAction, noFeedback, reduceFeedback, type Feedback, type FeedbackAction } from '../feedback.js';

export interface OverviewState extends Feedback {
  stats: Stats | null;
  updatedAt: number | null;
}

export type OverviewAction = FeedbackAction | { type: 'stats/loaded'; stats: Stats; at: number };

/** The Overview before its first fetch. */
export function initialOverviewState(): OverviewState {
  return { ...noFeedback, stats: null, updatedAt: null };
}

/** Overview: the latest GET /stats answer and when it arrived. */
export function overviewReducer(state: OverviewState, action: OverviewAction): OverviewState {
  if (isFeedbackAction(action)) return reduceFeedback(state, action);
  switch (action.type) {
    case 'stats/loaded':
      return { ...state, stats: action.stats, updatedAt: action.at };
    default:
      return state;
  }
}

export type Level = 'good' | 'warn' | 'bad' | 'none';

/** Thresholds an operator reads at a glance: green / yellow / red per figure. */
export function successLevel(rate: number | null): Level {
  if (rate === null) return 'none';
  return rate >= 0.99 ? 'good' : rate >= 0.9 ? 'warn' : 'bad';
}

export function ageLevel(seconds: number | null): Level {
  if (seconds === null) return 'none';
  return seconds < 60 ? 'good' : seconds < 600 ? 'warn' : 'bad';
}

export function latencyLevel(ms: number | null): Level {
  if (ms === null) return 'none';
  return ms < 1000 ? 'good' : ms < 5000 ? 'warn' : 'bad';
}

/** The newest bucket's rate and the window's average, per second. */
export function rates(series: number[]): { now: number; average: number } {
  const sum = series.reduce((total, n) => total + n, 0);
  return { now: series[series.length - 1] ?? 0, average: series.length ? sum / series.length : 0 };
}

/** "1235/s", "12.3/s", "0.02/s", "<0.01/s": two decimals for slow rates, none for fast ones; never 0 for some traffic. */
export function perSecond(value: number): string {
  if (value > 0 && value < 0.01) return '<0.01/s';
  return `${value >= 100 ? Math.round(value) : value >= 10 ? value.toFixed(1) : value.toFixed(2)}/s`;
}

/** "3s", "4m 10s", "2h 5m", "3d 4h" for an age in seconds. */
export function duration(seconds: number): string {
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ${seconds % 60}s`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)}h ${Math.floor((seconds % 3600) / 60)}m`;
  return `${Math.floor(seconds / 86_400)}d ${Math.floor((seconds % 86_400) / 3600)}h`;
}
