/**
 * Sensitivity settings in a real SQLite file: set, replace, delete, read back after reopening, a file of
 * schema version 2 migrated with its windows kept, and a refused write that changes nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import { parseSensitivity } from '../contract/sensitivity.js';
import { MIGRATIONS, migrate } from './migrations.js';
import { SensitivitySettingsTable } from './settings.js';
import { Store } from './store.js';
import { StoreError } from './errors.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tl-settings-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const T0 = Date.UTC(2026, 0, 5, 12);
const AMS = { site: 'ams', link: 'transit-1' };
const fields = (s: number, comment = '') => ({ sensitivity: parseSensitivity(s), author: 'noc', comment });

test('job and series settings are set, replaced, deleted and read back after reopening', () => {
  const path = join(dir, 'trafficlens.db');
  let store = Store.open({ path });
  let table = new SensitivitySettingsTable(store);
  table.set('edge', null, fields(70), T0);
  table.set('edge', AMS, fields(30, 'noisy link'), T0 + 1);
  // The same series whatever the order of its labels: replaced, not added.
  table.set('edge', { link: 'transit-1', site: 'ams' }, fields(20, 'noisier'), T0 + 2);
  table.set('core', null, fields(90), T0 + 3);
  store.close();

  store = Store.open({ path });
  table = new SensitivitySettingsTable(store);
  expect(table.list()).toEqual([
    { job: 'core', labels: null, sensitivity: 90, author: 'noc', comment: '', updatedAt: T0 + 3 },
    { job: 'edge', labels: null, sensitivity: 70, author: 'noc', comment: '', updatedAt: T0 },
    {
      job: 'edge',
      labels: { link: 'transit-1', site: 'ams' },
      sensitivity: 20,
      author: 'noc',
      comment: 'noisier',
      updatedAt: T0 + 2,
    },
  ]);
  expect(table.get('edge', AMS)?.sensitivity).toBe(20);
  expect(table.delete('edge', AMS)?.sensitivity).toBe(20);
  expect(table.delete('edge', AMS)).toBeNull();
  expect(table.get('edge', AMS)).toBeNull();
  expect(table.get('edge', null)?.sensitivity).toBe(70);
  store.close();
});

test('a file at schema version 2 is migrated, its windows kept', () => {
  const path = join(dir, 'old.db');
  const old = new Sqlite(path);
  migrate(
    old,
    MIGRATIONS.filter((m) => m.version <= 2),
  );
  old
    .prepare(
      `INSERT INTO windows VALUES ('w1', 1, '[]', ${T0}, ${T0 + 1}, NULL, NULL, 'noc', '', ${T0}, ${T0})`,
    )
    .run();
  old.close();
  const store = Store.open({ path });
  const table = new SensitivitySettingsTable(store);
  expect(table.set('edge', null, fields(60), T0).sensitivity).toBe(60);
  expect(store.read('count windows', (db) => db.prepare('SELECT count(*) AS n FROM windows').get())).toEqual({
    n: 1,
  });
  store.close();
});

test('the table refuses a sensitivity off the scale even if a caller skipped the schema', () => {
  const store = Store.open({ path: join(dir, 'trafficlens.db') });
  const table = new SensitivitySettingsTable(store);
  expect(() =>
    table.set('edge', null, { sensitivity: 101 as never, author: 'noc', comment: '' }, T0),
  ).toThrow(/CHECK constraint/);
  expect(table.list()).toEqual([]);
  store.close();
});

test('a store that refuses writes: a StoreError naming the file, and the setting it had is kept', () => {
  const path = join(dir, 'trafficlens.db');
  const store = Store.open({ path });
  const table = new SensitivitySettingsTable(store);
  table.set('edge', null, fields(70), T0);
  // query_only makes SQLite refuse writes as a read-only file does (chmod does not stop root).
  store.read('test', (db) => db.pragma('query_only = ON'));
  let error: unknown;
  try {
    table.set('edge', null, fields(10), T0 + 1);
  } catch (err) {
    error = err;
  }
  expect(error).toBeInstanceOf(StoreError);
  expect((error as StoreError).problem).toBe('read_only');
  expect((error as Error).message).toContain(path);
  expect(() => table.delete('edge', null)).toThrow(StoreError);
  expect(table.get('edge', null)?.sensitivity).toBe(70);
  store.close();
});
