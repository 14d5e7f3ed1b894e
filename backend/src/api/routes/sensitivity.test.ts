/**
 * Live sensitivity through the API, on a real store file and jobs scored by the engine: a series' setting
 * changes which of its points alert from its next point and no other series'; a job's setting changes
 * every series without their own; a new process on the same store file scores at the stored settings;
 * every bad request is a 4xx that stores nothing; /metrics follows the setting.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import request from 'supertest';
import { ErrorResponse } from '../../contract/api.js';
import { JobSensitivityResponse, SeriesSensitivityResponse } from '../../contract/settings.js';
import { JobManager } from '../../jobs/manager.js';
import { points, TestClock } from '../../jobs/testing/helpers.js';
import { FakeSource } from '../../sources/fake.js';
import { SensitivitySettingsTable, Store } from '../../store/index.js';
import { testApp } from '../testApp.js';
import { sensitivityApi } from './sensitivity.js';

const MIN = 60_000;
const T0 = Date.UTC(2026, 0, 5);
/** Learnt in the first run (backfill), then the live part with deviations of several sizes. */
const BACKFILL = 900;
const LIVE = 500;
const AMS = { site: 'ams', link: 'transit-1' };
const FRA = { site: 'fra', link: 'transit-1' };
const SEL_AMS = '{link="transit-1",site="ams"}';

function noise(i: number) {
  const x = Math.sin(i * 12.9898 + 78.233) * 43758.5453;
  return x - Math.floor(x) - 0.5;
}

/** The same values for both series: any difference between them is the setting's. */
function value(t: number): number {
  const i = (t - T0) / MIN;
  let v = 1000 + 300 * Math.sin((2 * Math.PI * i) / 1440) + 40 * noise(i);
  for (const [at, factor] of [
    [BACKFILL + 60, 1.25],
    [BACKFILL + 150, 1.45],
    [BACKFILL + 250, 0.7],
    [BACKFILL + 350, 1.8],
  ] as const) {
    if (i >= at && i < at + 6) v *= factor;
  }
  return v;
}

const JOB = {
  name: 'edge',
  source: { type: 'simulator' },
  step: '1m',
  interval: '1m',
  fit_window: `${BACKFILL}m`,
  retention: 5000,
} as const;

