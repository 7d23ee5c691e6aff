import { useCallback, useRef, useState } from 'react';
import { Box, Text, useApp, useInput, useStdin } from 'ink';
import type { ApiClient } from './api-client.js';
import type { Source } from './api-types.js';
import { KeyHelpContext, type Hint } from './components/footer.js';
import { Help } from './components/help.js';
import { TabBar } from './components/tab-bar.js';
import { useTerminalSize } from './hooks/use-terminal-size.js';
import { AnomaliesScreen } from './screens/anomalies/index.js';
import { AppsScreen } from './screens/apps/index.js';
import { EventsScreen } from './screens/events/index.js';
import { FailedScreen } from './screens/failed/index.js';
import { KeysScreen } from './screens/keys/index.js';
import { MessagesScreen } from './screens/messages/index.js';
import { OverviewScreen } from './screens/overview/index.js';
import { SourcesScreen } from './screens/sources/index.js';

/** The screens, in key order: key `n` opens TABS[n] (CONTRACT §11.1: 0 Overview … 7 Failed). */
export const TABS = ['Overview', 'Anomalies', 'Sources', 'Events', 'Messages', 'Keys', 'Apps', 'Failed'] as const;

/** Screens whose list `/` filters. */
const FILTERABLE: ReadonlySet<string> = new Set(['Anomalies', 'Sources', 'Events', 'Messages', 'Keys', 'Apps', 'Failed']);

export interface AppProps {
  client: ApiClient;
  /** Live refresh period; 2 s for operators, shorter in tests. */
  refreshMs?: number;
  /** Index into TABS of the screen shown first (Overview by default). */
  initialTab?: number;
}

/**
 * The dashboard: a tab bar (number keys 0–7), the active screen sized to the terminal, `?` for
 * every key of the screen, `/` to filter its list, and `q` / Ctrl-C to quit. While a screen
 * reads text or a confirmation, digits, `q`, `?` and `/` go to it.
 */
export function App({ client, refreshMs = 2000, initialTab = 0 }: AppProps) {
  const { exit } = useApp();
  const { isRawModeSupported } = useStdin();
  const { columns, rows } = useTerminalSize();
  const [tab, setTab] = useState(initialTab);
  // written by the active screen while it renders (see ScreenProps.capture)
  const capture = useRef(false);
  // written by the active screen's footer while it renders: its keys, for `?`
  const screenKeys = useRef<Hint[]>([]);
  const [eventsSource, setEventsSource] = useState<{ id: string; nav: number } | null>(null);
  // the screen's keys while `?` is open, copied from its footer when `?` was pressed
  const [help, setHelp] = useState<Hint[] | null>(null);
  const [filter, setFilter] = useState({ text: '', typing: false });
  const [notice, setNotice] = useState<string | null>(null);

  const switchTab = useCallback((next: number) => {
    capture.current = false;
    setFilter({ text: '', typing: false });
    setTab(next);
  }, []);

  useInput(
    (input, key) => {
      if (key.ctrl && input === 'c') return exit();
      if (help) return setHelp(null);
      if (filter.typing) {
        if (key.escape) return setFilter({ text: '', typing: false });
        if (key.return) return setFilter((f) => ({ ...f, typing: false }));
        if (key.backspace || key.delete) return setFilter((f) => ({ ...f, text: f.text.slice(0, -1) }));
        // eslint-disable-next-line no-control-regex -- typed text only
        const text = input.replace(/[\x00-\x1f\x7f]/g, '');
        if (text && !key.ctrl && !key.meta) setFilter((f) => ({ ...f, text: (f.text + text).slice(0, 80) }));
        return;
      }
      if (capture.current) return;
      setNotice(null);
      if (input === 'q') return exit();
      if (input === '?') return setHelp([...screenKeys.current]);
      if (input === '/') {
        if (FILTERABLE.has(TABS[tab])) setFilter((f) => ({ ...f, typing: true }));
        else setNotice(`${TABS[tab]} has no list to filter.`);
        return;
      }
      if (key.escape && filter.text) return setFilter({ text: '', typing: false });
      // a digit, not anything Number() reads as one (Enter's "\r" is 0 to it)
      if (/^[0-9]$/.test(input) && Number(input) < TABS.length) switchTab(Number(input));
    },
    { isActive: isRawModeSupported },
  );
  const openEvents = useCallback((source: Source) => {
    capture.current = false;
    setFilter({ text: '', typing: false });
    setEventsSource((previous) => ({ id: source.id, nav: (previous?.nav ?? 0) + 1 }));
    setTab(TABS.indexOf('Events'));
  }, []);

  const filterLine = filter.typing || filter.text !== '' || notice !== null;
  // one spare row: Ink redraws in place only while the frame is shorter than the terminal
  const height = Math.max(8, rows - 2 - (filterLine ? 1 : 0));
  const width = Math.max(40, columns - 1);
  const props = {
    client,
    width,
    height,
    refreshMs,
    inputActive: isRawModeSupported && help === null && !filter.typing,
    capture,
    textFilter: filter.text,
  };
  const name = TABS[tab];
  return (
    <KeyHelpContext.Provider value={screenKeys}>
      <Box flexDirection="column" width={width}>
        <TabBar tabs={TABS} active={tab} label={client.baseUrl} width={width} />
        {help ? <Help screen={name} hints={help} width={width} height={height} /> : null}
        <Box flexDirection="column" display={help ? 'none' : 'flex'}>
          {name === 'Overview' ? <OverviewScreen {...props} /> : null}
          {name === 'Anomalies' ? <AnomaliesScreen {...props} /> : null}
          {name === 'Sources' ? <SourcesScreen {...props} onOpenEvents={openEvents} /> : null}
          {name === 'Events' ? <EventsScreen key={eventsSource?.nav ?? 0} {...props} sourceId={eventsSource?.id ?? null} /> : null}
          {name === 'Messages' ? <MessagesScreen {...props} /> : null}
          {name === 'Keys' ? <KeysScreen {...props} /> : null}
          {name === 'Apps' ? <AppsScreen {...props} /> : null}
          {name === 'Failed' ? <FailedScreen {...props} /> : null}
        </Box>
        {filterLine && !help ? (
          notice !== null && !filter.typing && !filter.text ? (
            <Text color="yellow" wrap="truncate">
              {notice}
            </Text>
          ) : (
            <Text wrap="truncate">
              <Text color="cyan" bold>
                /
              </Text>
              <Text>{filter.text}</Text>
              {filter.typing ? <Text inverse> </Text> : null}
              <Text dimColor>{filter.typing ? '   Enter keep · Esc clear' : '   Esc clears the filter'}</Text>
            </Text>
          )
        ) : null}
      </Box>
    </KeyHelpContext.Provider>
  );
}
