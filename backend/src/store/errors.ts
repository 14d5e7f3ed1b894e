/**
 * What can go wrong with the store, in words an operator can act on: every message names the file.
 * The API turns a StoreError into a 503 (api/routes/windows.ts); the service itself never stops on one.
 */

/** unavailable: cannot be opened; read_only / full: a write was refused; busy: another writer holds it. */
export type StoreProblem = 'unavailable' | 'read_only' | 'full' | 'busy';

export class StoreError extends Error {
  constructor(
    readonly problem: StoreProblem,
    message: string,
    readonly path: string,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}

/** better-sqlite3's SqliteError carries SQLite's extended result code as a string, e.g. SQLITE_READONLY_DBMOVED. */
function sqliteCode(err: unknown): string | null {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : null;
}

/** The problem an error of SQLite or the file system means, or null for anything else (a bug: rethrown). */
export function classify(err: unknown): StoreProblem | null {
  const code = sqliteCode(err);
  if (code === null) return null;
  if (code.startsWith('SQLITE_FULL') || code === 'ENOSPC') return 'full';
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return 'busy';
  if (code.startsWith('SQLITE_READONLY') || code === 'EROFS' || code === 'EACCES' || code === 'EPERM') {
    return 'read_only';
  }
  if (
    code.startsWith('SQLITE_CANTOPEN') ||
    code.startsWith('SQLITE_IOERR') ||
    code.startsWith('SQLITE_PERM') ||
    code.startsWith('SQLITE_NOTADB') ||
    code.startsWith('SQLITE_CORRUPT') ||
    code === 'ENOTDIR' ||
    code === 'ENOENT'
  ) {
    return 'unavailable';
  }
  return null;
}

const WHAT: Record<StoreProblem, string> = {
  unavailable: 'cannot be opened or read',
  read_only: 'is read-only',
  full: 'is on a full disk',
  busy: 'is locked by another writer',
};

/** The error as a StoreError naming `path` and what was being done; anything unexpected is returned as is. */
export function storeError(err: unknown, path: string, action: string): unknown {
  if (err instanceof StoreError) return err;
  const problem = classify(err);
  if (problem === null) return err;
  const detail = err instanceof Error ? err.message : String(err);
  const code = sqliteCode(err);
  return new StoreError(
    problem,
    `cannot ${action}: the store ${path} ${WHAT[problem]} (${code}: ${detail}); set TRAFFICLENS_STORE_PATH to a writable file or free space, nothing was changed`,
    path,
  );
}