let dir: string;
let stores: Store[];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tl-sensitivity-api-'));
  stores = [];
});
afterEach(() => {
  for (const s of stores) s.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A process: a store on the file, a manager with the job, the API. */
function service(sensitivity?: number) {
  const store = Store.open({ path: join(dir, 'trafficlens.db') });
  stores.push(store);
  const settings = new SensitivitySettingsTable(store);
  const clock = new TestClock(T0 + BACKFILL * MIN);
  const registry = new Registry();
  const manager = new JobManager({ logger: pino({ level: 'silent' }), now: clock.now, settings, registry });
  const source = new FakeSource();
  for (const labels of [AMS, FRA]) source.add(labels, points(T0, T0 + (BACKFILL + LIVE) * MIN, MIN, value));
  manager.addJob({ ...JOB, ...(sensitivity === undefined ? {} : { sensitivity }) }, source);
  const { app } = testApp({
    sensitivity: { api: sensitivityApi({ jobs: manager, settings, now: clock.now }) },
  });
  return { app, manager, settings, clock, registry };
}

/** Run the backfill, then every live minute up to `until` (points after BACKFILL). */
async function runTo(s: ReturnType<typeof service>, until: number) {
  while (s.clock.t <= T0 + until * MIN) {
    await s.manager.runOnce('edge');
    s.clock.advance(MIN);
  }
}

/** Live points' anomaly flags of one series, from point `from` on. */
function flags(s: ReturnType<typeof service>, labels: object, from: number): boolean[] {
  const [series] = s.manager.seriesResults('edge', T0 + from * MIN, Infinity, [
    ...Object.entries(labels).map(([name, value]) => ({ name, op: '=' as const, value })),
  ])!;
  return series.anomaly;
}

const count = (xs: boolean[]) => xs.filter(Boolean).length;

describe('a series setting', () => {
  test('changes which points of that series alert from its next point, and no other series', async () => {
    const s = service();
    await runTo(s, BACKFILL + 100);
    const before = flags(s, AMS, 0);
    const put = await request(s.app)
      .put('/api/v1/jobs/edge/series/sensitivity')
      .query({ series: SEL_AMS })
      .send({ sensitivity: 100, author: 'noc', comment: 'catch the small ones' })
      .expect(200);
    expect(SeriesSensitivityResponse.parse(put.body)).toEqual({
      job: 'edge',
      series: {
        labels: AMS,
        series: SEL_AMS,
        sensitivity: 100,
        from: 'series',
        setting: { sensitivity: 100, author: 'noc', comment: 'catch the small ones', updatedAt: s.clock.t },
        scored: true,
      },
      warnings: [],
    });
    await runTo(s, BACKFILL + LIVE);

    // What was scored before the change stays as it was.
    expect(flags(s, AMS, 0).slice(0, before.length)).toEqual(before);
    // The rest of ams scores as a job at 100 does; fra as one at the default 50.
    const at100 = service(100);
    const at50 = service(50);
    await runTo(at100, BACKFILL + LIVE);
    await runTo(at50, BACKFILL + LIVE);
    const from = BACKFILL + 101;
    expect(flags(s, AMS, from)).toEqual(flags(at100, AMS, from));
    expect(flags(s, FRA, 0)).toEqual(flags(at50, FRA, 0));
    // And it matters: at 100 ams flags more of the live deviations than fra.
    expect(count(flags(s, AMS, from))).toBeGreaterThan(count(flags(s, FRA, from)));
    expect(s.manager.seriesResults('edge')!.map((r) => [r.labels.site, r.sensitivity])).toEqual([
      ['ams', 100],
      ['fra', 50],
    ]);
  });

  test('is removed by DELETE: the series goes back to the job sensitivity', async () => {
    const s = service(30);
    await request(s.app)
      .put('/api/v1/jobs/edge/series/sensitivity')
      .query({ series: SEL_AMS })
      .send({ sensitivity: 90 });
    const del = await request(s.app)
      .delete('/api/v1/jobs/edge/series/sensitivity')
      .query({ series: SEL_AMS })
      .expect(200);
    expect(SeriesSensitivityResponse.parse(del.body).series).toMatchObject({
      sensitivity: 30,
      from: 'config',
      setting: null,
    });
    expect(s.settings.list()).toEqual([]);
  });

  test('on a series the job does not score is kept, with a warning', async () => {
    const s = service();
    await runTo(s, BACKFILL);
    const res = await request(s.app)
      .put('/api/v1/jobs/edge/series/sensitivity')
      .query({ series: '{site="lon"}' })
      .send({ sensitivity: 70 })
      .expect(200);
    const body = SeriesSensitivityResponse.parse(res.body);
    expect(body.series.scored).toBe(false);
    expect(body.warnings[0]).toContain('scores no series {site="lon"} now');
  });
});

describe('a job setting', () => {
  test('changes every series without its own, and the job status and /metrics follow it', async () => {
    const s = service();
    await runTo(s, BACKFILL + 100);
    await request(s.app)
      .put('/api/v1/jobs/edge/series/sensitivity')
      .query({ series: SEL_AMS })
      .send({ sensitivity: 50 });
    const put = await request(s.app)
      .put('/api/v1/jobs/edge/sensitivity')
      .send({ sensitivity: 100 })
      .expect(200);
    expect(JobSensitivityResponse.parse(put.body)).toMatchObject({
      job: 'edge',
      sensitivity: 100,
      from: 'job',
      configured: 50,
      setting: { sensitivity: 100, author: '', comment: '' },
      series: [{ labels: AMS, sensitivity: 50, from: 'series' }],
    });
    expect(s.manager.get('edge')!.status().sensitivity).toBe(100);
    await runTo(s, BACKFILL + LIVE);
    const at100 = service(100);
    await runTo(at100, BACKFILL + LIVE);
    const from = BACKFILL + 101;
    expect(flags(s, FRA, from)).toEqual(flags(at100, FRA, from));
    // ams has its own (50): the job's setting does not reach it.
    expect(count(flags(s, AMS, from))).toBeLessThan(count(flags(s, FRA, from)));

    // The gauge of the newest point is the stream's, at the setting: a point only 100 flags alerts.
    const metrics = await s.registry.metrics();
    const anomaly = (site: string) =>
      new RegExp(`trafficlens_anomaly\\{[^}]*site="${site}"[^}]*\\} (\\d)`).exec(metrics)?.[1];
    const last = (labels: object) => flags(s, labels, 0).at(-1);
    expect(anomaly('fra')).toBe(last(FRA) ? '1' : '0');
    expect(anomaly('ams')).toBe(last(AMS) ? '1' : '0');
  });

  test('survives a restart: a new process on the same store file scores at the stored settings', async () => {
    const first = service();
    await request(first.app).put('/api/v1/jobs/edge/sensitivity').send({ sensitivity: 100 }).expect(200);
    await request(first.app)
      .put('/api/v1/jobs/edge/series/sensitivity')
      .query({ series: SEL_AMS })
      .send({ sensitivity: 20 });
    stores.shift()!.close();

    const second = service();
    await runTo(second, BACKFILL + LIVE);
    const at100 = service(100);
    const at20 = service(20);
    await runTo(at100, BACKFILL + LIVE);
    await runTo(at20, BACKFILL + LIVE);
    expect(flags(second, FRA, 0)).toEqual(flags(at100, FRA, 0));
    expect(flags(second, AMS, 0)).toEqual(flags(at20, AMS, 0));
    expect(count(flags(second, FRA, 0))).toBeGreaterThan(count(flags(second, AMS, 0)));
    const got = await request(second.app).get('/api/v1/jobs/edge/sensitivity').expect(200);
    expect(JobSensitivityResponse.parse(got.body)).toMatchObject({ sensitivity: 100, from: 'job' });
  });

  test('DELETE goes back to the jobs file sensitivity', async () => {
    const s = service(40);
    await request(s.app).put('/api/v1/jobs/edge/sensitivity').send({ sensitivity: 100 }).expect(200);
    const del = await request(s.app).delete('/api/v1/jobs/edge/sensitivity').expect(200);
    expect(JobSensitivityResponse.parse(del.body)).toMatchObject({
      sensitivity: 40,
      from: 'config',
      setting: null,
    });
  });
});

describe('refusals store nothing', () => {
  test.each([
    [
      'a sensitivity above 100',
      '/api/v1/jobs/edge/sensitivity',
      {},
      { sensitivity: 101 },
      400,
      'sensitivity',
    ],
    ['a sensitivity below 0', '/api/v1/jobs/edge/sensitivity', {}, { sensitivity: -1 }, 400, 'sensitivity'],
    ['a string', '/api/v1/jobs/edge/sensitivity', {}, { sensitivity: '70' }, 400, 'sensitivity'],
    ['no sensitivity', '/api/v1/jobs/edge/sensitivity', {}, { author: 'noc' }, 400, 'sensitivity'],
    ['an unknown field', '/api/v1/jobs/edge/sensitivity', {}, { sensitivity: 70, level: 3 }, 400, 'level'],
    ['an unknown job', '/api/v1/jobs/core/sensitivity', {}, { sensitivity: 70 }, 404, 'no job named "core"'],
    [
      'an unknown job (series)',
      '/api/v1/jobs/core/series/sensitivity',
      { series: SEL_AMS },
      { sensitivity: 70 },
      404,
      'no job named',
    ],
    ['no series', '/api/v1/jobs/edge/series/sensitivity', {}, { sensitivity: 70 }, 400, 'series'],
    [
      'a regex in the selector',
      '/api/v1/jobs/edge/series/sensitivity',
      { series: '{site=~"a.*"}' },
      { sensitivity: 70 },
      400,
      'only exact values',
    ],
    [
      'a selector without braces',
      '/api/v1/jobs/edge/series/sensitivity',
      { series: 'site="ams"' },
      { sensitivity: 70 },
      400,
      'not a series selector',
    ],
    [
      'a label twice',
      '/api/v1/jobs/edge/series/sensitivity',
      { series: '{site="a",site="b"}' },
      { sensitivity: 70 },
      400,
      'twice',
    ],
    [
      'a bad series value',
      '/api/v1/jobs/edge/series/sensitivity',
      { series: SEL_AMS },
      { sensitivity: 700 },
      400,
      'sensitivity',
    ],
  ])('%s: %#', async (_what, path, query, body, status, mentions) => {
    const s = service();
    const res = await request(s.app).put(path).query(query).send(body).expect(status);
    const error = ErrorResponse.parse(res.body).error;
    expect(`${error.message} ${JSON.stringify(error.details)}`).toContain(mentions);
    expect(s.settings.list()).toEqual([]);
  });

  test('a store that refuses writes: 503 naming the file, the setting in force kept', async () => {
    const s = service();
    await request(s.app).put('/api/v1/jobs/edge/sensitivity').send({ sensitivity: 70 }).expect(200);
    // query_only makes SQLite refuse writes as a read-only file does (chmod does not stop root).
    stores[0].read('test', (db) => db.pragma('query_only = ON'));
    const res = await request(s.app)
      .put('/api/v1/jobs/edge/sensitivity')
      .send({ sensitivity: 10 })
      .expect(503);
    expect(ErrorResponse.parse(res.body).error.message).toContain(join(dir, 'trafficlens.db'));
    expect(s.settings.get('edge', null)?.sensitivity).toBe(70);
    expect(s.manager.get('edge')!.status().sensitivity).toBe(70);
  });

  test('the series given twice is refused', async () => {
    const s = service();
    await request(s.app)
      .get(
        `/api/v1/jobs/edge/series/sensitivity?series=${encodeURIComponent(SEL_AMS)}&series=${encodeURIComponent(SEL_AMS)}`,
      )
      .expect(400);
  });
});
