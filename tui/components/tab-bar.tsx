import { Text } from 'ink';

/**
 * The numbered tabs along the top (tab i is key i), the active one highlighted, on exactly one
 * line: names are shortened when the terminal is too narrow for them, and the server label is cut last.
 */
export function TabBar({ tabs, active, label, width }: { tabs: readonly string[]; active: number; label: string; width: number }) {
  const full = tabs.map((name, i) => ` ${i} ${name} `);
  const short = tabs.map((name, i) => (i === active ? ` ${i} ${name} ` : ` ${i} ${name.slice(0, 3)} `));
  const title = 'Dispatch ';
  const names = title.length + full.join('').length <= width ? full : short;
  return (
    <Text wrap="truncate">
      <Text bold color="cyan">
        {title}
      </Text>
      {names.map((text, index) => (
        <Text key={index} inverse={index === active} bold={index === active}>
          {text}
        </Text>
      ))}
      <Text dimColor>{'  ' + label}</Text>
    </Text>
  );
}
