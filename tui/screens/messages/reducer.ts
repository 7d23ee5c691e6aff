import type { App, Attempt, Message } from '../../api-types.js';
import { isFeedbackAction, noFeedback, reduceFeedback, type Feedback, type FeedbackAction } from '../feedback.js';
import { emptyList, isListAction, reduceList, type ListState, selectedItem } from '../list-state.js';
import type { Routed } from '../screen.js';

export type MessagesLevel = 'apps' | 'messages' | 'detail';

export interface MessageDetail {
  id: string;
  message: Message | null;
  attempts: Attempt[];
  /** The selected delivery (by index in message.deliveries): its attempts are listed below. */
  selected: number;
  updatedAt: number | null;
}

export interface MessagesState extends Feedback {
  level: MessagesLevel;
  apps: ListState<App>;
  messages: ListState<Message>;
  app: App | null;
  detail: MessageDetail | null;
  /** A replay waiting for confirmation: every endpoint, or one chosen in the detail view. */
  confirm: { id: string; endpointId: string | null } | null;
  /** Message id → delivery status, from the server's status-filtered lists. */
  statuses: Record<string, string>;
}

export type MessagesAction =
  | (Routed<App> & { list: 'apps' })
  | (Routed<Message> & { list: 'messages' })
  | FeedbackAction
  | { type: 'open' }
  | { type: 'back' }
  | { type: 'detail/loaded'; message: Message; attempts: Attempt[]; at: number }
  | { type: 'detail/move'; delta: number }
  | { type: 'statuses'; statuses: Record<string, string> }
  | { type: 'replay/ask' }
  | { type: 'replay/choose'; endpointId: string | null }
  | { type: 'replay/cancel' }
  | { type: 'replayed'; id: string; endpointId: string | null };

/** The Messages screen before its first fetch: picking an app. */
export function initialMessagesState(): MessagesState {
  return { ...noFeedback, level: 'apps', apps: emptyList(), messages: emptyList(), app: null, detail: null, confirm: null, statuses: {} };
}

/** Messages screen: pick an app, list its messages, open one's deliveries and attempts, replay. */
export function messagesReducer(state: MessagesState, action: MessagesAction): MessagesState {
  if (isFeedbackAction(action)) return reduceFeedback(state, action);
  if (isListAction(action)) {
    const list = (action as { list: string }).list;
    return list === 'apps'
      ? { ...state, apps: reduceList(state.apps, action) }
      : { ...state, messages: reduceList(state.messages, action) };
  }
  switch (action.type) {
    case 'open': {
      if (state.level === 'apps') {
        const app = selectedItem(state.apps);
        return app ? { ...state, level: 'messages', app, messages: emptyList(), statuses: {} } : state;
      }
      if (state.level === 'messages') {
        const message = selectedItem(state.messages);
        return message
          ? { ...state, level: 'detail', detail: { id: message.id, message: null, attempts: [], selected: 0, updatedAt: null } }
          : state;
      }
      return state;
    }
    case 'back':
      if (state.level === 'detail') return { ...state, level: 'messages', detail: null };
      if (state.level === 'messages') return { ...state, level: 'apps', app: null };
      return state;
    case 'detail/loaded': {
      if (!state.detail || state.detail.id !== action.message.id) return state;
      const count = action.message.deliveries?.length ?? 0;
      const selected = Math.max(0, Math.min(state.detail.selected, count - 1));
      return { ...state, detail: { ...state.detail, message: action.message, attempts: action.attempts, selected, updatedAt: action.at } };
    }
    case 'detail/move': {
      if (!state.detail) return state;
      const count = state.detail.message?.deliveries?.length ?? 0;
      return { ...state, detail: { ...state.detail, selected: Math.max(0, Math.min(count - 1, state.detail.selected + action.delta)) } };
    }
    case 'statuses':
      return { ...state, statuses: { ...state.statuses, ...action.statuses } };
    case 'replay/ask': {
      const id = state.level === 'detail' ? state.detail?.id : state.level === 'messages' ? selectedItem(state.messages)?.id : undefined;
      return id ? { ...state, confirm: { id, endpointId: null } } : state;
    }
    case 'replay/choose':
      return state.confirm ? { ...state, confirm: { ...state.confirm, endpointId: action.endpointId } } : state;
    case 'replay/cancel':
      return { ...state, confirm: null };
    case 'replayed':
      return {
        ...state,
        confirm: null,
        notice: `Replay of ${action.id} accepted (${action.endpointId ? `endpoint ${action.endpointId}` : 'every endpoint'}); new attempts follow.`,
        error: null,
        errorFrom: null,
      };
    default:
      return state;
  }
}

/** The endpoint of the delivery selected in the detail view. */
export function selectedEndpointId(state: MessagesState): string | null {
  const detail = state.detail;
  return detail?.message?.deliveries?.[detail.selected]?.endpoint_id ?? null;
}

/** The detail's attempts for the selected delivery's endpoint (all attempts when none is known). */
export function selectedAttempts(state: MessagesState): Attempt[] {
  const endpointId = selectedEndpointId(state);
  const attempts = state.detail?.attempts ?? [];
  return endpointId ? attempts.filter((a) => a.endpoint_id === endpointId) : attempts;
}

/**
 * A message's delivery status for the list: as the server classified it (status-filtered lists),
 * else derived from its deliveries; "none" when no endpoint matched, "…" while unknown.
 */
export function messageStatus(message: Message, statuses: Record<string, string> = {}): string {
  if (message.delivery_count === 0) return 'none';
  const known = statuses[message.id] ?? message.status;
  if (known) return known;
  const deliveries = message.deliveries;
  if (!deliveries) return '…';
  if (deliveries.length === 0) return 'none';
  if (deliveries.some((d) => d.status === 'pending')) return 'pending';
  return deliveries.some((d) => d.status === 'failed') ? 'failed' : 'succeeded';
}
