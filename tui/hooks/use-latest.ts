import { useRef } from 'react';

/**
 * The latest `value`, readable from an input handler. Ink re-subscribes handlers in a passive
 * effect, which can run after the next key arrives; a handler reading this ref never acts on
 * the state before the previous key.
 */
export function useLatest<T>(value: T): { readonly current: T } {
  const ref = useRef(value);
  // eslint-disable-next-line react-hooks/refs -- written during render on purpose (see above); the TUI does not use the React Compiler
  ref.current = value;
  return ref;
}
