import { useCallback, useReducer } from 'react';
import type { App, Endpoint, Recipient } from '../../api-types.js';
import { useNow, usePoll } from '../../hooks/use-poll.js';
import { useListLoader, useRunner, useTextFilter, type ScreenProps } from '../screen.js';
import { endpointsReducer, healthOf, initialEndpointsState, parseSince, type EndpointHealth } from './reducer.js';
import { useEndpointsInput } from './use-endpoints-input.js';
import { EndpointsView } from './view.js';

/** Endpoints whose health is sampled on each refresh (the first ones loaded), and attempts per endpoint. */
const HEALTH_ENDPOINTS = 50;
const HEALTH_ATTEMPTS = 50;

export interface EndpointsScreenProps extends ScreenProps {
  app: App;
  recipient: Recipient;
  onBack: () => void;
}

/**
 * The Endpoints view of one recipient (Apps → app → recipient): each endpoint's state, success
 * rate and last attempt over its latest attempts, and keys to disable/enable, rotate the secret,
 * recover failed messages since a time and discard held deliveries.
 */
export function EndpointsScreen(props: EndpointsScreenProps) {
  const { client, width, height, refreshMs, inputActive, capture, textFilter, app, recipient, onBack } = props;
  const [state, dispatch] = useReducer(endpointsReducer, undefined, initialEndpointsState);
  const now = useNow();
  const run = useRunner(dispatch);
  const { refresh: refreshList, loadMore } = useListLoader('endpoints', dispatch, (cursor) =>
    client.listEndpoints(app.id, recipient.id, { cursor }),
  );
  useTextFilter(textFilter, dispatch, 'endpoints', state.endpoints.filter);
  // eslint-disable-next-line react-hooks/immutability -- `capture` is the app's ref, set during render by design (ScreenProps.capture)
  capture.current = state.mode.kind !== 'list';

  const refresh = useCallback(async () => {
    const page = await refreshList();
    if (!page) return;
    const health: Record<string, EndpointHealth> = {};
    await Promise.all(
      page.items.slice(0, HEALTH_ENDPOINTS).map(async (endpoint) => {
        try {
          const attempts = await client.listEndpointAttempts(app.id, recipient.id, endpoint.id, { limit: HEALTH_ATTEMPTS });
          health[endpoint.id] = healthOf(attempts.items);
        } catch {
          // a key without endpoint:read on attempts still lists endpoints; the figures stay "…"
        }
      }),
    );
    dispatch({ type: 'health', health });
    try {
      const failing: Record<string, string> = {};
      const anomalies = await client.listAnomalies({}, { limit: 100 });
      for (const anomaly of anomalies.items) {
        if (anomaly.subject.kind === 'endpoint' && !failing[anomaly.subject.id]) failing[anomaly.subject.id] = anomaly.type;
      }
      dispatch({ type: 'failing', failing });
    } catch {
      dispatch({ type: 'failing', failing: null });
    }
  }, [client, app.id, recipient.id, refreshList]);
  usePoll(refresh, refreshMs, true, `${app.id}:${recipient.id}`);

  const toggle = useCallback(
    (endpoint: Endpoint) =>
      run(async () => {
        dispatch({
          type: 'endpoint/updated',
          endpoint: await client.setEndpointDisabled(app.id, recipient.id, endpoint.id, !endpoint.disabled),
        });
      }),
    [client, run, app.id, recipient.id],
  );
  const rotate = useCallback(
    (endpoint: Endpoint) =>
      run(async () => {
        try {
          const { secret } = await client.rotateSecret(app.id, recipient.id, endpoint.id);
          dispatch({ type: 'rotated', url: endpoint.url, secret });
        } catch (error) {
          dispatch({ type: 'cancel' });
          throw error;
        }
      }),
    [client, run, app.id, recipient.id],
  );
  const recover = useCallback(
    (endpoint: Endpoint, text: string) => {
      const since = parseSince(text, Date.now());
      if (!since) {
        dispatch({ type: 'feedback/error', message: `"${text}" is not a look-back (30m, 6h, 7d) or a past ISO time.`, from: 'action' });
        return;
      }
      run(async () => {
        try {
          const { replayed } = await client.recoverEndpoint(app.id, recipient.id, endpoint.id, since);
          dispatch({ type: 'recovered', url: endpoint.url, replayed });
        } catch (error) {
          dispatch({ type: 'cancel' });
          throw error;
        }
      });
    },
    [client, run, app.id, recipient.id],
  );
  const discardHeld = useCallback(
    (endpoint: Endpoint) =>
      run(async () => {
        try {
          const { discarded } = await client.discardHeld(app.id, recipient.id, endpoint.id);
          dispatch({ type: 'discarded', url: endpoint.url, discarded });
        } catch (error) {
          dispatch({ type: 'cancel' });
          throw error;
        }
        await refreshList();
      }),
    [client, run, app.id, recipient.id, refreshList],
  );
  useEndpointsInput(
    state,
    dispatch,
    { toggle, rotate, recover, discardHeld, loadMore: (cursor) => void loadMore(cursor), back: onBack },
    inputActive,
    Math.max(1, height - 5),
  );
  return <EndpointsView state={state} app={app} recipient={recipient} width={width} height={height} now={now} />;
}
