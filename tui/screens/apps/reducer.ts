import type { App, Recipient } from '../../api-types.js';
import { isFeedbackAction, noFeedback, reduceFeedback, type Feedback, type FeedbackAction } from '../feedback.js';
import { emptyList, isListAction, reduceList, selectedItem, type ListState } from '../list-state.js';
import type { Routed } from '../screen.js';

export type AppsLevel = 'apps' | 'recipients' | 'endpoints';

export interface AppsState extends Feedback {
  level: AppsLevel;
  apps: ListState<App>;
  recipients: ListState<Recipient>;
  app: App | null;
  /** The recipient whose Endpoints view is open (level `endpoints`). */
  recipient: Recipient | null;
}

export type AppsAction =
  (Routed<App> & { list: 'apps' }) | (Routed<Recipient> & { list: 'recipients' }) | FeedbackAction | { type: 'open' } | { type: 'back' };

/** The Apps screen before its first fetch: the app list. */
export function initialAppsState(): AppsState {
  return { ...noFeedback, level: 'apps', apps: emptyList(), recipients: emptyList(), app: null, recipient: null };
}

/** Apps screen: drill from apps to an app's recipients to a recipient's Endpoints view, and back. */
export function appsReducer(state: AppsState, action: AppsAction): AppsState {
  if (isFeedbackAction(action)) return reduceFeedback(state, action);
  if (isListAction(action)) {
    const routed = action as AppsAction & { list: string };
    if (routed.list === 'apps') return { ...state, apps: reduceList(state.apps, action) };
    if (routed.list === 'recipients') return { ...state, recipients: reduceList(state.recipients, action) };
    return state;
  }
  switch (action.type) {
    case 'open': {
      if (state.level === 'apps') {
        const app = selectedItem(state.apps);
        return app ? { ...state, level: 'recipients', app, recipients: emptyList() } : state;
      }
      if (state.level === 'recipients') {
        const recipient = selectedItem(state.recipients);
        return recipient ? { ...state, level: 'endpoints', recipient } : state;
      }
      return state;
    }
    case 'back':
      if (state.level === 'endpoints') return { ...state, level: 'recipients', recipient: null };
      if (state.level === 'recipients') return { ...state, level: 'apps', app: null };
      return state;
    default:
      return state;
  }
}

/** The list shown at the apps or recipients level. */
export function currentList(state: AppsState): ListState<{ id: string }> {
  return state.level === 'apps' ? state.apps : state.recipients;
}
