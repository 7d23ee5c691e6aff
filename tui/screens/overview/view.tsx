import { Box, Text } from 'ink';
import type { Stats } from '../../api-types.js';
import { Footer, type Hint } from '../../components/footer.js';
import { MessageLine } from '../../components/message-line.js';
import { sparkline } from '../../components/sparkline.js';
import { StatusLine } from '../../components/status-line.js';
import { fit } from '../../format.js';
import { ageLevel, duration, latencyLevel, perSecond, rates, successLevel, type Level, type OverviewState } from './reducer.js';

const COLOR: Record<Level, string | undefined> = { good: 'green', warn: 'yellow', bad: 'red', none: undefined };
const LABEL = 12;
const FIGURES = 23;
const hints: Hint[] = [['r', 'refresh now']];

/** Each bucket drawn `times` columns wide, so a wide terminal gets a wider (not denser) sparkline. */
function stretch(values: number[], room: number): string {
  const times = Math.max(1, Math.floor(room / Math.max(1, values.length)));
  return sparkline(values.flatMap((v) => new Array<number>(times).fill(v))).slice(-Math.max(1, room));
}

function RateRow({ label, series, room, color }: { label: string; series: number[]; room: number; color: string }) {
  const { now, average } = rates(series);
  return (
    <Text wrap="truncate">
      <Text bold>{fit(label, LABEL)}</Text>
      <Text color={color}>{fit(`${perSecond(now)} now`, 11)}</Text>
      <Text dimColor>{fit(`${perSecond(average)} avg`, FIGURES - 11)}</Text>
      <Text color={color}>{stretch(series, room).replace(/ /g, '·')}</Text>
    </Text>
  );
}

function Figure({ label, value, level = 'none', width }: { label: string; value: string; level?: Level; width: number }) {
  return (
    <Text>
      <Text dimColor>{label} </Text>
      <Text bold color={COLOR[level]}>
        {fit(value, Math.max(1, width - label.length - 1))}
      </Text>
    </Text>
  );
}

function Figures({ stats, width }: { stats: Stats; width: number }) {
  const third = Math.floor((width - LABEL) / 3);
  const latency = stats.attempt_latency_ms;
  const rate = stats.success_rate;
  return (
    <>
      <Text wrap="truncate">
        <Text bold>{fit('Attempts', LABEL)}</Text>
        <Figure label="success" value={rate === null ? '—' : `${(rate * 100).toFixed(1)}%`} level={successLevel(rate)} width={third} />
        <Figure label="p50" value={latency ? `${latency.p50} ms` : '—'} level={latencyLevel(latency?.p50 ?? null)} width={third} />
        <Figure label="p99" value={latency ? `${latency.p99} ms` : '—'} level={latencyLevel(latency?.p99 ?? null)} width={third} />
      </Text>
      <Text wrap="truncate">
        <Text bold>{fit('Queue', LABEL)}</Text>
        <Figure label="pending" value={String(stats.pending)} level={stats.pending > 0 ? 'good' : 'none'} width={third} />
        <Figure label="held" value={String(stats.held)} level={stats.held > 0 ? 'warn' : 'none'} width={third} />
        <Figure
          label="oldest"
          value={stats.oldest_pending_age_s === null ? '—' : duration(stats.oldest_pending_age_s)}
          level={ageLevel(stats.oldest_pending_age_s)}
          width={third}
        />
      </Text>
    </>
  );
}

function Anomalies({ open }: { open: Record<string, number> }) {
  const entries = Object.entries(open).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return (
    <Text wrap="truncate">
      <Text bold>{fit('Anomalies', LABEL)}</Text>
      {entries.length === 0 ? <Text color="green">none open</Text> : null}
      {entries.map(([type, count], i) => (
        <Text key={type}>
          <Text color="red" bold>
            {count}
          </Text>
          <Text>{` ${type}${i < entries.length - 1 ? '  ' : ''}`}</Text>
        </Text>
      ))}
    </Text>
  );
}

/**
 * Overview: accepted and delivered per second with 5-minute sparklines, attempt success and
 * latency, the queue, open anomalies and events per source — coloured by threshold; fits 80×24
 * and widens its sparklines and lists more sources on larger terminals.
 */
export function OverviewView({ state, width, height, now }: { state: OverviewState; width: number; height: number; now: number }) {
  const stats = state.stats;
  const room = Math.max(10, width - LABEL - FIGURES - 1);
  // status line, 2 rates, blank, 2 figure rows, anomalies, blank, sources header; message + footer
  const sourceRows = Math.max(1, height - 13);
  const sources = stats?.sources ?? [];
  return (
    <Box flexDirection="column" height={height}>
      <StatusLine title="Overview — last 5 min" updatedAt={state.updatedAt} now={now} width={width} />
      {stats ? (
        <Box flexDirection="column" height={height - 3}>
          <Text> </Text>
          <RateRow label="Accepted" series={stats.accepted_per_s} room={room} color="cyan" />
          <RateRow label="Delivered" series={stats.delivered_per_s} room={room} color="green" />
          <Text> </Text>
          <Figures stats={stats} width={width} />
          <Anomalies open={stats.anomalies_open} />
          <Text> </Text>
          <Text bold wrap="truncate">
            {`Sources (${sources.length}) events/s`}
          </Text>
          {sources.length === 0 ? <Text dimColor>{fit('', LABEL)}no sources</Text> : null}
          {sources.slice(0, sourceRows).map((source) => (
            <RateRow key={source.id} label={source.name} series={source.events_per_s} room={room} color="magenta" />
          ))}
          {sources.length > sourceRows ? <Text dimColor>{`  … ${sources.length - sourceRows} more`}</Text> : null}
        </Box>
      ) : (
        <Box height={height - 3}>
          <Text dimColor>{state.error ? ' ' : 'Loading…'}</Text>
        </Box>
      )}
      <MessageLine error={state.error} notice={state.notice} />
      <Footer hints={hints} />
    </Box>
  );
}
