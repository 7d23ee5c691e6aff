import React from 'react';
import { Box } from 'ink';
import type { Source } from '../../api-types.js';
import { Footer } from '../../components/footer.js';
import { MessageLine } from '../../components/message-line.js';
import { StatusLine } from '../../components/status-line.js';
import { Table, type Column } from '../../components/table.js';
import { ago } from '../../format.js';
import { lastHourLabel, type SourcesState } from './reducer.js';

function columns(state: SourcesState, now: number): Column<Source>[] {
  return [
    { header: 'NAME', width: 26, value: (s) => s.name },
    { header: 'VERIFICATION', width: 17, value: (s) => s.verification?.type ?? 'none' },
    { header: 'STATE', width: 7, value: (s) => (s.paused ? 'paused' : 'active'), color: (s) => (s.paused ? 'yellow' : 'green') },
    { header: 'LAST EVENT', width: 10, value: (s) => ago(s.last_event_at ?? state.stats[s.id]?.lastEventAt ?? null, now) },
    { header: 'LAST 1H', width: 7, value: (s) => (s.events_last_hour !== undefined ? String(s.events_last_hour) : lastHourLabel(state.stats[s.id])) },
    { header: 'ID', value: (s) => s.id },
  ];
}

/** Sources screen: every source with its verification, paused state and recent activity. */
export function SourcesView({ state, width, height, now }: { state: SourcesState; width: number; height: number; now: number }) {
  const body = Math.max(3, height - 3);
  return (
    <Box flexDirection="column" height={height}>
      <StatusLine title={`Sources (${state.sources.items.length}${state.sources.nextCursor ? '+' : ''})`} updatedAt={state.sources.updatedAt} now={now} width={width} />
      <Table columns={columns(state, now)} rows={state.sources.items} selected={state.sources.selected} width={width} height={body} empty={state.sources.loaded ? 'No sources.' : 'Loading…'} />
      <MessageLine error={state.error} notice={state.notice} />
      <Footer hints={[['↑↓', 'move'], ['Enter', 'events'], ['p', 'pause/resume']]} />
    </Box>
  );
}
