import { Box, Text } from 'ink';

export interface Line {
  text: string;
  color?: string;
  bold?: boolean;
}

/** A window of `height` pre-wrapped lines starting at `offset`, with a position marker. */
export function ScrollView({ lines, offset, height }: { lines: Line[]; offset: number; height: number }) {
  const visible = Math.max(1, height - 1);
  const start = Math.max(0, Math.min(offset, lines.length - visible));
  const shown = lines.slice(start, start + visible);
  const end = Math.min(lines.length, start + visible);
  return (
    <Box flexDirection="column" height={height}>
      {shown.map((line, i) => (
        <Text key={start + i} color={line.color} bold={line.bold} wrap="truncate">
          {line.text || ' '}
        </Text>
      ))}
      <Text dimColor>{lines.length > visible ? `lines ${start + 1}–${end} of ${lines.length}` : ' '}</Text>
    </Box>
  );
}

/** The largest useful scroll offset for `total` lines in a view of `height` rows. */
export function maxScroll(total: number, height: number): number {
  return Math.max(0, total - Math.max(1, height - 1));
}
