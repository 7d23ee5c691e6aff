import React from 'react';
import { Box } from 'ink';
import type { App, Endpoint, Recipient } from '../../api-types.js';
import { Footer, type Hint } from '../../components/footer.js';
import { MessageLine } from '../../components/message-line.js';
import { StatusLine } from '../../components/status-line.js';
import { Table, type Column } from '../../components/table.js';
import { shortTime } from '../../format.js';
import { currentList, endpointHealth, type AppsState } from './reducer.js';

const appColumns: Column<App>[] = [
  { header: 'NAME', width: 28, value: (a) => a.name },
  { header: 'UID', width: 24, value: (a) => a.uid ?? '—' },
  { header: 'CREATED', width: 19, value: (a) => shortTime(a.created_at) },
  { header: 'ID', value: (a) => a.id },
];

const recipientColumns: Column<Recipient>[] = [
  { header: 'NAME', width: 28, value: (r) => r.name ?? '—' },
  { header: 'UID', width: 24, value: (r) => r.uid ?? '—' },
  { header: 'CREATED', width: 19, value: (r) => shortTime(r.created_at) },
  { header: 'ID', value: (r) => r.id },
];

const HEALTH_COLOR: Record<string, string> = { failing: 'red', 'auto-disabled': 'magenta', ok: 'green' };

function endpointColumns(state: AppsState): Column<Endpoint>[] {
  return [
    { header: 'URL', value: (e) => e.url },
    { header: 'EVENT TYPES', width: 24, value: (e) => (e.event_types.length ? e.event_types.join(',') : 'all') },
    { header: 'STATE', width: 8, value: (e) => (e.disabled ? 'disabled' : 'enabled'), color: (e) => (e.disabled ? 'red' : 'green') },
    { header: 'HEALTH', width: 13, value: (e) => endpointHealth(state, e), color: (e) => HEALTH_COLOR[endpointHealth(state, e)] },
  ];
}

function title(state: AppsState): string {
  if (state.level === 'apps') return `Apps (${state.apps.items.length}${state.apps.nextCursor ? '+' : ''})`;
  const app = state.app?.name ?? '';
  if (state.level === 'recipients') return `Apps › ${app} › recipients`;
  return `Apps › ${app} › ${state.recipient?.name ?? state.recipient?.uid ?? state.recipient?.id} › endpoints`;
}

/** Apps screen: apps, then recipients, then endpoints with their state and health. */
export function AppsView({ state, width, height, now }: { state: AppsState; width: number; height: number; now: number }) {
  const body = Math.max(3, height - 3);
  const list = currentList(state);
  const common = { selected: list.selected, width, height: body, empty: list.loaded ? `No ${state.level}.` : 'Loading…' };
  const hints: Hint[] =
    state.level === 'apps'
      ? [['↑↓', 'move'], ['Enter', 'recipients']]
      : state.level === 'recipients'
        ? [['↑↓', 'move'], ['Enter', 'endpoints'], ['Esc', 'apps']]
        : [['↑↓', 'move'], ['e', 'enable/disable'], ['Esc', 'recipients']];
  return (
    <Box flexDirection="column" height={height}>
      <StatusLine title={title(state)} updatedAt={list.updatedAt} now={now} width={width} />
      {state.level === 'apps' ? <Table columns={appColumns} rows={state.apps.items} {...common} /> : null}
      {state.level === 'recipients' ? <Table columns={recipientColumns} rows={state.recipients.items} {...common} /> : null}
      {state.level === 'endpoints' ? <Table columns={endpointColumns(state)} rows={state.endpoints.items} {...common} /> : null}
      <MessageLine error={state.error} notice={state.notice} />
      <Footer hints={hints} />
    </Box>
  );
}
