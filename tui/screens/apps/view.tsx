import { Box } from 'ink';
import type { App, Recipient } from '../../api-types.js';
import { Footer, type Hint } from '../../components/footer.js';
import { MessageLine } from '../../components/message-line.js';
import { StatusLine } from '../../components/status-line.js';
import { Table, type Column } from '../../components/table.js';
import { shortTime } from '../../format.js';
import { currentList, type AppsState } from './reducer.js';

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

function title(state: AppsState): string {
  if (state.level === 'apps') return `Apps (${state.apps.items.length}${state.apps.nextCursor ? '+' : ''})`;
  return `Apps › ${state.app?.name ?? ''} › recipients`;
}

/** Apps screen: apps, then an app's recipients (Enter opens a recipient's Endpoints view). */
export function AppsView({ state, width, height, now }: { state: AppsState; width: number; height: number; now: number }) {
  const body = Math.max(3, height - 3);
  const list = currentList(state);
  const common = {
    selected: list.selected,
    filter: list.filter,
    width,
    height: body,
    empty: list.loaded ? `No ${state.level}.` : 'Loading…',
  };
  const hints: Hint[] =
    state.level === 'apps'
      ? [
          ['↑↓', 'move'],
          ['Enter', 'recipients'],
        ]
      : [
          ['↑↓', 'move'],
          ['Enter', 'endpoints'],
          ['Esc', 'apps'],
        ];
  return (
    <Box flexDirection="column" height={height}>
      <StatusLine title={title(state)} updatedAt={list.updatedAt} now={now} width={width} />
      {state.level === 'apps' ? <Table columns={appColumns} rows={state.apps.items} {...common} /> : null}
      {state.level === 'recipients' ? <Table columns={recipientColumns} rows={state.recipients.items} {...common} /> : null}
      <MessageLine error={state.error} notice={state.notice} />
      <Footer hints={hints} />
    </Box>
  );
}
