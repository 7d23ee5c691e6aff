import { useCallback, useReducer } from 'react';
import { useNow, usePoll } from '../../hooks/use-poll.js';
import { EndpointsScreen } from '../endpoints/index.js';
import { useListLoader, useTextFilter, type ScreenProps } from '../screen.js';
import { appsReducer, currentList, initialAppsState } from './reducer.js';
import { useAppsInput } from './use-apps-input.js';
import { AppsView } from './view.js';

/** Screen 6: apps → recipients → the recipient's Endpoints view (screens/endpoints). */
export function AppsScreen(props: ScreenProps) {
  const { client, width, height, refreshMs, inputActive, textFilter } = props;
  const [state, dispatch] = useReducer(appsReducer, undefined, initialAppsState);
  const send = dispatch as (a: unknown) => void;
  const now = useNow();
  const appId = state.app?.id ?? '';
  const apps = useListLoader('apps', send, (cursor) => client.listApps({ cursor }));
  const recipients = useListLoader('recipients', send, (cursor) => client.listRecipients(appId, { cursor }), appId);
  useTextFilter(textFilter, send, state.level === 'apps' ? 'apps' : 'recipients', currentList(state).filter);

  const refresh = useCallback(async () => {
    if (state.level === 'apps') await apps.refresh();
    else if (state.level === 'recipients') await recipients.refresh();
  }, [state.level, apps, recipients]);
  usePoll(refresh, refreshMs, state.level !== 'endpoints', `${state.level}:${appId}`);
  const back = useCallback(() => dispatch({ type: 'back' }), []);

  useAppsInput(
    state,
    dispatch,
    { loadMore: (list, cursor) => void (list === 'apps' ? apps : recipients).loadMore(cursor) },
    inputActive && state.level !== 'endpoints',
    Math.max(1, height - 5),
  );
  if (state.level === 'endpoints' && state.app && state.recipient)
    return <EndpointsScreen {...props} key={state.recipient.id} app={state.app} recipient={state.recipient} onBack={back} />;
  return <AppsView state={state} width={width} height={height} now={now} />;
}
