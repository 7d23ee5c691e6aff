/**
 * What a screen tells the operator besides its data: the last error (red) and the last notice
 * (green). Refresh errors clear themselves when a later refresh succeeds; an action's error stays
 * until the next key press so it can be read.
 */
export interface Feedback {
  error: string | null;
  errorFrom: 'refresh' | 'action' | null;
  notice: string | null;
}

export type FeedbackAction =
  | { type: 'feedback/error'; message: string; from: 'refresh' | 'action' }
  | { type: 'feedback/notice'; message: string }
  | { type: 'feedback/refresh-ok' }
  | { type: 'feedback/clear' };

export const noFeedback: Feedback = { error: null, errorFrom: null, notice: null };

/** True for actions `reduceFeedback` handles. */
export function isFeedbackAction(action: { type: string }): action is FeedbackAction {
  return action.type.startsWith('feedback/');
}

/** Applies a feedback action to any screen state that carries the Feedback fields. */
export function reduceFeedback<S extends Feedback>(state: S, action: FeedbackAction): S {
  switch (action.type) {
    case 'feedback/error':
      return { ...state, error: action.message, errorFrom: action.from, notice: null };
    case 'feedback/notice':
      return { ...state, notice: action.message, error: null, errorFrom: null };
    case 'feedback/refresh-ok':
      return state.errorFrom === 'refresh' ? { ...state, error: null, errorFrom: null } : state;
    case 'feedback/clear':
      return state.error || state.notice ? { ...state, error: null, errorFrom: null, notice: null } : state;
  }
}
