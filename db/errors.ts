/**
 * Storage errors: what a query throws when the database refused a write for a reason a caller
 * can act on. They carry the table and column as data and know nothing of HTTP; the server maps
 * them to its error codes in one place (server/errors.ts `appErrorFromStorage`). Driver errors are
 * recognised only here, so no layer above db/ reads ER_… or SQLITE_… codes to decide an answer.
 */

/** Base class of the errors queries throw on purpose (anything else is a driver or bug error). */
export class StorageError extends Error {
  constructor(
    message: string,
    /** The table the statement wrote. */
    readonly table: string,
    /** The column whose constraint refused the row. */
    readonly column: string,
    /** The value the statement tried to write there. */
    readonly value: unknown,
    cause?: unknown,
  ) {
    super(message, { cause });
    this.name = new.target.name;
  }
}

/** A unique index refused the row: another row already has `value` in `table.column` (within its scope). */
export class UniqueViolation extends StorageError {
  constructor(table: string, column: string, value: unknown, cause?: unknown) {
    super(`${table}.${column} already holds this value`, table, column, value, cause);
  }
}

/** A foreign key refused the row: the row `table.column` points at does not exist (any more). */
export class MissingReference extends StorageError {
  constructor(table: string, column: string, value: unknown, cause?: unknown) {
    super(`${table}.${column} references a row that does not exist`, table, column, value, cause);
  }
}

function driverCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The driver error means a unique index (or the primary key) was violated, on MySQL/MariaDB or SQLite. */
export function isUniqueViolation(error: unknown): boolean {
  const code = driverCode(error);
  return code === 'ER_DUP_ENTRY' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** The driver error means a foreign key points at a missing row. */
export function isForeignKeyViolation(error: unknown): boolean {
  const code = driverCode(error);
  return code === 'SQLITE_CONSTRAINT_FOREIGNKEY' || code === 'ER_NO_REFERENCED_ROW_2' || code === 'ER_NO_REFERENCED_ROW';
}

/** InnoDB picked this transaction as a deadlock victim (Galera reports a failed certification so too): nothing was committed. */
export function isDeadlock(error: unknown): boolean {
  return driverCode(error) === 'ER_LOCK_DEADLOCK';
}

/** A row lock was not granted within the server's lock wait timeout. */
export function isLockWaitTimeout(error: unknown): boolean {
  return driverCode(error) === 'ER_LOCK_WAIT_TIMEOUT';
}

/** Deadlocks and lock waits (MySQL, Galera certification) and a busy SQLite file: worth one retry. */
export function isLockConflict(error: unknown): boolean {
  return isDeadlock(error) || isLockWaitTimeout(error) || driverCode(error) === 'SQLITE_BUSY';
}
