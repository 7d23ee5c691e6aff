import { Box, Text } from 'ink';
import type { ApiKeyInfo } from '../../api-types.js';
import { Confirm } from '../../components/confirm.js';
import { Footer, type Hint } from '../../components/footer.js';
import { MessageLine } from '../../components/message-line.js';
import { StatusLine } from '../../components/status-line.js';
import { Table, windowStart, type Column } from '../../components/table.js';
import { shortTime } from '../../format.js';
import type { KeysMode, KeysState } from './reducer.js';

const columns: Column<ApiKeyInfo>[] = [
  { header: 'NAME', width: 24, value: (k) => k.name },
  { header: 'PREFIX', width: 14, value: (k) => k.prefix },
  { header: 'CREATED', width: 19, value: (k) => shortTime(k.created_at) },
  { header: 'SCOPES', value: (k) => k.scopes.join(' '), color: (k) => (k.scopes.includes('*') ? 'yellow' : undefined) },
];

function hints(mode: KeysMode): Hint[] {
  if (mode.kind === 'form' && mode.step === 'name')
    return [
      ['type', 'name'],
      ['Enter', 'next: scopes'],
      ['Esc', 'cancel'],
    ];
  if (mode.kind === 'form')
    return [
      ['↑↓', 'move'],
      ['Space', 'toggle'],
      ['Enter', 'create'],
      ['Shift-Tab', 'name'],
      ['Esc', 'cancel'],
    ];
  if (mode.kind === 'created') return [['Enter', 'done (the key is not shown again)']];
  if (mode.kind === 'confirm-revoke')
    return [
      ['y', 'revoke'],
      ['n/Esc', 'cancel'],
    ];
  return [
    ['↑↓', 'move'],
    ['n', 'new key'],
    ['d', 'revoke'],
  ];
}

/** Keys screen: a table of keys, or the create form, or the one-time plaintext key. */
export function KeysView({ state, width, height, now }: { state: KeysState; width: number; height: number; now: number }) {
  const body = Math.max(3, height - 3);
  const mode = state.mode;
  return (
    <Box flexDirection="column" height={height}>
      <StatusLine
        title={`API keys (${state.keys.items.length}${state.keys.nextCursor ? '+' : ''})`}
        updatedAt={state.keys.updatedAt}
        now={now}
        width={width}
      />
      <Box flexDirection="column" height={body}>
        {mode.kind === 'form' ? (
          <KeyForm mode={mode} choices={state.scopeChoices} height={body} />
        ) : mode.kind === 'created' ? (
          <Box flexDirection="column" borderStyle="round" borderColor="green" paddingX={1}>
            <Text color="green" bold>
              Key "{mode.key.name}" created with scopes {mode.key.scopes.join(' ')}
            </Text>
            <Text>Copy it now — Dispatch stores only its hash and will never show it again:</Text>
            <Text bold color="yellow">
              {mode.key.key}
            </Text>
            <Text dimColor>Select it with the mouse (or your terminal's copy mode), then press Enter.</Text>
          </Box>
        ) : (
          <>
            <Table
              columns={columns}
              rows={state.keys.items}
              selected={state.keys.selected}
              filter={state.keys.filter}
              width={width}
              height={mode.kind === 'confirm-revoke' ? body - 4 : body}
              empty={state.keys.loaded ? 'No keys.' : 'Loading…'}
              focused={mode.kind === 'list'}
            />
            {mode.kind === 'confirm-revoke' ? (
              <Confirm question={`Revoke key "${mode.name}" (${mode.id})? Calls with it fail within 1 s.`} />
            ) : null}
          </>
        )}
      </Box>
      <MessageLine error={state.error} notice={state.notice} />
      <Footer hints={hints(mode)} global={mode.kind === 'list'} />
    </Box>
  );
}

function KeyForm({ mode, choices, height }: { mode: Extract<KeysMode, { kind: 'form' }>; choices: readonly string[]; height: number }) {
  const visible = Math.max(1, height - 3);
  const start = windowStart(mode.cursor, choices.length, visible);
  const onScopes = mode.step === 'scopes';
  return (
    <Box flexDirection="column">
      <Text>
        <Text bold={!onScopes} color={onScopes ? undefined : 'cyan'}>
          Name:{' '}
        </Text>
        <Text>{mode.name}</Text>
        {onScopes ? null : <Text inverse> </Text>}
      </Text>
      <Text bold={onScopes} color={onScopes ? 'cyan' : undefined}>
        Scopes ({mode.scopes.length} chosen){mode.submitting ? ' — creating…' : ''}:
      </Text>
      {choices.slice(start, start + visible).map((scope, i) => {
        const index = start + i;
        const chosen = mode.scopes.includes(scope);
        const here = onScopes && index === mode.cursor;
        return (
          <Text key={scope} inverse={here} color={chosen ? 'green' : undefined}>
            {`${here ? '›' : ' '} [${chosen ? 'x' : ' '}] ${scope}${scope === '*' ? '  (every scope)' : ''}`}
          </Text>
        );
      })}
    </Box>
  );
}
