import { useCallback, useReducer } from 'react';
import type { ApiClient } from '../../api-client.js';
import { describeError } from '../../describe-error.js';
import { useNow, usePoll } from '../../hooks/use-poll.js';
import { useListLoader, useRunner, useTextFilter, type ScreenProps } from '../screen.js';
import { initialMessagesState, messagesReducer } from './reducer.js';
import { useMessagesInput } from './use-messages-input.js';
import { MessagesView } from './view.js';

const STATUSES = ['pending', 'failed', 'succeeded'] as const;

/**
 * Each message's delivery status as the server derives it, read from the status-filtered lists
 * (one page each, back to the oldest loaded message) since list rows carry only a count.
 */
export async function messageStatuses(client: ApiClient, appId: string, since: string | undefined): Promise<Record<string, string>> {
  const pages = await Promise.all(
    STATUSES.map((status) => client.listMessages(appId, { status, ...(since ? { since } : {}) }, { limit: 100 })),
  );
  const statuses: Record<string, string> = {};
  pages.forEach((page, i) => page.items.forEach((m) => (statuses[m.id] = STATUSES[i])));
  return statuses;
}

/** Screen 4: an app's messages with delivery status; Enter shows deliveries and attempts; `R` replays. */
export function MessagesScreen({ client, width, height, refreshMs, inputActive, capture, textFilter }: ScreenProps) {
  const [state, dispatch] = useReducer(messagesReducer, undefined, initialMessagesState);
  const send = dispatch as (a: unknown) => void;
  const now = useNow();
  const run = useRunner(send);
  const appId = state.app?.id ?? '';
  const messageId = state.detail?.id ?? '';
  const apps = useListLoader('apps', send, (cursor) => client.listApps({ cursor }));
  const messages = useListLoader('messages', send, (cursor) => client.listMessages(appId, {}, { cursor }), appId);
  useTextFilter(
    textFilter,
    send,
    state.level === 'apps' ? 'apps' : 'messages',
    state.level === 'apps' ? state.apps.filter : state.messages.filter,
  );

  const loadDetail = useCallback(async () => {
    try {
      const [message, attempts] = await Promise.all([client.getMessage(appId, messageId), client.listMessageAttempts(appId, messageId)]);
      dispatch({ type: 'detail/loaded', message, attempts: attempts.items, at: Date.now() });
      dispatch({ type: 'feedback/refresh-ok' });
    } catch (error) {
      dispatch({ type: 'feedback/error', message: describeError(error), from: 'refresh' });
    }
  }, [client, appId, messageId]);
  const oldest = state.messages.items[state.messages.items.length - 1]?.created_at;
  const refresh = useCallback(async () => {
    if (state.level === 'apps') await apps.refresh();
    else if (state.level === 'detail') await loadDetail();
    else if (await messages.refresh()) {
      try {
        dispatch({ type: 'statuses', statuses: await messageStatuses(client, appId, oldest) });
      } catch {
        // statuses stay "…"; the list itself loaded
      }
    }
  }, [state.level, apps, messages, loadDetail, client, appId, oldest]);
  usePoll(refresh, refreshMs, true, `${state.level}:${appId}:${messageId}`);
  // eslint-disable-next-line react-hooks/immutability -- `capture` is the app's ref, set during render by design (ScreenProps.capture)
  capture.current = state.confirm !== null;

  const replay = useCallback(
    (id: string, endpointId: string | null) =>
      run(async () => {
        try {
          await client.replayMessage(appId, id, endpointId ?? undefined);
        } catch (error) {
          dispatch({ type: 'replay/cancel' });
          throw error;
        }
        dispatch({ type: 'replayed', id, endpointId });
        await refresh();
      }),
    [client, run, appId, refresh],
  );
  useMessagesInput(
    state,
    dispatch,
    { replay, loadMore: (list, cursor) => void (list === 'apps' ? apps : messages).loadMore(cursor) },
    inputActive,
    Math.max(1, height - 5),
  );
  return <MessagesView state={state} width={width} height={height} now={now} />;
}
