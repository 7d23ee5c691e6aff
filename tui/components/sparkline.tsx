import { Text } from 'ink';

const BARS = '▁▂▃▄▅▆▇█';

/**
 * One row of block characters for a series (oldest first), scaled to its own maximum; `width`
 * keeps the newest values when the series is longer. A series of zeros is a flat baseline.
 */
export function sparkline(values: number[], width = values.length): string {
  const shown = values.slice(-Math.max(1, width));
  const max = Math.max(...shown, 0);
  return shown
    .map((v) => (max <= 0 || v <= 0 ? ' ' : BARS[Math.min(BARS.length - 1, Math.floor((v / max) * (BARS.length - 1) + 0.5))]))
    .join('');
}

/** A sparkline in a colour, on a dim baseline so an empty series still shows its width. */
export function Sparkline({ values, width, color = 'cyan' }: { values: number[]; width?: number; color?: string }) {
  const line = sparkline(values, width);
  return <Text color={color}>{line.replace(/ /g, '·')}</Text>;
}
