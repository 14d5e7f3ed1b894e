/**
 * Feedback in the store, on a real SQLite file: create, list by job and series, one record in effect
 * per episode, undo (kept, marked undone; an episode may be marked again after), the end of an open
 * incident recorded later, migration of a version-2 file and of a version-4 file's tolerances, and a store
 * that cannot be used (StoreError,
 * nothing changed).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import { StoreError } from './errors.js';
import { isFeedbackRefusal, FeedbackTable, type FeedbackFields } from './feedback.js';
import { MIGRATIONS, migrate } from './migrations.js';
import { Store } from './store.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tl-feedback-store-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const T0 = Date.UTC(2026, 0, 5, 2);
const fp = (over: Partial<FeedbackFields> = {}): FeedbackFields => ({
  job: 'edge',
  seriesKey: 'link="transit-1"',
  labels: { link: 'transit-1' },
  episodeStart: T0,
  episodeEnd: T0 + 600_000,
  verdict: 'false_positive',
  direction: 'up',
  note: 'nightly backup',
  author: 'noc',
  peakDeviation: 500,
  tolerance: {
    periodMs: 86_400_000,
    fromMs: 5_400_000,
    toMs: 9_600_000,
    magnitude: 600,
    capped: false,
    bothSides: false,
  },
  ...over,
});

test('create, list by job and series, get, undo: the record stays, marked undone', () => {
  const table = new FeedbackTable(Store.open({ path: join(dir, 's.db') }));
  const a = table.create(fp(), T0 + 1);
  const b = table.create(
    fp({ seriesKey: 'link="x"', labels: { link: 'x' }, verdict: 'true_incident', tolerance: null }),
    T0 + 2,
  );
  const c = table.create(fp({ job: 'other' }), T0 + 3);
  if (isFeedbackRefusal(a) || isFeedbackRefusal(b) || isFeedbackRefusal(c)) throw new Error('refused');
  expect(a).toMatchObject({ ...fp(), createdAt: T0 + 1, undoneAt: null });
  expect(table.get(a.id)).toEqual(a);
  expect(table.list({ job: 'edge' }).map((f) => f.id)).toEqual([a.id, b.id]);
  expect(table.list({ job: 'edge', seriesKey: 'link="x"' })).toEqual([b]);
  expect(table.list().map((f) => f.id)).toEqual([a.id, b.id, c.id]);

  expect(table.undo(a.id, T0 + 10)).toMatchObject({ id: a.id, undoneAt: T0 + 10 });
  expect(table.list({ job: 'edge' }).map((f) => f.id)).toEqual([b.id]);
  expect(table.list({ job: 'edge', includeUndone: true }).map((f) => [f.id, f.undoneAt])).toEqual([
    [a.id, T0 + 10],
    [b.id, null],
  ]);
  // Undone twice, or never there: refused.
  expect(table.undo(a.id, T0 + 11)).toEqual({ refused: 'not_found' });
  expect(table.undo('nope', T0 + 11)).toEqual({ refused: 'not_found' });
});

test('one record in effect per episode: a second is refused naming the first, accepted again after undo', () => {
  const table = new FeedbackTable(Store.open({ path: join(dir, 's.db') }));
  const first = table.create(fp(), T0 + 1);
  if (isFeedbackRefusal(first)) throw new Error('refused');
  const second = table.create(fp({ verdict: 'true_incident', tolerance: null }), T0 + 2);
  expect(second).toEqual({ refused: 'duplicate', existing: first });
  expect(table.list()).toHaveLength(1);
  table.undo(first.id, T0 + 3);
  expect(isFeedbackRefusal(table.create(fp({ verdict: 'true_incident' }), T0 + 4))).toBe(false);
});

test('two connections marking one episode: the second is refused naming the first, one record stays', () => {
  const path = join(dir, 's.db');
  const a = new FeedbackTable(Store.open({ path }));
  const b = new FeedbackTable(Store.open({ path }));
  const first = a.create(fp(), T0 + 1);
  if (isFeedbackRefusal(first)) throw new Error('refused');
  const revision = b.revision();
  expect(b.create(fp({ verdict: 'true_incident', tolerance: null }), T0 + 2)).toEqual({
    refused: 'duplicate',
    existing: first,
  });
  expect(b.list()).toEqual([first]);
  // b's cache key changes when a undoes it (the jobs re-read their feedback then).
  a.undo(first.id, T0 + 3);
  expect(b.revision()).not.toBe(revision);
  expect(b.list()).toEqual([]);
});

test('an incident marked while open gets its end once recorded, and only once', () => {
  const table = new FeedbackTable(Store.open({ path: join(dir, 's.db') }));
  const open = table.create(fp({ verdict: 'true_incident', episodeEnd: null, tolerance: null }), T0 + 1);
  if (isFeedbackRefusal(open)) throw new Error('refused');
  table.closeEpisode(open.id, T0 + 900_000);
  table.closeEpisode(open.id, T0 + 999_999);
  expect(table.get(open.id)?.episodeEnd).toBe(T0 + 900_000);
});

test('a false positive saved before schema version 5 reads as one-sided; a two-sided one keeps its sides', () => {
  const path = join(dir, 'v4.db');
  const old = new Sqlite(path);
  migrate(old, MIGRATIONS.slice(0, 4));
  old
    .prepare(
      `INSERT INTO feedback (id, job, series_key, labels, episode_start, episode_end, verdict, direction, note, ` +
        `author, created_at, peak_deviation, tolerance_period_ms, tolerance_from_ms, tolerance_to_ms, ` +
        `tolerance_magnitude, tolerance_capped, undone_at) VALUES ('f1', 'edge', 'k', '{}', ${T0}, ${T0 + 600_000}, ` +
        `'false_positive', 'up', '', 'noc', ${T0}, 500, 86400000, 5400000, 9600000, 600, 0, NULL)`,
    )
    .run();
  old.close();
  const table = new FeedbackTable(Store.open({ path }));
  expect(table.get('f1')?.tolerance).toMatchObject({ magnitude: 600, bothSides: false });
  const both = table.create(
    fp({ episodeStart: T0 + 1, tolerance: { ...fp().tolerance!, bothSides: true } }),
    T0,
  );
  expect(isFeedbackRefusal(both)).toBe(false);
  if (!isFeedbackRefusal(both)) expect(table.get(both.id)?.tolerance?.bothSides).toBe(true);
});

test('a version-2 file is migrated: its windows kept, feedback usable', () => {
  const path = join(dir, 'old.db');
  const old = new Sqlite(path);
  migrate(old, MIGRATIONS.slice(0, 2));
  old
    .prepare(
      `INSERT INTO windows VALUES ('w1', 1, '["site=\\"ams\\""]', ${T0}, ${T0 + 1000}, NULL, NULL, 'noc', 'old', ${T0}, ${T0})`,
    )
    .run();
  old.close();
  const store = Store.open({ path });
  expect(store.health().state).toBe('ready');
  expect(store.read('t', (db) => db.pragma('user_version', { simple: true }))).toBeGreaterThanOrEqual(3);
  expect(store.read('t', (db) => db.prepare('SELECT count(*) AS n FROM windows').get())).toEqual({ n: 1 });
  expect(isFeedbackRefusal(new FeedbackTable(store).create(fp(), T0))).toBe(false);
});

test('the database checks what it is given: an unknown verdict is refused by SQLite itself', () => {
  const table = new FeedbackTable(Store.open({ path: join(dir, 's.db') }));
  expect(() => table.create(fp({ verdict: 'maybe' as never }), T0)).toThrow(/CHECK constraint/);
  expect(table.list()).toEqual([]);
});

describe('a store that cannot be used', () => {
  test('a folder that is a file: StoreError naming the path on read and write', () => {
    writeFileSync(join(dir, 'blocker'), 'not a folder');
    const path = join(dir, 'blocker', 'trafficlens.db');
    const table = new FeedbackTable(Store.open({ path }));
    expect(() => table.create(fp(), T0)).toThrow(StoreError);
    expect(() => table.list()).toThrow(path);
  });

  test('a database that refuses writes: read_only, nothing changed', () => {
    const store = Store.open({ path: join(dir, 's.db') });
    const table = new FeedbackTable(store);
    const first = table.create(fp(), T0);
    if (isFeedbackRefusal(first)) throw new Error('refused');
    store.read('test', (db) => db.pragma('query_only = ON'));
    let error: unknown;
    try {
      table.undo(first.id, T0 + 1);
    } catch (err) {
      error = err;
    }
    expect((error as StoreError).problem).toBe('read_only');
    expect((error as StoreError).message).toContain('cannot undo the feedback');
    expect(table.get(first.id)?.undoneAt).toBeNull();
  });
});
