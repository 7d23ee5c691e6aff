import { Box } from 'ink';
import type { IngestEvent } from '../../api-types.js';
import { Confirm } from '../../components/confirm.js';
import { Footer, type Hint } from '../../components/footer.js';
import { MessageLine } from '../../components/message-line.js';
import { ScrollView } from '../../components/scroll-view.js';
import { StatusLine } from '../../components/status-line.js';
import { Table, type Column } from '../../components/table.js';
import { shortTime } from '../../format.js';
import { eventDetailLines, eventStatusColor } from './detail-lines.js';
import { detailId, sourceDestinations, sourceName, type EventsState } from './reducer.js';

function columns(state: EventsState): Column<IngestEvent>[] {
  return [
    { header: 'RECEIVED', width: 19, value: (e) => shortTime(e.created_at) },
    { header: 'SOURCE', width: 20, value: (e) => sourceName(state, e.source_id) },
    { header: 'METHOD', width: 6, value: (e) => e.method },
    { header: 'STATUS', width: 9, value: (e) => e.status, color: (e) => eventStatusColor(e.status) },
    { header: 'VERIFIED', width: 8, value: (e) => (e.verified ? 'yes' : 'no'), color: (e) => (e.verified ? undefined : 'magenta') },
    { header: 'ID', value: (e) => e.id },
  ];
}

/** Events screen: filtered list, or one event's detail; a replay confirmation box when asked. */
export function EventsView({ state, width, height, now }: { state: EventsState; width: number; height: number; now: number }) {
  const body = Math.max(3, height - 3);
  const id = detailId(state);
  const confirming = state.mode.kind === 'confirm-replay';
  const content = confirming ? body - 4 : body;
  const hints: Hint[] = confirming
    ? [
        ['y', 'replay'],
        ['n/Esc', 'cancel'],
      ]
    : id
      ? [
          ['↑↓/PgUp/PgDn', 'scroll'],
          ['R', 'replay'],
          ['Esc', 'back'],
        ]
      : [
          ['↑↓', 'move'],
          ['Enter', 'detail'],
          ['s', 'source'],
          ['f', 'status'],
          ['R', 'replay'],
        ];
  const filter = `${sourceName(state, state.filter.sourceId)}, ${state.filter.status ?? 'any status'}`;
  const updatedAt = id ? state.detailAt : state.events.updatedAt;
  return (
    <Box flexDirection="column" height={height}>
      <StatusLine
        title={id ? `Event ${id}` : `Events — ${filter} (${state.events.items.length}${state.events.nextCursor ? '+' : ''})`}
        updatedAt={updatedAt}
        now={now}
        width={width}
      />
      {id ? (
        state.detail ? (
          <ScrollView
            lines={eventDetailLines(
              state.detail,
              sourceName(state, state.detail.source_id),
              width,
              sourceDestinations(state, state.detail.source_id),
            )}
            offset={state.mode.kind === 'detail' ? state.mode.scroll : state.scroll}
            height={content}
          />
        ) : (
          <Box height={content} />
        )
      ) : (
        <Table
          columns={columns(state)}
          rows={state.events.items}
          selected={state.events.selected}
          filter={state.events.filter}
          width={width}
          height={content}
          empty={state.events.loaded ? 'No events match.' : 'Loading…'}
          focused={!confirming}
        />
      )}
      {state.mode.kind === 'confirm-replay' ? (
        <Confirm question={`Replay event ${state.mode.id} to every matching destination of its source now?`} />
      ) : null}
      <MessageLine error={state.error} notice={state.notice} />
      <Footer hints={hints} global={!confirming} />
    </Box>
  );
}
