import React from 'react';
import { Box, Text } from 'ink';

/** The numbered tabs along the top; the active one is highlighted. */
export function TabBar({ tabs, active, label }: { tabs: readonly string[]; active: number; label: string }) {
  return (
    <Box>
      <Text bold color="cyan">Dispatch </Text>
      {tabs.map((name, index) => (
        <Text key={name} inverse={index === active} bold={index === active}>
          {` ${index + 1} ${name} `}
        </Text>
      ))}
      <Text dimColor wrap="truncate">{'  ' + label}</Text>
    </Box>
  );
}
