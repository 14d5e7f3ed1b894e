/**
 * The store in one process: migrations from an old file, WAL, windows' versions and history, two
 * connections changing one window, and a store that cannot be written (a folder that is a file, a
 * database that refuses writes, a full database). Crashes and two processes: store.process.test.ts.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import { MIGRATIONS, SCHEMA_VERSION, migrate } from './migrations.js';
import { Store } from './store.js';
import { StoreError } from './errors.js';
import { isRefusal, WindowsTable, type WindowFields } from './windows.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tl-store-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const T0 = Date.UTC(2026, 0, 5, 12);
const fields = (comment = 'router upgrade'): WindowFields => ({
  matchers: ['site="ams"'],
  startsAt: T0,
  endsAt: T0 + 3_600_000,
  schedule: null,
  author: 'noc',
  comment,
});

describe('opening', () => {
  test('creates the file and its folder, in WAL mode, at the latest schema', () => {
    const path = join(dir, 'a', 'b', 'trafficlens.db');
    const store = Store.open({ path });
    expect(store.health()).toEqual({ state: 'ready', path, problem: null });
    const db = new Sqlite(path, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    db.close();
    store.close();
  });

  test('an old-version file is migrated in place, its windows kept', () => {
    const path = join(dir, 'old.db');
    const old = new Sqlite(path);
    migrate(old, MIGRATIONS.slice(0, 1));
    old
      .prepare(
        `INSERT INTO windows VALUES ('w1', 3, '["site=\\"ams\\""]', ${T0}, ${T0 + 1000}, NULL, NULL, 'noc', 'old', ${T0}, ${T0})`,
      )
      .run();
    expect(old.pragma('user_version', { simple: true })).toBe(1);
    old.close();

    const infos: string[] = [];
    const store = Store.open({ path, logger: { info: (_f, m) => infos.push(m), warn: () => {} } });
    expect(store.health().state).toBe('ready');
    expect(infos).toEqual([`store ${path} migrated to schema version ${SCHEMA_VERSION}`]);
    const windows = new WindowsTable(store);
    expect(windows.get('w1')).toMatchObject({
      id: 'w1',
      version: 3,
      comment: 'old',
      matchers: ['site="ams"'],
    });
    // The new table (history) works on the migrated file.
    const updated = windows.update('w1', fields('migrated'), T0 + 5, 3);
    expect(isRefusal(updated) ? updated : updated.version).toBe(4);
    expect(windows.history('w1').map((h) => h.action)).toEqual(['update']);
    store.close();
  });

  test('a migration that fails leaves the file at its old version', () => {
    const path = join(dir, 'half.db');
    const broken = [...MIGRATIONS, { version: 99, description: 'broken', sql: 'CREATE TABLE windows (x);' }];
    const store = Store.open({ path, migrations: broken });
    expect(store.health().state).toBe('unavailable');
    const db = new Sqlite(path, { readonly: true });
    // Nothing of the failed run stayed: not even the migrations before the broken one.
    expect(db.pragma('user_version', { simple: true })).toBe(0);
    db.close();
  });

  test('a file written by a newer release is refused, not guessed at', () => {
    const path = join(dir, 'new.db');
    const db = new Sqlite(path);
    db.pragma('user_version = 99');
    db.close();
    const store = Store.open({ path });
    const health = store.health();
    expect(health.state).toBe('unavailable');
    expect(health.problem).toContain('schema is version 99, newer than this TrafficLens knows');
  });
});

describe('windows', () => {
  test('create, update, delete: each bumps the version and is recorded in the history', () => {
    const windows = new WindowsTable(Store.open({ path: join(dir, 's.db') }));
    const created = windows.create(fields(), T0);
    expect(created).toMatchObject({ version: 1, createdAt: T0, updatedAt: T0, comment: 'router upgrade' });
    expect(windows.list()).toEqual([created]);
    const updated = windows.update(created.id, fields('longer'), T0 + 1);
    expect(updated).toMatchObject({ version: 2, createdAt: T0, updatedAt: T0 + 1, comment: 'longer' });
    expect(windows.update('nope', fields(), T0)).toEqual({ refused: 'not_found' });
    expect(windows.delete(created.id, T0 + 2)).toMatchObject({ version: 2 });
    expect(windows.get(created.id)).toBeNull();
    expect(windows.history(created.id).map((h) => [h.action, h.version])).toEqual([
      ['create', 1],
      ['update', 2],
      ['delete', 2],
    ]);
  });

  test('two connections editing one window: the second, still holding version 1, is refused', () => {
    const path = join(dir, 's.db');
    const a = new WindowsTable(Store.open({ path }));
    const b = new WindowsTable(Store.open({ path }));
    const w = a.create(fields(), T0);
    const revision = b.revision();
    expect(b.get(w.id)?.version).toBe(1);
    expect(a.update(w.id, fields('from a'), T0 + 1, 1)).toMatchObject({ version: 2 });
    // b sees a's commit (its cache key changes) and its edit of version 1 is a conflict.
    expect(b.revision()).not.toBe(revision);
    expect(b.update(w.id, fields('from b'), T0 + 2, 1)).toEqual({ refused: 'conflict', currentVersion: 2 });
    expect(b.delete(w.id, T0 + 2, 1)).toEqual({ refused: 'conflict', currentVersion: 2 });
    expect(a.get(w.id)?.comment).toBe('from a');
    // Without a version, the last write wins.
    expect(b.update(w.id, fields('from b'), T0 + 3)).toMatchObject({ version: 3, comment: 'from b' });
  });
});

describe('a store that cannot be written', () => {
  test('a folder that is a file: unavailable, every use says so naming the path, and it recovers once fixed', () => {
    writeFileSync(join(dir, 'blocker'), 'not a folder');
    const path = join(dir, 'blocker', 'trafficlens.db');
    const store = Store.open({ path });
    expect(store.health()).toMatchObject({ state: 'unavailable', path });
    const windows = new WindowsTable(store);
    expect(() => windows.create(fields(), T0)).toThrow(StoreError);
    expect(() => windows.list()).toThrow(path);
    rmSync(join(dir, 'blocker'));
    // The next use opens it again.
    expect(windows.create(fields(), T0).version).toBe(1);
  });

  test('a database that refuses writes: read_only, nothing changed, reads still work', () => {
    const store = Store.open({ path: join(dir, 's.db') });
    const windows = new WindowsTable(store);
    const w = windows.create(fields(), T0);
    // query_only makes SQLite refuse writes as a read-only file does (chmod does not stop root).
    store.read('test', (db) => db.pragma('query_only = ON'));
    let error: unknown;
    try {
      windows.update(w.id, fields('never'), T0 + 1);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).problem).toBe('read_only');
    expect((error as StoreError).message).toContain(
      `cannot save the maintenance window: the store ${join(dir, 's.db')} is read-only`,
    );
    expect(windows.get(w.id)?.comment).toBe('router upgrade');
    expect(windows.history(w.id)).toHaveLength(1);
  });

  test('a full database: full, nothing changed', () => {
    const store = Store.open({ path: join(dir, 's.db') });
    const windows = new WindowsTable(store);
    windows.create(fields(), T0);
    // No page may be added: the next growing write fails with SQLITE_FULL, as on a full disk.
    store.read('test', (db) =>
      db.pragma(`max_page_count = ${String(db.pragma('page_count', { simple: true }))}`),
    );
    let error: unknown;
    try {
      for (let i = 0; i < 200; i++) windows.create(fields('x'.repeat(2000)), T0 + i);
    } catch (err) {
      error = err;
    }
    expect((error as StoreError).problem).toBe('full');
    expect((error as StoreError).message).toContain('is on a full disk');
    const count = windows.list().length;
    expect(windows.history(windows.list()[count - 1].id)).toHaveLength(1);
  });
});
