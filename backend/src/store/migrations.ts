/**
 * The store's schema as a versioned list of migrations. SQLite's `user_version` records how many have
 * been applied; at open the missing ones run in one transaction, so a file is either at its old version
 * or the new one, never in between. Append only: a released migration is never edited.
 */
import type { Database } from 'better-sqlite3';

export interface Migration {
  version: number;
  /** What it changes, for the log. */
  description: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'maintenance windows',
    sql: `
      CREATE TABLE windows (
        id TEXT PRIMARY KEY,
        version INTEGER NOT NULL,
        matchers TEXT NOT NULL,
        starts_at INTEGER,
        ends_at INTEGER,
        cron TEXT,
        duration_ms INTEGER,
        author TEXT NOT NULL,
        comment TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );`,
  },
  {
    version: 2,
    description: 'history of window changes (who changed what, when)',
    sql: `
      CREATE TABLE window_history (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        window_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        action TEXT NOT NULL CHECK (action IN ('create', 'update', 'delete')),
        at INTEGER NOT NULL,
        body TEXT NOT NULL
      );
      CREATE INDEX window_history_by_window ON window_history (window_id, seq);`,
  },
  {
    version: 3,
    description:
      "operators' feedback on episodes (false positives teach a tolerance, true incidents are labels)",
    sql: `
      CREATE TABLE feedback (
        id TEXT PRIMARY KEY,
        job TEXT NOT NULL,
        series_key TEXT NOT NULL,
        labels TEXT NOT NULL,
        episode_start INTEGER NOT NULL,
        episode_end INTEGER,
        verdict TEXT NOT NULL CHECK (verdict IN ('false_positive', 'true_incident')),
        direction TEXT NOT NULL CHECK (direction IN ('up', 'down')),
        note TEXT NOT NULL,
        author TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        peak_deviation REAL,
        tolerance_period_ms INTEGER,
        tolerance_from_ms INTEGER,
        tolerance_to_ms INTEGER,
        tolerance_magnitude REAL,
        tolerance_capped INTEGER,
        undone_at INTEGER
      );
      CREATE UNIQUE INDEX feedback_one_per_episode ON feedback (job, series_key, episode_start)
        WHERE undone_at IS NULL;
      CREATE INDEX feedback_by_series ON feedback (job, series_key, created_at);`,
  },
  {
    version: 4,
    description: "continuous jobs' sensitivity settings, per job and per series",
    sql: `
      CREATE TABLE sensitivity_settings (
        job TEXT NOT NULL,
        series TEXT NOT NULL,
        labels TEXT,
        sensitivity REAL NOT NULL CHECK (sensitivity >= 0 AND sensitivity <= 100),
        author TEXT NOT NULL,
        comment TEXT NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (job, series)
      );`,
  },
  {
    version: 5,
    description: 'a false positive on a variance change tolerates both sides of the expected value',
    sql: `ALTER TABLE feedback ADD COLUMN tolerance_both_sides INTEGER;`,
  },
];

export const SCHEMA_VERSION = MIGRATIONS.at(-1)!.version;

export class MigrationError extends Error {
  override name = 'MigrationError';
}

/**
 * Bring the database to the last migration of `migrations`; returns the versions applied. A file of a
 * newer schema (written by a later TrafficLens) is refused rather than guessed at.
 */
export function migrate(db: Database, migrations: readonly Migration[] = MIGRATIONS): Migration[] {
  const target = migrations.at(-1)?.version ?? 0;
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > target) {
    throw new MigrationError(
      `its schema is version ${current}, newer than this TrafficLens knows (${target}): it was written by a later release`,
    );
  }
  const pending = migrations.filter((m) => m.version > current);
  if (pending.length === 0) return [];
  db.transaction(() => {
    for (const m of pending) {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    }
  }).immediate();
  return pending;
}
