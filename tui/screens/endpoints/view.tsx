import { Box, Text } from 'ink';
import type { App, Endpoint, Recipient } from '../../api-types.js';
import { Confirm } from '../../components/confirm.js';
import { Footer, type Hint } from '../../components/footer.js';
import { MessageLine } from '../../components/message-line.js';
import { StatusLine } from '../../components/status-line.js';
import { Table, type Column } from '../../components/table.js';
import { ago } from '../../format.js';
import { endpointState, type EndpointsMode, type EndpointsState } from './reducer.js';

const STATE_COLOR: Record<string, string> = { enabled: 'green', failing: 'red', disabled: 'yellow', 'auto-disabled': 'magenta' };

/** The host of a URL (what fits a narrow terminal), or the text itself when it does not parse. */
export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

function rateColor(rate: number | null): string | undefined {
  if (rate === null) return undefined;
  return rate >= 0.99 ? 'green' : rate >= 0.9 ? 'yellow' : 'red';
}

/** Columns for `width`: the full URL and event types on wide terminals, the host alone when narrow. */
export function endpointColumns(state: EndpointsState, width: number, now: number): Column<Endpoint>[] {
  const wide = width >= 110;
  const health = (e: Endpoint) => state.health[e.id];
  const columns: Column<Endpoint>[] = [
    { header: 'URL', value: (e) => (wide ? e.url : hostOf(e.url)) },
    {
      header: 'STATE',
      width: 13,
      value: (e) => endpointState(state, e) + (e.held_count ? ` ${e.held_count}h` : ''),
      color: (e) => STATE_COLOR[endpointState(state, e)],
    },
    {
      header: 'SUCCESS',
      width: 8,
      value: (e) => {
        const h = health(e);
        return !h ? '…' : h.rate === null ? '—' : `${(h.rate * 100).toFixed(h.rate === 1 ? 0 : 1)}%`;
      },
      color: (e) => rateColor(health(e)?.rate ?? null),
    },
    {
      header: 'LAST ATTEMPT',
      width: 17,
      value: (e) => {
        const last = health(e)?.last;
        if (!last) return health(e) ? 'never' : '…';
        const outcome = last.status === 'succeeded' ? `${last.response_status ?? 'ok'}` : (last.response_status ?? last.error ?? 'failed');
        return `${outcome} ${ago(last.created_at, now)}`;
      },
      color: (e) => (health(e)?.last?.status === 'failed' ? 'red' : undefined),
    },
  ];
  if (wide)
    columns.splice(1, 0, { header: 'EVENT TYPES', width: 20, value: (e) => (e.event_types.length ? e.event_types.join(',') : 'all') });
  return columns;
}

function hints(mode: EndpointsMode): Hint[] {
  if (mode.kind === 'secret') return [['Enter', 'done (the secret is not shown again here)']];
  if (mode.kind === 'recover')
    return [
      ['type', '30m · 6h · 7d · 2026-12-01T00:00:00Z'],
      ['Enter', 'recover'],
      ['Esc', 'cancel'],
    ];
  if (mode.kind !== 'list')
    return [
      ['y', 'yes'],
      ['n/Esc', 'cancel'],
    ];
  return [
    ['↑↓', 'move'],
    ['e', 'enable/disable'],
    ['s', 'rotate secret'],
    ['r', 'recover since…'],
    ['x', 'discard held'],
    ['Esc', 'recipients'],
  ];
}

export interface EndpointsViewProps {
  state: EndpointsState;
  app: App;
  recipient: Recipient;
  width: number;
  height: number;
  now: number;
}

/** Endpoints view: URL, state, success rate and last attempt per endpoint, and its key flows. */
export function EndpointsView({ state, app, recipient, width, height, now }: EndpointsViewProps) {
  const body = Math.max(3, height - 3);
  const mode = state.mode;
  const boxRows = mode.kind === 'list' ? 0 : mode.kind === 'secret' ? 5 : 4;
  const list = state.endpoints;
  return (
    <Box flexDirection="column" height={height}>
      <StatusLine
        title={`Apps › ${app.name} › ${recipient.name ?? recipient.uid ?? recipient.id} › endpoints`}
        updatedAt={list.updatedAt}
        now={now}
        width={width}
      />
      <Box flexDirection="column" height={body}>
        <Table
          columns={endpointColumns(state, width, now)}
          rows={list.items}
          selected={list.selected}
          filter={list.filter}
          width={width}
          height={body - boxRows}
          empty={list.loaded ? 'No endpoints.' : 'Loading…'}
          focused={mode.kind === 'list'}
        />
        {mode.kind === 'confirm-rotate' ? (
          <Confirm question={`Rotate the signing secret of ${mode.endpoint.url}? The old one keeps signing for 24 h.`} />
        ) : null}
        {mode.kind === 'confirm-discard' ? (
          <Confirm
            question={`Discard the ${mode.endpoint.held_count ? `${mode.endpoint.held_count} ` : ''}held deliveries of ${mode.endpoint.url}? They fail unsent.`}
          />
        ) : null}
        {mode.kind === 'recover' ? (
          <Box borderStyle="round" borderColor="yellow" paddingX={1} flexDirection="column">
            <Text color="yellow" bold wrap="truncate">
              Re-send the messages that failed on {hostOf(mode.endpoint.url)} since:
            </Text>
            <Text>
              {mode.text}
              <Text inverse> </Text>
            </Text>
          </Box>
        ) : null}
        {mode.kind === 'secret' ? (
          <Box borderStyle="round" borderColor="green" paddingX={1} flexDirection="column">
            <Text color="green" bold wrap="truncate">
              New signing secret of {mode.url}:
            </Text>
            <Text bold color="yellow">
              {mode.secret}
            </Text>
            <Text dimColor>Copy it now; press Enter when done.</Text>
          </Box>
        ) : null}
      </Box>
      <MessageLine error={state.error} notice={state.notice} />
      <Footer hints={hints(mode)} global={mode.kind === 'list'} />
    </Box>
  );
}
