import { createContext, useContext, useEffect } from 'react';
import { Text } from 'ink';

export type Hint = [key: string, action: string];

/** The keys every screen shares, listed last in the footer and under `?`. */
export const GLOBAL_HINTS: readonly Hint[] = [
  ['0-7', 'tabs'],
  ['/', 'filter'],
  ['?', 'keys'],
  ['q', 'quit'],
];

/**
 * Where the footer on screen leaves the full list of its keys (the footer line may be cut to
 * the terminal's width) for the `?` help to show. The app owns the ref; the footer on screen
 * writes it after each render.
 */
export const KeyHelpContext = createContext<{ current: Hint[] } | null>(null);

/** The key-hint line at the bottom of every screen; the global keys are always listed last. */
export function Footer({ hints, global = true }: { hints: Hint[]; global?: boolean }) {
  const keysRef = useContext(KeyHelpContext);
  useEffect(() => {
    if (keysRef) keysRef.current = hints;
  });
  const all: Hint[] = global ? [...hints, ...GLOBAL_HINTS] : hints;
  return (
    <Text wrap="truncate">
      {all.map(([key, action], i) => (
        <Text key={i}>
          <Text color="cyan" bold>
            {key}
          </Text>
          <Text dimColor>{` ${action}${i < all.length - 1 ? '  ' : ''}`}</Text>
        </Text>
      ))}
    </Text>
  );
}
