import { Box, Text } from 'ink';
import { ago } from '../format.js';

/** A screen's title on the left and "updated Ns ago" (live refresh) on the right. */
export function StatusLine({ title, updatedAt, now, width }: { title: string; updatedAt: number | null; now: number; width: number }) {
  const right = updatedAt === null ? 'loading…' : `updated ${ago(updatedAt, now)}`;
  const room = Math.max(0, width - right.length - 1);
  const left = title.length > room ? title.slice(0, Math.max(0, room - 1)) + '…' : title;
  return (
    <Box width={width} justifyContent="space-between">
      <Text bold>{left}</Text>
      <Text dimColor>{right}</Text>
    </Box>
  );
}
