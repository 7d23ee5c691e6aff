import { Text } from 'ink';

/**
 * The one line under every screen's content: an error in red (from a refresh or a key handler),
 * otherwise a green notice (what the last action did), otherwise blank so the layout stays put.
 */
export function MessageLine({ error, notice }: { error?: string | null; notice?: string | null }) {
  if (error)
    return (
      <Text color="red" wrap="truncate">
        ✖ {error}
      </Text>
    );
  if (notice)
    return (
      <Text color="green" wrap="truncate">
        ✔ {notice}
      </Text>
    );
  return <Text> </Text>;
}
