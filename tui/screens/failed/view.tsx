import { Box, Text } from 'ink';
import type { ListedDelivery } from '../../api-types.js';
import { Confirm } from '../../components/confirm.js';
import { Footer, type Hint } from '../../components/footer.js';
import { MessageLine } from '../../components/message-line.js';
import { StatusLine } from '../../components/status-line.js';
import { Table, type Column } from '../../components/table.js';
import { ago } from '../../format.js';
import { hostOf } from '../endpoints/view.js';
import { describeFilter, type FailedState } from './reducer.js';

/** What the last attempt said: the HTTP status, else the error class. */
export function lastOutcome(d: ListedDelivery): string {
  const last = d.last_attempt;
  if (!last) return '—';
  return last.response_status !== null ? `HTTP ${last.response_status}` : (last.error ?? 'failed');
}

function columns(width: number, now: number): Column<ListedDelivery>[] {
  const wide = width >= 110;
  const list: Column<ListedDelivery>[] = [
    { header: 'FAILED', width: 8, value: (d) => ago(d.updated_at, now).replace(' ago', '') },
    { header: 'EVENT TYPE', width: wide ? 24 : 16, value: (d) => d.event_type },
    {
      header: 'ENDPOINT',
      // without endpoint:read the server leaves the URL out: the id then
      value: (d) => (d.endpoint_url === null ? d.endpoint_id : wide ? d.endpoint_url : hostOf(d.endpoint_url)),
    },
    { header: 'LAST ERROR', width: 18, value: lastOutcome, color: () => 'red' },
    { header: 'TRIES', width: 5, value: (d) => String(d.attempts) },
  ];
  if (wide) list.push({ header: 'MESSAGE', width: 26, value: (d) => d.message_id });
  return list;
}

const hints: Hint[] = [
  ['↑↓', 'move'],
  ['a', 'app'],
  ['t', 'event type'],
  ['p', 'endpoint'],
  ['w', 'window'],
  ['c', 'clear'],
  ['R', 'replay all'],
];

/** Failed view: the filter on one line, the failed deliveries, and the bulk replay confirmation. */
export function FailedView({
  state,
  width,
  height,
  now,
  replayApps,
}: {
  state: FailedState;
  width: number;
  height: number;
  now: number;
  replayApps: number;
}) {
  const body = Math.max(3, height - 4);
  const list = state.deliveries;
  const count = `${list.items.length}${list.nextCursor ? '+' : ''}`;
  return (
    <Box flexDirection="column" height={height}>
      <StatusLine title={`Failed deliveries (${count})`} updatedAt={list.updatedAt} now={now} width={width} />
      <Text wrap="truncate">
        <Text dimColor>filter </Text>
        <Text color="cyan">{describeFilter(state.filter, hostOf)}</Text>
        {state.replaying ? <Text color="yellow"> · replaying…</Text> : null}
      </Text>
      <Box flexDirection="column" height={body}>
        <Table
          columns={columns(width, now)}
          rows={list.items}
          selected={list.selected}
          filter={list.filter}
          width={width}
          height={state.confirm ? body - 4 : body}
          empty={list.loaded ? 'No failed deliveries under this filter.' : 'Loading…'}
          focused={!state.confirm}
        />
        {state.confirm ? (
          <Confirm
            question={`Replay every failed delivery of ${describeFilter(state.filter, hostOf)}${replayApps > 1 ? ` (${replayApps} apps)` : ''}?`}
          />
        ) : null}
      </Box>
      <MessageLine error={state.error} notice={state.notice} />
      <Footer
        hints={
          state.confirm
            ? [
                ['y', 'replay'],
                ['n/Esc', 'cancel'],
              ]
            : hints
        }
        global={!state.confirm}
      />
    </Box>
  );
}
