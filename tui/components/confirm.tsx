import { Box, Text } from 'ink';

/** A yellow question box; the screen's input hook decides which keys answer it. */
export function Confirm({ question, choices = 'y yes · n/Esc cancel' }: { question: string; choices?: string }) {
  return (
    <Box borderStyle="round" borderColor="yellow" paddingX={1} flexDirection="column">
      <Text color="yellow" bold wrap="truncate">
        {question}
      </Text>
      <Text dimColor wrap="truncate">
        {choices}
      </Text>
    </Box>
  );
}
