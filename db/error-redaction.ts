/**
 * What of a database error may be logged. Drivers put bound values into errors: knex prefixes
 * `err.message` with the statement (formatted with its bindings unless `compileSqlOnError` is
 * false), mysql2 adds `sql` and `sqlMessage` (ER_DUP_ENTRY quotes the duplicate value, which may be
 * a `whsec_` secret or a payload), and knex adds `bindings` to timeouts. Only the fields below ever
 * leave this module.
 */

/** The fields of a database error that are safe to log. */
export interface SafeDatabaseError {
  type: string;
  message: string;
  code?: string;
  errno?: number;
  sqlState?: string;
  fatal?: true;
  /** Stack frames only: the first line of `stack` repeats the original message. */
  stack?: string;
}

const DRIVER_PROPERTIES = ['sql', 'sqlMessage', 'sqlState', 'bindings', 'fatal'] as const;
const DRIVER_CODE = /^(ER_|SQLITE_|PROTOCOL_|WARN_DATA_)/;
const DRIVER_NAMES: ReadonlySet<string> = new Set(['SqliteError', 'KnexTimeoutError']);
// knex's "<statement> - <driver message>": a message that opens with a statement verb
const STATEMENT_PREFIX =
  /^\s*\(?\s*(select|insert|update|delete|replace|with|create|alter|drop|truncate|pragma|begin|commit|rollback|savepoint|release|set|show|lock|unlock|start|xa)\b/i;

/** True when `error` came from the database driver or knex (so it may carry bound values). */
export function isDatabaseError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const err = error as Record<string, unknown>;
  if (DRIVER_PROPERTIES.some((key) => key in err)) return true;
  if (typeof err.code === 'string' && DRIVER_CODE.test(err.code)) return true;
  if (typeof err.name === 'string' && DRIVER_NAMES.has(err.name)) return true;
  return typeof err.message === 'string' && STATEMENT_PREFIX.test(err.message) && err.message.includes(' - ');
}

/**
 * A driver message without the statement knex put in front of it and without any quoted value:
 * MariaDB quotes values ('…'), SQLite and ANSI mode use "…". Quotes are removed from the first to
 * the last of each kind, so a value that itself contains a quote cannot end the redaction early.
 */
export function redactDatabaseMessage(message: string): string {
  let text = message;
  if (STATEMENT_PREFIX.test(text)) {
    const cut = text.lastIndexOf(' - ');
    text = cut >= 0 ? text.slice(cut + 3) : '[statement]';
  }
  // the key name is the last quoted part MariaDB appends, so the anchored match is the real key
  const duplicate = /^Duplicate entry [\s\S]* for key '([A-Za-z0-9_$.]{1,128})'$/.exec(text);
  if (duplicate) return `Duplicate entry '?' for key '${duplicate[1]}'`;
  return text.replace(/'[\s\S]*'/, "'?'").replace(/"[\s\S]*"/, '"?"');
}

/** The loggable part of a database error (see the module comment for what is dropped). */
export function safeDatabaseError(error: Error): SafeDatabaseError {
  const err = error as Error & { code?: unknown; errno?: unknown; sqlState?: unknown; fatal?: unknown; sqlMessage?: unknown };
  // mysql2's sqlMessage is the driver's own text, without knex's statement prefix
  const original = typeof err.sqlMessage === 'string' ? err.sqlMessage : String(err.message);
  const safe: SafeDatabaseError = { type: err.name || 'Error', message: redactDatabaseMessage(original) };
  if (typeof err.code === 'string') safe.code = err.code;
  if (typeof err.errno === 'number') safe.errno = err.errno;
  if (typeof err.sqlState === 'string') safe.sqlState = err.sqlState;
  if (err.fatal === true) safe.fatal = true;
  const frames = stackFrames(err, original);
  if (frames) safe.stack = frames;
  return safe;
}

/**
 * The frames of `stack` without its header, which holds the message as it was at construction
 * (before knex rewrote it) and may span several lines: the known header is cut off, else only the
 * trailing run of `at …` lines is kept.
 */
function stackFrames(err: Error, original: string): string | undefined {
  if (typeof err.stack !== 'string') return undefined;
  for (const message of [original, err.message]) {
    const header = `${err.name}: ${message}\n`;
    if (err.stack.startsWith(header)) return err.stack.slice(header.length) || undefined;
  }
  const lines = err.stack.split('\n');
  let first = lines.length;
  while (first > 1 && /^\s+at \S/.test(lines[first - 1])) first--;
  return first < lines.length ? lines.slice(first).join('\n') : undefined;
}
