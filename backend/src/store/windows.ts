/**
 * Maintenance windows in the store. Every change bumps the window's version and is recorded in
 * window_history in the same transaction; an update or delete may name the version it read, and is
 * refused (conflict) when another change came first.
 */
import { randomUUID } from 'node:crypto';
import type { WindowSchedule } from '../contract/windows.js';
import type { Store } from './store.js';

/** A window as stored (the API adds whether it is active now). */
export interface WindowRecord {
  id: string;
  version: number;
  matchers: string[];
  startsAt: number | null;
  endsAt: number | null;
  schedule: WindowSchedule | null;
  author: string;
  comment: string;
  createdAt: number;
  updatedAt: number;
}

/** What a client sets; the rest is the store's. */
export type WindowFields = Pick<
  WindowRecord,
  'matchers' | 'startsAt' | 'endsAt' | 'schedule' | 'author' | 'comment'
>;

/** Why a change was not made: no such window, or its version is not the one the caller read. */
export type Refusal = { refused: 'not_found' } | { refused: 'conflict'; currentVersion: number };

interface Row {
  id: string;
  version: number;
  matchers: string;
  starts_at: number | null;
  ends_at: number | null;
  cron: string | null;
  duration_ms: number | null;
  author: string;
  comment: string;
  created_at: number;
  updated_at: number;
}

function fromRow(r: Row): WindowRecord {
  return {
    id: r.id,
    version: r.version,
    matchers: JSON.parse(r.matchers) as string[],
    startsAt: r.starts_at,
    endsAt: r.ends_at,
    schedule: r.cron === null || r.duration_ms === null ? null : { cron: r.cron, durationMs: r.duration_ms },
    author: r.author,
    comment: r.comment,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function toRow(w: WindowRecord): Row {
  return {
    id: w.id,
    version: w.version,
    matchers: JSON.stringify(w.matchers),
    starts_at: w.startsAt,
    ends_at: w.endsAt,
    cron: w.schedule?.cron ?? null,
    duration_ms: w.schedule?.durationMs ?? null,
    author: w.author,
    comment: w.comment,
    created_at: w.createdAt,
    updated_at: w.updatedAt,
  };
}

const COLUMNS =
  'id, version, matchers, starts_at, ends_at, cron, duration_ms, author, comment, created_at, updated_at';
const VALUES =
  '@id, @version, @matchers, @starts_at, @ends_at, @cron, @duration_ms, @author, @comment, @created_at, @updated_at';

export class WindowsTable {
  constructor(private readonly store: Store) {}

  list(): WindowRecord[] {
    return this.store.read('read the maintenance windows', (db) =>
      (db.prepare(`SELECT ${COLUMNS} FROM windows ORDER BY created_at, id`).all() as Row[]).map(fromRow),
    );
  }

  get(id: string): WindowRecord | null {
    return this.store.read('read a maintenance window', (db) => {
      const row = db.prepare(`SELECT ${COLUMNS} FROM windows WHERE id = ?`).get(id) as Row | undefined;
      return row ? fromRow(row) : null;
    });
  }

  create(fields: WindowFields, now: number): WindowRecord {
    const window: WindowRecord = { ...fields, id: randomUUID(), version: 1, createdAt: now, updatedAt: now };
    return this.store.write('save the maintenance window', (db) => {
      db.prepare(`INSERT INTO windows (${COLUMNS}) VALUES (${VALUES})`).run(toRow(window));
      record(db, window, 'create', now);
      return window;
    });
  }

  /** Replace the window's fields; `ifVersion`: only if it is still at that version. */
  update(id: string, fields: WindowFields, now: number, ifVersion?: number): WindowRecord | Refusal {
    return this.store.write('save the maintenance window', (db) => {
      const row = db.prepare(`SELECT ${COLUMNS} FROM windows WHERE id = ?`).get(id) as Row | undefined;
      if (!row) return { refused: 'not_found' as const };
      if (ifVersion !== undefined && row.version !== ifVersion) {
        return { refused: 'conflict' as const, currentVersion: row.version };
      }
      const window: WindowRecord = {
        ...fields,
        id,
        version: row.version + 1,
        createdAt: row.created_at,
        updatedAt: now,
      };
      db.prepare(
        `UPDATE windows SET (${COLUMNS}) = (${VALUES}) WHERE id = @id AND version = ${row.version}`,
      ).run(toRow(window));
      record(db, window, 'update', now);
      return window;
    });
  }

  /** Delete the window; `ifVersion`: only if it is still at that version. */
  delete(id: string, now: number, ifVersion?: number): WindowRecord | Refusal {
    return this.store.write('delete the maintenance window', (db) => {
      const row = db.prepare(`SELECT ${COLUMNS} FROM windows WHERE id = ?`).get(id) as Row | undefined;
      if (!row) return { refused: 'not_found' as const };
      if (ifVersion !== undefined && row.version !== ifVersion) {
        return { refused: 'conflict' as const, currentVersion: row.version };
      }
      db.prepare('DELETE FROM windows WHERE id = ?').run(id);
      const window = fromRow(row);
      record(db, window, 'delete', now);
      return window;
    });
  }

  /** Every recorded change of a window, oldest first. */
  history(id: string): { version: number; action: string; at: number; window: WindowRecord }[] {
    return this.store.read('read the history of a maintenance window', (db) =>
      (
        db
          .prepare('SELECT version, action, at, body FROM window_history WHERE window_id = ? ORDER BY seq')
          .all(id) as { version: number; action: string; at: number; body: string }[]
      ).map((r) => ({
        version: r.version,
        action: r.action,
        at: r.at,
        window: JSON.parse(r.body) as WindowRecord,
      })),
    );
  }

  /** Changes whenever any window changes (in this process or another): for caches. */
  revision(): string {
    return this.store.revision();
  }
}

function record(
  db: Parameters<Parameters<Store['write']>[1]>[0],
  w: WindowRecord,
  action: 'create' | 'update' | 'delete',
  at: number,
): void {
  db.prepare('INSERT INTO window_history (window_id, version, action, at, body) VALUES (?, ?, ?, ?, ?)').run(
    w.id,
    w.version,
    action,
    at,
    JSON.stringify(w),
  );
}

export const isRefusal = (x: WindowRecord | Refusal): x is Refusal => 'refused' in x;
