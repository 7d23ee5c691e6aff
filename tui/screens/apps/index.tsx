import React, { useCallback, useReducer } from 'react';
import { useNow, usePoll } from '../../hooks/use-poll.js';
import { useListLoader, useRunner, type ScreenProps } from '../screen.js';
import { appsReducer, initialAppsState, type AppsAction } from './reducer.js';
import { useAppsInput } from './use-apps-input.js';
import { AppsView } from './view.js';

/** Screen 6: apps → recipients → endpoints, with `e` to enable or disable an endpoint. */
export function AppsScreen({ client, width, height, refreshMs, inputActive }: ScreenProps) {
  const [state, dispatch] = useReducer(appsReducer, undefined, initialAppsState);
  const send = dispatch as (a: unknown) => void;
  const now = useNow();
  const run = useRunner(send);
  const appId = state.app?.id ?? '';
  const recipientId = state.recipient?.id ?? '';
  const apps = useListLoader('apps', send, (cursor) => client.listApps({ cursor }));
  const recipients = useListLoader('recipients', send, (cursor) => client.listRecipients(appId, { cursor }), appId);
  const endpoints = useListLoader('endpoints', send, (cursor) => client.listEndpoints(appId, recipientId, { cursor }), `${appId}:${recipientId}`);

  const refreshFailing = useCallback(async () => {
    try {
      const failing: Record<string, string> = {};
      const page = await client.listAnomalies({}, { limit: 100 });
      for (const anomaly of page.items) {
        if (anomaly.subject.kind === 'endpoint' && !failing[anomaly.subject.id]) failing[anomaly.subject.id] = anomaly.type;
      }
      dispatch({ type: 'failing', failing });
    } catch {
      // a key without anomaly:read still manages endpoints; health then shows "?"
      dispatch({ type: 'failing', failing: null });
    }
  }, [client]);
  const refresh = useCallback(async () => {
    if (state.level === 'apps') await apps.refresh();
    else if (state.level === 'recipients') await recipients.refresh();
    else await Promise.all([endpoints.refresh(), refreshFailing()]);
  }, [state.level, apps, recipients, endpoints, refreshFailing]);
  usePoll(refresh, refreshMs, true, `${state.level}:${appId}:${recipientId}`);

  const toggleEndpoint = useCallback(
    (endpointId: string, disabled: boolean) =>
      run(async () => {
        const endpoint = await client.setEndpointDisabled(appId, recipientId, endpointId, disabled);
        dispatch({ type: 'endpoint/updated', endpoint });
      }),
    [client, run, appId, recipientId],
  );
  const loadMore = (list: AppsState['level'], cursor: string) => void ({ apps, recipients, endpoints })[list].loadMore(cursor);
  useAppsInput(state, dispatch as (a: AppsAction) => void, { toggleEndpoint, loadMore }, inputActive, Math.max(1, height - 5));
  return <AppsView state={state} width={width} height={height} now={now} />;
}

type AppsState = ReturnType<typeof initialAppsState>;
