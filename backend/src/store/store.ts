/**
 * The durable store of what operators tell the scorer (maintenance windows now; feedback and settings
 * later): one SQLite file through better-sqlite3, in WAL mode so readers never wait for the writer, with
 * synchronous=FULL so a committed write survives a kill -9 or a power cut.
 *
 * Opening never throws: a file that cannot be opened leaves the store `unavailable` (with the reason),
 * and the next use tries again, so fixing the folder needs no restart. Every read and write goes through
 * `read`/`write`, which turn SQLite's and the file system's errors into a StoreError naming the file.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Sqlite, { type Database } from 'better-sqlite3';
import { StoreError, storeError } from './errors.js';
import { migrate, MigrationError, type Migration, MIGRATIONS } from './migrations.js';

export interface StoreLog {
  info(fields: object, msg: string): void;
  warn(fields: object, msg: string): void;
}

export interface StoreOptions {
  path: string;
  logger?: StoreLog;
  /** The schema to migrate to (tests open old versions); all of MIGRATIONS by default. */
  migrations?: readonly Migration[];
  /** How long a write waits for another process' write to finish before failing busy. */
  busyTimeoutMs?: number;
}

export interface StoreHealth {
  state: 'ready' | 'unavailable';
  path: string;
  problem: string | null;
}

/** Opened again at most this often while unavailable, so a broken disk is not hammered per request. */
const REOPEN_EVERY_MS = 1000;

export class Store {
  private db: Database | null = null;
  private problem: string | null = null;
  private triedAt = -Infinity;
  private commits = 0;

  private constructor(private readonly options: StoreOptions) {}

  /** Opens (creating the file and its folder) and migrates; never throws, see health(). */
  static open(options: StoreOptions): Store {
    const store = new Store(options);
    store.tryOpen();
    return store;
  }

  get path(): string {
    return this.options.path;
  }

  health(): StoreHealth {
    if (!this.db) this.tryOpen();
    return { state: this.db ? 'ready' : 'unavailable', path: this.path, problem: this.problem };
  }

  /** A read; throws StoreError when the store cannot be used. */
  read<T>(action: string, fn: (db: Database) => T): T {
    const db = this.connection(action);
    try {
      return fn(db);
    } catch (err) {
      throw storeError(err, this.path, action);
    }
  }

  /**
   * A write in one IMMEDIATE transaction (it takes the write lock at its start, so two writers never
   * both read a version and then both update it). Throws StoreError; nothing is changed then.
   */
  write<T>(action: string, fn: (db: Database) => T): T {
    const db = this.connection(action);
    try {
      const result = db.transaction(fn).immediate(db);
      this.commits++;
      return result;
    } catch (err) {
      throw storeError(err, this.path, action);
    }
  }

  /**
   * Changes with every commit, of this process or another one (SQLite's data_version counts only the
   * other connections' commits, so this process' own are counted beside it): caches compare it.
   */
  revision(): string {
    if (!this.db) return 'unavailable';
    try {
      return `${String(this.db.pragma('data_version', { simple: true }))}:${this.commits}`;
    } catch {
      return 'unavailable';
    }
  }

  close(): void {
    this.db?.close();
    this.db = null;
  }

  private connection(action: string): Database {
    if (!this.db) this.tryOpen(true);
    if (this.db) return this.db;
    throw new StoreError(
      'unavailable',
      `cannot ${action}: the store ${this.path} ${this.problem}`,
      this.path,
    );
  }

  private tryOpen(force = false): void {
    const now = Date.now();
    if (!force && now - this.triedAt < REOPEN_EVERY_MS) return;
    this.triedAt = now;
    const { path, logger } = this.options;
    let db: Database | null = null;
    try {
      mkdirSync(dirname(path), { recursive: true });
      db = new Sqlite(path, { timeout: this.options.busyTimeoutMs ?? 2000 });
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      const applied = migrate(db, this.options.migrations ?? MIGRATIONS);
      if (applied.length > 0) {
        logger?.info(
          { store: path, migrations: applied.map((m) => `${m.version}: ${m.description}`) },
          `store ${path} migrated to schema version ${applied.at(-1)!.version}`,
        );
      }
      this.db = db;
      this.problem = null;
    } catch (err) {
      db?.close();
      const reason =
        err instanceof MigrationError
          ? `cannot be used: ${err.message}`
          : (storeError(err, path, 'open the store') as Error).message;
      if (reason !== this.problem) {
        logger?.warn({ store: path, err }, `store unavailable: ${reason}`);
      }
      this.problem = err instanceof MigrationError ? reason : describe(err);
    }
  }
}

function describe(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  const message = err instanceof Error ? err.message : String(err);
  return `cannot be opened (${typeof code === 'string' ? `${code}: ` : ''}${message})`;
}
