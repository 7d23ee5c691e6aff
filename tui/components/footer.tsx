import React from 'react';
import { Text } from 'ink';

export type Hint = [key: string, action: string];

/** The key-hint line at the bottom of every screen; the global keys are always listed last. */
export function Footer({ hints, global = true }: { hints: Hint[]; global?: boolean }) {
  const all: Hint[] = global ? [...hints, ['1-6', 'tabs'], ['q', 'quit']] : hints;
  return (
    <Text wrap="truncate">
      {all.map(([key, action], i) => (
        <Text key={i}>
          <Text color="cyan" bold>{key}</Text>
          <Text dimColor>{` ${action}${i < all.length - 1 ? '  ' : ''}`}</Text>
        </Text>
      ))}
    </Text>
  );
}
