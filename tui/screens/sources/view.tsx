import { Box } from 'ink';
import type { Source } from '../../api-types.js';
import { Footer } from '../../components/footer.js';
import { MessageLine } from '../../components/message-line.js';
import { ScrollView } from '../../components/scroll-view.js';
import { StatusLine } from '../../components/status-line.js';
import { Table, type Column } from '../../components/table.js';
import { ago } from '../../format.js';
import { sourceDetailLines } from './destination-lines.js';
import { detailSource, lastHourLabel, type SourcesState } from './reducer.js';

function columns(state: SourcesState, now: number): Column<Source>[] {
  return [
    { header: 'NAME', width: 26, value: (s) => s.name },
    { header: 'VERIFICATION', width: 17, value: (s) => s.verification?.type ?? 'none' },
    { header: 'STATE', width: 7, value: (s) => (s.paused ? 'paused' : 'active'), color: (s) => (s.paused ? 'yellow' : 'green') },
    { header: 'LAST EVENT', width: 10, value: (s) => ago(s.last_event_at ?? state.stats[s.id]?.lastEventAt ?? null, now) },
    {
      header: 'LAST 1H',
      width: 7,
      value: (s) => (s.events_last_hour !== undefined ? String(s.events_last_hour) : lastHourLabel(state.stats[s.id])),
    },
    { header: 'DEST', width: 4, value: (s) => (s.destinations ? String(s.destinations.length) : '—') },
    { header: 'ID', value: (s) => s.id },
  ];
}

/** One source's detail: destinations, their filters and per-destination delivery state. */
function SourceDetailView({ state, width, height, now }: { state: SourcesState; width: number; height: number; now: number }) {
  const source = detailSource(state);
  const body = Math.max(3, height - 3);
  return (
    <Box flexDirection="column" height={height}>
      <StatusLine title={`Source ${source?.name ?? ''}`} updatedAt={state.sources.updatedAt} now={now} width={width} />
      {source ? (
        <ScrollView lines={sourceDetailLines(source, state.forwards[source.id], width)} offset={0} height={body} />
      ) : (
        <Box height={body} />
      )}
      <MessageLine error={state.error} notice={state.notice} />
      <Footer
        hints={[
          ['Enter', 'events'],
          ['p', 'pause/resume'],
          ['Esc', 'back'],
        ]}
      />
    </Box>
  );
}

/** Sources screen: every source with its verification, paused state and recent activity; or one source's detail. */
export function SourcesView({ state, width, height, now }: { state: SourcesState; width: number; height: number; now: number }) {
  if (state.mode.kind === 'detail') return <SourceDetailView state={state} width={width} height={height} now={now} />;
  const body = Math.max(3, height - 3);
  return (
    <Box flexDirection="column" height={height}>
      <StatusLine
        title={`Sources (${state.sources.items.length}${state.sources.nextCursor ? '+' : ''})`}
        updatedAt={state.sources.updatedAt}
        now={now}
        width={width}
      />
      <Table
        columns={columns(state, now)}
        rows={state.sources.items}
        selected={state.sources.selected}
        filter={state.sources.filter}
        width={width}
        height={body}
        empty={state.sources.loaded ? 'No sources.' : 'Loading…'}
      />
      <MessageLine error={state.error} notice={state.notice} />
      <Footer
        hints={[
          ['↑↓', 'move'],
          ['Enter', 'events'],
          ['d', 'destinations'],
          ['p', 'pause/resume'],
        ]}
      />
    </Box>
  );
}
