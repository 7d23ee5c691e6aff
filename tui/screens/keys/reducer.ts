import type { ApiKeyInfo, CreatedApiKey } from '../../api-types.js';
import { isFeedbackAction, noFeedback, reduceFeedback, type Feedback, type FeedbackAction } from '../feedback.js';
import { emptyList, isListAction, reduceList, type ListState, selectedItem } from '../list-state.js';
import type { Routed } from '../screen.js';

export type KeysMode =
  | { kind: 'list' }
  | { kind: 'form'; step: 'name' | 'scopes'; name: string; scopes: string[]; cursor: number; submitting: boolean }
  | { kind: 'created'; key: CreatedApiKey }
  | { kind: 'confirm-revoke'; id: string; name: string };

export interface KeysState extends Feedback {
  keys: ListState<ApiKeyInfo>;
  mode: KeysMode;
  /** Every scope a key may carry, in the order the multi-select lists them. */
  scopeChoices: readonly string[];
}

export type KeysAction =
  | Routed<ApiKeyInfo>
  | FeedbackAction
  | { type: 'form/open' }
  | { type: 'form/type'; text: string }
  | { type: 'form/backspace' }
  | { type: 'form/next' }
  | { type: 'form/back' }
  | { type: 'form/cursor'; delta: number }
  | { type: 'form/toggle' }
  | { type: 'form/submitting'; submitting: boolean }
  | { type: 'created'; key: CreatedApiKey }
  | { type: 'revoke/ask' }
  | { type: 'revoked'; id: string }
  | { type: 'cancel' };

/** The Keys screen before its first fetch. */
export function initialKeysState(scopeChoices: readonly string[]): KeysState {
  return { ...noFeedback, keys: emptyList(), mode: { kind: 'list' }, scopeChoices };
}

/** Keys screen: the key list, the create form (name, then scopes), the one-time key, revoke. */
export function keysReducer(state: KeysState, action: KeysAction): KeysState {
  if (isFeedbackAction(action)) return reduceFeedback(state, action);
  if (isListAction(action)) return { ...state, keys: reduceList(state.keys, action) };
  const mode = state.mode;
  switch (action.type) {
    case 'form/open':
      return { ...state, mode: { kind: 'form', step: 'name', name: '', scopes: [], cursor: 0, submitting: false } };
    case 'form/type':
      if (mode.kind !== 'form' || mode.step !== 'name') return state;
      // eslint-disable-next-line no-control-regex -- control characters are exactly what a typed name must drop
      return { ...state, mode: { ...mode, name: (mode.name + action.text.replace(/[\x00-\x1f\x7f]/g, '')).slice(0, 200) } };
    case 'form/backspace':
      if (mode.kind !== 'form' || mode.step !== 'name') return state;
      return { ...state, mode: { ...mode, name: mode.name.slice(0, -1) } };
    case 'form/next':
      if (mode.kind !== 'form') return state;
      if (mode.name.trim() === '') return { ...state, error: 'Give the key a name first.', errorFrom: 'action' };
      return { ...state, error: null, errorFrom: null, mode: { ...mode, step: 'scopes' } };
    case 'form/back':
      return mode.kind === 'form' ? { ...state, mode: { ...mode, step: 'name' } } : state;
    case 'form/cursor': {
      if (mode.kind !== 'form') return state;
      const cursor = Math.max(0, Math.min(state.scopeChoices.length - 1, mode.cursor + action.delta));
      return { ...state, mode: { ...mode, cursor } };
    }
    case 'form/toggle': {
      if (mode.kind !== 'form' || mode.step !== 'scopes') return state;
      const scope = state.scopeChoices[mode.cursor];
      const chosen = mode.scopes.includes(scope) ? mode.scopes.filter((s) => s !== scope) : [...mode.scopes, scope];
      // keep the table's order so the request and the screen read the same way
      return { ...state, mode: { ...mode, scopes: state.scopeChoices.filter((s) => chosen.includes(s)) } };
    }
    case 'form/submitting':
      return mode.kind === 'form' ? { ...state, mode: { ...mode, submitting: action.submitting } } : state;
    case 'created':
      return {
        ...state,
        mode: { kind: 'created', key: action.key },
        notice: `Created key "${action.key.name}".`,
        error: null,
        errorFrom: null,
      };
    case 'revoke/ask': {
      const key = selectedItem(state.keys);
      return key ? { ...state, mode: { kind: 'confirm-revoke', id: key.id, name: key.name } } : state;
    }
    case 'revoked':
      return {
        ...state,
        mode: { kind: 'list' },
        keys: {
          ...state.keys,
          items: state.keys.items.filter((k) => k.id !== action.id),
          selected: Math.max(0, Math.min(state.keys.selected, state.keys.items.length - 2)),
        },
        notice: `Revoked ${action.id}.`,
        error: null,
        errorFrom: null,
      };
    case 'cancel':
      return { ...state, mode: { kind: 'list' } };
    default:
      return state;
  }
}

/** True when the create form can be submitted (a name and at least one scope). */
export function canSubmit(mode: KeysMode): boolean {
  return mode.kind === 'form' && mode.name.trim() !== '' && mode.scopes.length > 0 && !mode.submitting;
}
