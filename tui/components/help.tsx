import { Box, Text } from 'ink';
import { GLOBAL_HINTS, type Hint } from './footer.js';

const NAVIGATION: readonly Hint[] = [
  ['↑↓ j k', 'move'],
  ['PgUp PgDn', 'page'],
  ['g G', 'top / bottom'],
  ['0-7', 'tabs: 0 Overview 1 Anomalies 2 Sources 3 Events 4 Messages 5 Keys 6 Apps 7 Failed'],
  ['/', 'filter the list by text (Enter keeps it, Esc clears it)'],
  ['?', 'this help (any key closes it)'],
  ['q Ctrl-C', 'quit'],
];

/** `?`: every key of the current screen (what its footer lists, uncut), then the keys every screen shares. */
export function Help({ screen, hints, width, height }: { screen: string; hints: Hint[]; width: number; height: number }) {
  const own = hints.filter(([key]) => !GLOBAL_HINTS.some(([global]) => global === key) && key !== '↑↓');
  const keyWidth = Math.max(10, ...[...own, ...NAVIGATION].map(([key]) => key.length + 2));
  const line = ([key, action]: Hint, i: number) => (
    <Text key={i} wrap="truncate">
      <Text color="cyan" bold>
        {`  ${key}`.padEnd(keyWidth + 2)}
      </Text>
      <Text>{action}</Text>
    </Text>
  );
  return (
    <Box flexDirection="column" height={height} width={width}>
      <Text bold>{`Keys — ${screen}`}</Text>
      {own.length ? own.map(line) : <Text dimColor> (no keys of its own)</Text>}
      <Text bold>Everywhere</Text>
      {NAVIGATION.map(line)}
      <Text dimColor>press any key to close</Text>
    </Box>
  );
}
