import React, { useCallback, useRef, useState } from 'react';
import { Box, useApp, useInput, useStdin } from 'ink';
import type { ApiClient } from './api-client.js';
import type { Source } from './api-types.js';
import { TabBar } from './components/tab-bar.js';
import { useTerminalSize } from './hooks/use-terminal-size.js';
import { AnomaliesScreen } from './screens/anomalies/index.js';
import { AppsScreen } from './screens/apps/index.js';
import { EventsScreen } from './screens/events/index.js';
import { KeysScreen } from './screens/keys/index.js';
import { MessagesScreen } from './screens/messages/index.js';
import { SourcesScreen } from './screens/sources/index.js';

export const TABS = ['Anomalies', 'Sources', 'Events', 'Messages', 'Keys', 'Apps'] as const;

export interface AppProps {
  client: ApiClient;
  /** Live refresh period; 2 s for operators, shorter in tests. */
  refreshMs?: number;
  /** Index into TABS of the screen shown first (Anomalies by default). */
  initialTab?: number;
}

/**
 * The dashboard: a tab bar (number keys 1–6), the active screen sized to the terminal, and
 * `q` / Ctrl-C to quit. While a screen reads text or a confirmation, digits and `q` go to it.
 */
export function App({ client, refreshMs = 2000, initialTab = 0 }: AppProps) {
  const { exit } = useApp();
  const { isRawModeSupported } = useStdin();
  const { columns, rows } = useTerminalSize();
  const [tab, setTab] = useState(initialTab);
  // written by the active screen while it renders (see ScreenProps.capture)
  const capture = useRef(false);
  const [eventsSource, setEventsSource] = useState<{ id: string; nav: number } | null>(null);

  useInput(
    (input, key) => {
      if (key.ctrl && input === 'c') return exit();
      if (capture.current) return;
      if (input === 'q') return exit();
      const n = Number(input);
      if (Number.isInteger(n) && n >= 1 && n <= TABS.length && input.length === 1) {
        capture.current = false;
        setTab(n - 1);
      }
    },
    { isActive: isRawModeSupported },
  );
  const openEvents = useCallback((source: Source) => {
    capture.current = false;
    setEventsSource((previous) => ({ id: source.id, nav: (previous?.nav ?? 0) + 1 }));
    setTab(TABS.indexOf('Events'));
  }, []);

  // one spare row: Ink redraws in place only while the frame is shorter than the terminal
  const height = Math.max(8, rows - 2);
  const width = Math.max(40, columns - 1);
  const props = { client, width, height, refreshMs, inputActive: isRawModeSupported, capture };
  return (
    <Box flexDirection="column" width={width}>
      <TabBar tabs={TABS} active={tab} label={client.baseUrl} width={width} />
      {tab === 0 ? <AnomaliesScreen {...props} /> : null}
      {tab === 1 ? <SourcesScreen {...props} onOpenEvents={openEvents} /> : null}
      {tab === 2 ? <EventsScreen key={eventsSource?.nav ?? 0} {...props} sourceId={eventsSource?.id ?? null} /> : null}
      {tab === 3 ? <MessagesScreen {...props} /> : null}
      {tab === 4 ? <KeysScreen {...props} /> : null}
      {tab === 5 ? <AppsScreen {...props} /> : null}
    </Box>
  );
}
