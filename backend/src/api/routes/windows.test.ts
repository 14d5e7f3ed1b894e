/**
 * The windows API on a real store in a temporary folder: CRUD, every refusal (each a 4xx that changes
 * nothing), the warning for matchers that match no series, If-Match conflicts, and a store that cannot
 * be written (503 naming the file, the service still answering).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { ErrorResponse } from '../../contract/api.js';
import { MaintenanceWindow, WindowResponse, WindowsListResponse } from '../../contract/windows.js';
import { Store, WindowsTable } from '../../store/index.js';
import { testApp } from '../testApp.js';
import { storeHealth, windowsApi } from './windows.js';

const H = 3_600_000;
// Monday 2026-01-05 12:00 UTC.
const NOW = Date.UTC(2026, 0, 5, 12);
const BASE = '/api/v1/windows';

let dir: string;
let store: Store;
let now: number;

function setup(path = join(dir, 'trafficlens.db')) {
  store = Store.open({ path });
  const windows = new WindowsTable(store);
  const series = [
    { site: 'ams', link: 'transit-1' },
    { site: 'fra', link: 'peering-2' },
  ];
  const { app } = testApp({
    windows: {
      api: windowsApi({ windows, seriesLabels: () => series, now: () => now }),
      health: () => storeHealth(store),
    },
  });
  return { app, windows };
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tl-windows-api-'));
  now = NOW;
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const oneOff = {
  matchers: ['site="ams"'],
  startsAt: NOW - H,
  endsAt: NOW + H,
  author: 'noc',
  comment: 'CHG-1234 transit maintenance',
};
// Saturdays 02:00–04:00 UTC.
const weekly = {
  matchers: ['link=~"transit-.*"'],
  schedule: { cron: '0 2 * * 6', durationMs: 2 * H },
  author: 'noc',
};

describe('CRUD', () => {
  test('create, get, list, replace, delete', async () => {
    const { app } = setup();
    const created = await request(app).post(BASE).send(oneOff).expect(201);
    const body = WindowResponse.parse(created.body);
    expect(body.warnings).toEqual([]);
    expect(body.window).toMatchObject({
      ...oneOff,
      version: 1,
      active: true,
      nextStart: null,
      schedule: null,
    });
    expect(created.headers.location).toBe(`${BASE}/${body.window.id}`);
    expect((await request(app).get('/healthz').expect(200)).body.store).toEqual({
      state: 'ready',
      problem: null,
    });
    const id = body.window.id;

    expect(MaintenanceWindow.parse((await request(app).get(`${BASE}/${id}`).expect(200)).body)).toEqual(
      body.window,
    );
    const replaced = await request(app)
      .put(`${BASE}/${id}`)
      .set('If-Match', '1')
      .send({ ...oneOff, comment: 'extended', endsAt: NOW + 3 * H })
      .expect(200);
    expect(replaced.body.window).toMatchObject({ version: 2, comment: 'extended', endsAt: NOW + 3 * H });

    const list = WindowsListResponse.parse((await request(app).get(BASE).expect(200)).body);
    expect(list.windows.map((w) => [w.id, w.version])).toEqual([[id, 2]]);

    await request(app).delete(`${BASE}/${id}`).set('If-Match', '2').expect(204);
    await request(app).get(`${BASE}/${id}`).expect(404);
    expect((await request(app).get(BASE).expect(200)).body).toEqual({ windows: [] });
  });

  test.each([
    // Monday noon: the next Saturday 02:00 is 2026-01-10.
    [NOW, false, Date.UTC(2026, 0, 10, 2)],
    [Date.UTC(2026, 0, 10, 3), true, null],
    [Date.UTC(2026, 0, 10, 4), false, Date.UTC(2026, 0, 17, 2)],
  ])('a recurring window at %d UTC: active %s, next start %s', async (at, active, next) => {
    const { app } = setup();
    const { id } = (await request(app).post(BASE).send(weekly).expect(201)).body.window;
    now = at;
    const w = MaintenanceWindow.parse((await request(app).get(`${BASE}/${id}`).expect(200)).body);
    expect([w.active, w.nextStart]).toEqual([active, next]);
  });

  test('matchers that match no series scored now: accepted with a warning', async () => {
    const { app } = setup();
    const res = await request(app)
      .post(BASE)
      .send({ ...oneOff, matchers: ['site="nowhere"'] })
      .expect(201);
    expect(res.body.warnings).toEqual([
      'the matchers site="nowhere" match none of the 2 series scored now; the window will suppress matching series if they appear',
    ]);
  });
});

describe('refusals: a clear 4xx, nothing changed', () => {
  test.each([
    ['inverted', { ...oneOff, startsAt: NOW + H, endsAt: NOW }, 'endsAt', 'must be after startsAt'],
    ['already over', { ...oneOff, startsAt: NOW - 2 * H, endsAt: NOW - H }, 'endsAt', 'is in the past'],
    [
      'no range, no schedule',
      { matchers: ['site="ams"'], author: 'noc' },
      'startsAt',
      'needs startsAt and endsAt',
    ],
    [
      'a malformed matcher',
      { ...oneOff, matchers: ['site=ams'] },
      'matchers[0]',
      'is not of the form name="value"',
    ],
    ['a bad regex', { ...oneOff, matchers: ['site=~"(ams"'] }, 'matchers[0]', 'invalid regex'],
    ['no matcher', { ...oneOff, matchers: [] }, 'matchers', ''],
    ['no author', { ...oneOff, author: ' ' }, 'author', ''],
    ['an unknown field', { ...oneOff, silence: true }, 'silence', ''],
    [
      'a cron expression that never fires (30 February)',
      { ...weekly, schedule: { cron: '0 0 30 2 *', durationMs: H } },
      'schedule',
      'never fires',
    ],
    [
      'a cron expression with seconds',
      { ...weekly, schedule: { cron: '0 0 2 * * 6', durationMs: H } },
      'schedule',
      'five fields',
    ],
    [
      'a schedule too short',
      { ...weekly, schedule: { cron: '0 2 * * 6', durationMs: 1000 } },
      'schedule.durationMs',
      '',
    ],
    [
      'a schedule that does not fire before its end',
      { ...weekly, startsAt: NOW, endsAt: NOW + 24 * H },
      'schedule',
      'does not fire before endsAt',
    ],
  ])('POST %s: 400', async (_name, body, path, message) => {
    const { app, windows } = setup();
    const res = await request(app).post(BASE).send(body).expect(400);
    const error = ErrorResponse.parse(res.body).error;
    expect(error.code).toBe('invalid_request');
    expect(error.details.map((d) => d.path)).toContain(path);
    expect(error.message).toContain(message);
    expect(windows.list()).toEqual([]);
  });

  test('unknown id: 404 for GET, PUT and DELETE', async () => {
    const { app } = setup();
    for (const req of [
      request(app).get(`${BASE}/nope`),
      request(app).put(`${BASE}/nope`).send(oneOff),
      request(app).delete(`${BASE}/nope`),
    ]) {
      const res = await req.expect(404);
      expect(res.body.error.message).toBe('no maintenance window "nope"; GET /api/v1/windows lists them');
    }
  });

  test('a time outside 1970–2200 is a 400 naming the field, and nothing is stored', async () => {
    // The fuzzer's case (fuzz.openapi.test.ts): an endsAt of −1.79e308 answered 500.
    const { app, windows } = setup();
    for (const body of [
      { ...oneOff, startsAt: 0, endsAt: -1.79e308 },
      { ...oneOff, endsAt: 1e20 },
    ]) {
      const res = await request(app).post(BASE).send(body).expect(400);
      expect(res.body.error.code).toBe('invalid_request');
      expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain('endsAt');
    }
    expect(windows.list()).toEqual([]);
  });

  test('an invalid PUT body changes nothing', async () => {
    const { app, windows } = setup();
    const { id } = (await request(app).post(BASE).send(oneOff).expect(201)).body.window;
    await request(app)
      .put(`${BASE}/${id}`)
      .send({ ...oneOff, endsAt: oneOff.startsAt })
      .expect(400);
    expect(windows.get(id)).toMatchObject({ version: 1, endsAt: oneOff.endsAt });
  });

  test('concurrent edits: the second PUT with the version both read is a 409, and so is a stale DELETE', async () => {
    const { app, windows } = setup();
    const { id } = (await request(app).post(BASE).send(oneOff).expect(201)).body.window;
    await request(app)
      .put(`${BASE}/${id}`)
      .set('If-Match', '"1"')
      .send({ ...oneOff, comment: 'first' })
      .expect(200);
    const second = await request(app)
      .put(`${BASE}/${id}`)
      .set('If-Match', '"1"')
      .send({ ...oneOff, comment: 'second' })
      .expect(409);
    expect(second.body.error).toMatchObject({
      code: 'conflict',
      message: `window ${id} is at version 2, not 1 (If-Match): it was changed since you read it; GET it, reapply your change and send If-Match: 2`,
    });
    await request(app).delete(`${BASE}/${id}`).set('If-Match', '1').expect(409);
    expect(windows.get(id)).toMatchObject({ version: 2, comment: 'first' });
    await request(app).delete(`${BASE}/${id}`).set('If-Match', 'latest').expect(400);
    // Without If-Match, the last write wins.
    await request(app)
      .put(`${BASE}/${id}`)
      .send({ ...oneOff, comment: 'third' })
      .expect(200);
    expect(windows.get(id)).toMatchObject({ version: 3, comment: 'third' });
  });
});

describe('a store that cannot be written', () => {
  test('its folder is a file: 503 naming the path on every route, the service still answers', async () => {
    writeFileSync(join(dir, 'state'), 'not a folder');
    const path = join(dir, 'state', 'trafficlens.db');
    const { app } = setup(path);
    const res = await request(app).post(BASE).send(oneOff).expect(503);
    expect(res.body.error.code).toBe('storage_unavailable');
    expect(res.body.error.message).toContain(path);
    await request(app).get(BASE).expect(503);
    const health = (await request(app).get('/healthz').expect(200)).body;
    expect(health.store.state).toBe('unavailable');
    expect(health.store.problem).toContain('cannot be opened');
  });

  test('the database refuses writes: 503 naming the path, the window unchanged', async () => {
    const { app, windows } = setup();
    const { id } = (await request(app).post(BASE).send(oneOff).expect(201)).body.window;
    // As a read-only file does (chmod does not stop root, which the tests may run as).
    store.read('test', (db) => db.pragma('query_only = ON'));
    const res = await request(app)
      .put(`${BASE}/${id}`)
      .send({ ...oneOff, comment: 'never' })
      .expect(503);
    expect(res.body.error.message).toContain(`the store ${join(dir, 'trafficlens.db')} is read-only`);
    expect(windows.get(id)?.comment).toBe(oneOff.comment);
    await request(app).get(`${BASE}/${id}`).expect(200);
  });
});
