import { Box } from 'ink';
import type { Anomaly } from '../../api-types.js';
import { Footer, type Hint } from '../../components/footer.js';
import { MessageLine } from '../../components/message-line.js';
import { ScrollView, type Line } from '../../components/scroll-view.js';
import { StatusLine } from '../../components/status-line.js';
import { Table, type Column } from '../../components/table.js';
import { ago, shortTime, wrapLines } from '../../format.js';
import { detailAnomaly, type AnomaliesState } from './reducer.js';

const STATUS_COLOR: Record<string, string> = { open: 'red', acknowledged: 'yellow', resolved: 'green' };
const TYPE_COLOR: Record<string, string> = {
  endpoint_failing: 'red',
  endpoint_disabled: 'magenta',
  verification_failing: 'yellow',
  backlog: 'blue',
  volume_spike: 'cyan',
  volume_drop: 'cyan',
};

function columns(now: number, width: number): Column<Anomaly>[] {
  return [
    { header: 'STATUS', width: 12, value: (a) => a.status, color: (a) => STATUS_COLOR[a.status] },
    { header: 'TYPE', width: 20, value: (a) => a.type, color: (a) => TYPE_COLOR[a.type] },
    { header: 'COUNT', width: 5, value: (a) => String(a.count) },
    { header: 'LAST SEEN', width: 9, value: (a) => ago(a.last_seen_at, now) },
    { header: 'TITLE', value: (a) => a.title },
    // titles name endpoints by host only, so two endpoints of one host need the id (ep_ / src_
    // prefix tells the kind) to tell them apart; narrow terminals keep the title and drop the id
    ...(width >= 99 ? [{ header: 'SUBJECT', width: 26, value: (a: Anomaly) => a.subject.id }] : []),
  ];
}

/** The lines of an anomaly's detail pane, wrapped to `width`. */
export function anomalyLines(anomaly: Anomaly, width: number): Line[] {
  const head: Line[] = [
    { text: anomaly.title, bold: true },
    { text: `${anomaly.type} · ${anomaly.status} · ${anomaly.id}`, color: STATUS_COLOR[anomaly.status] },
    { text: `subject:       ${anomaly.subject.kind} ${anomaly.subject.id}` },
    { text: `count:         ${anomaly.count}` },
    { text: `first seen:    ${shortTime(anomaly.first_seen_at)}` },
    { text: `last seen:     ${shortTime(anomaly.last_seen_at)}` },
    { text: `acknowledged:  ${shortTime(anomaly.acknowledged_at)}` },
    { text: `resolved:      ${shortTime(anomaly.resolved_at)}` },
    { text: '' },
    { text: 'details', bold: true },
  ];
  const details = wrapLines(JSON.stringify(anomaly.details ?? {}, null, 2).split('\n'), width).map((text) => ({ text }));
  return [...head, ...details];
}

/** Anomalies screen: colour-coded list (open first) or one anomaly's details. */
export function AnomaliesView({ state, width, height, now }: { state: AnomaliesState; width: number; height: number; now: number }) {
  const body = Math.max(3, height - 3);
  const detail = detailAnomaly(state);
  const hints: Hint[] = detail
    ? [
        ['↑↓', 'scroll'],
        ['a', 'acknowledge'],
        ['r', 'resolve'],
        ['Esc', 'back'],
      ]
    : [
        ['↑↓', 'move'],
        ['Enter', 'details'],
        ['a', 'acknowledge'],
        ['r', 'resolve'],
        ['f', `filter: ${state.filter}`],
      ];
  const count = `${state.anomalies.items.length}${state.anomalies.nextCursor ? '+' : ''}`;
  return (
    <Box flexDirection="column" height={height}>
      <StatusLine
        title={detail ? `Anomaly ${detail.id}` : `Anomalies — ${state.filter} (${count})`}
        updatedAt={state.anomalies.updatedAt}
        now={now}
        width={width}
      />
      {detail ? (
        <ScrollView lines={anomalyLines(detail, width)} offset={state.detail?.scroll ?? 0} height={body} />
      ) : (
        <Table
          columns={columns(now, width)}
          rows={state.anomalies.items}
          selected={state.anomalies.selected}
          filter={state.anomalies.filter}
          width={width}
          height={body}
          empty={state.anomalies.loaded ? `No ${state.filter === 'active' ? 'open or acknowledged' : state.filter} anomalies.` : 'Loading…'}
        />
      )}
      <MessageLine error={state.error} notice={state.notice} />
      <Footer hints={hints} />
    </Box>
  );
}
