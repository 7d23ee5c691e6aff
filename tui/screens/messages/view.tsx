import { Box, Text } from 'ink';
import type { App, Delivery, Message } from '../../api-types.js';
import { Confirm } from '../../components/confirm.js';
import { Footer, type Hint } from '../../components/footer.js';
import { MessageLine } from '../../components/message-line.js';
import { StatusLine } from '../../components/status-line.js';
import { Table, type Column } from '../../components/table.js';
import { shortTime } from '../../format.js';
import { attemptLine } from '../events/detail-lines.js';
import { messageStatus, selectedAttempts, selectedEndpointId, type MessagesState } from './reducer.js';

const STATUS_COLOR: Record<string, string> = { pending: 'yellow', succeeded: 'green', failed: 'red' };

const appColumns: Column<App>[] = [
  { header: 'APP', width: 30, value: (a) => a.name },
  { header: 'UID', width: 24, value: (a) => a.uid ?? '—' },
  { header: 'ID', value: (a) => a.id },
];

function messageColumns(statuses: Record<string, string>): Column<Message>[] {
  return [
    { header: 'CREATED', width: 19, value: (m) => shortTime(m.created_at) },
    { header: 'EVENT TYPE', width: 22, value: (m) => m.event_type },
    { header: 'STATUS', width: 10, value: (m) => messageStatus(m, statuses), color: (m) => STATUS_COLOR[messageStatus(m, statuses)] },
    { header: 'ENDPOINTS', width: 9, value: (m) => String(m.delivery_count ?? m.deliveries?.length ?? '—') },
    { header: 'ID', value: (m) => m.id },
  ];
}

const deliveryColumns: Column<Delivery>[] = [
  { header: 'ENDPOINT', width: 28, value: (d) => d.endpoint_id },
  { header: 'STATUS', width: 10, value: (d) => d.status, color: (d) => STATUS_COLOR[d.status] },
  { header: 'ATTEMPTS', width: 8, value: (d) => String(d.attempts) },
  { header: 'NEXT ATTEMPT', value: (d) => shortTime(d.next_attempt_at) },
];

function hintsFor(state: MessagesState): Hint[] {
  if (state.confirm)
    return state.level === 'detail'
      ? [
          ['a', 'all endpoints'],
          ['o', 'only selected'],
          ['n/Esc', 'cancel'],
        ]
      : [
          ['y', 'replay'],
          ['n/Esc', 'cancel'],
        ];
  if (state.level === 'apps')
    return [
      ['↑↓', 'move'],
      ['Enter', 'messages'],
    ];
  if (state.level === 'messages')
    return [
      ['↑↓', 'move'],
      ['Enter', 'deliveries'],
      ['R', 'replay'],
      ['Esc', 'apps'],
    ];
  return [
    ['↑↓', 'delivery'],
    ['R', 'replay'],
    ['Esc', 'messages'],
  ];
}

/** Messages screen: app picker, message list with delivery status, or one message's deliveries. */
export function MessagesView({ state, width, height, now }: { state: MessagesState; width: number; height: number; now: number }) {
  const body = Math.max(3, height - 3) - (state.confirm ? 4 : 0);
  const detail = state.detail;
  const title =
    state.level === 'apps'
      ? 'Messages — pick an app'
      : state.level === 'messages'
        ? `Messages › ${state.app?.name} (${state.messages.items.length}${state.messages.nextCursor ? '+' : ''})`
        : `Message ${detail?.id}`;
  const updatedAt =
    state.level === 'detail' ? (detail?.updatedAt ?? null) : state.level === 'apps' ? state.apps.updatedAt : state.messages.updatedAt;
  const only = state.level === 'detail' ? selectedEndpointId(state) : null;
  const confirmText = state.confirm ? (only ? `Replay ${state.confirm.id} now?` : `Replay ${state.confirm.id} to every endpoint now?`) : '';
  const confirmChoices = only ? `a every endpoint · o only ${only} · n/Esc cancel` : 'y yes · n/Esc cancel';
  return (
    <Box flexDirection="column" height={height}>
      <StatusLine title={title} updatedAt={updatedAt} now={now} width={width} />
      {state.level === 'apps' ? (
        <Table
          columns={appColumns}
          rows={state.apps.items}
          selected={state.apps.selected}
          filter={state.apps.filter}
          width={width}
          height={body}
          empty={state.apps.loaded ? 'No apps.' : 'Loading…'}
        />
      ) : null}
      {state.level === 'messages' ? (
        <Table
          columns={messageColumns(state.statuses)}
          rows={state.messages.items}
          selected={state.messages.selected}
          filter={state.messages.filter}
          width={width}
          height={body}
          empty={state.messages.loaded ? 'No messages.' : 'Loading…'}
          focused={!state.confirm}
        />
      ) : null}
      {state.level === 'detail' ? <DetailPane state={state} width={width} height={body} /> : null}
      {state.confirm ? <Confirm question={confirmText} choices={confirmChoices} /> : null}
      <MessageLine error={state.error} notice={state.notice} />
      <Footer hints={hintsFor(state)} global={!state.confirm} />
    </Box>
  );
}

function DetailPane({ state, width, height }: { state: MessagesState; width: number; height: number }) {
  const message = state.detail?.message;
  if (!message) return <Box height={height} />;
  const deliveries = message.deliveries ?? [];
  const deliveryHeight = Math.min(deliveries.length + 1, Math.max(2, Math.floor((height - 3) / 2)));
  const attempts = selectedAttempts(state);
  const attemptRows = Math.max(1, height - deliveryHeight - 3);
  return (
    <Box flexDirection="column" height={height}>
      <Text wrap="truncate">{`${message.event_type} · recipient ${message.recipient_id ?? 'all'} · created ${shortTime(message.created_at)}`}</Text>
      <Table
        columns={deliveryColumns}
        rows={deliveries}
        selected={state.detail?.selected ?? 0}
        width={width}
        height={deliveryHeight}
        empty="No deliveries (no endpoint matched)."
        focused={!state.confirm}
      />
      <Text bold>{`attempts for ${selectedEndpointId(state) ?? 'this message'} (${attempts.length}, newest first)`}</Text>
      {attempts.length === 0 ? <Text dimColor> none yet</Text> : null}
      {attempts.slice(0, attemptRows).map((a) => {
        const line = attemptLine(a);
        return (
          <Text key={a.id} color={line.color} wrap="truncate">
            {'  ' + line.text}
          </Text>
        );
      })}
    </Box>
  );
}
