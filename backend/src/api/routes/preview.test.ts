/**
 * The alert-volume preview on a job scored by the engine, with a known set of injected deviations: more
 * sensitive never means fewer alerts, the current sensitivity's figure is exactly what the live stream
 * flagged over the same points, settings are honoured per series, and the request is bounded.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import request from 'supertest';
import { ErrorResponse } from '../../contract/api.js';
import { PreviewResponse } from '../../contract/settings.js';
import { JobManager } from '../../jobs/manager.js';
import { points, TestClock } from '../../jobs/testing/helpers.js';
import { FakeSource } from '../../sources/fake.js';
import { SensitivitySettingsTable, Store } from '../../store/index.js';
import { testApp } from '../testApp.js';
import { createInlineExecutor, type ScoringExecutor } from '../executor.js';
import { sensitivityApi } from './sensitivity.js';

const MIN = 60_000;
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 5);
const HISTORY = 1800;
const SERIES = [
  { site: 'ams', link: 'transit-1' },
  { site: 'fra', link: 'transit-1' },
  { site: 'lon', link: 'peering-2' },
];

function noise(i: number, k: number) {
  const x = Math.sin(i * 12.9898 + k * 4.1414 + 78.233) * 43758.5453;
  return x - Math.floor(x) - 0.5;
}

/** Injected deviations, from barely visible to obvious, at known minutes (shifted per series). */
const INJECTED = [
  [500, 1.15],
  [650, 1.3],
  [800, 0.75],
  [950, 1.5],
  [1100, 2],
  [1250, 0.5],
  [1400, 1.2],
  [1550, 3],
] as const;

const value = (k: number) => (t: number) => {
  const i = (t - T0) / MIN;
  let v = (1 + k) * (1000 + 300 * Math.sin((2 * Math.PI * i) / 1440) + 50 * noise(i, k));
  for (const [at, factor] of INJECTED) if (i >= at + 7 * k && i < at + 7 * k + 8) v *= factor;
  return v;
};

let dir: string;
let store: Store;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tl-preview-'));
  store = Store.open({ path: join(dir, 'trafficlens.db') });
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A job whose first run scores `backfill` minutes; its retention holds everything it is fed. */
async function setup(
  options: { backfill?: number; maxPreviewPoints?: number; executor?: ScoringExecutor } = {},
) {
  const backfill = options.backfill ?? HISTORY;
  const settings = new SensitivitySettingsTable(store);
  const clock = new TestClock(T0 + backfill * MIN);
  const manager = new JobManager({ logger: pino({ level: 'silent' }), now: clock.now, settings });
  const source = new FakeSource();
  SERIES.forEach((labels, k) => source.add(labels, points(T0, T0 + HISTORY * MIN, MIN, value(k))));
  manager.addJob(
    {
      name: 'edge',
      source: { type: 'simulator' },
      step: '1m',
      interval: '1m',
      fit_window: `${backfill}m`,
      retention: 5000,
    },
    source,
  );
  await manager.runOnce('edge');
  const { app } = testApp({
    sensitivity: {
      api: sensitivityApi({
        jobs: manager,
        settings,
        now: clock.now,
        maxPreviewPoints: options.maxPreviewPoints,
      }),
    },
  });
  return { app, manager, clock };
}

const preview = async (app: Parameters<typeof request>[0], body: object, status = 200) =>
  (await request(app).post('/api/v1/jobs/edge/preview').send(body).expect(status)).body as unknown;

test('more sensitive never means fewer alerts, and the current figure is what the live stream flagged', async () => {
  const { app } = await setup();
  const sensitivities = [0, 20, 40, 50, 60, 80, 100];
  const body = PreviewResponse.parse(await preview(app, { sensitivities }));
  expect(body).toMatchObject({ job: 'edge', series: 3, from: T0, to: T0 + HISTORY * MIN });
  // Every retained point (the backfill's first point is the ring's first too: retention 5000).
  expect(body.points).toBe(3 * (HISTORY + 1));
  const totals = body.candidates.map((c) => c.episodes);
  for (let k = 1; k < totals.length; k++) expect(totals[k]).toBeGreaterThanOrEqual(totals[k - 1]);
  for (const s of body.perSeries) {
    const each = s.candidates.map((c) => c.episodes);
    for (let k = 1; k < each.length; k++) expect(each[k]).toBeGreaterThanOrEqual(each[k - 1]);
  }
  // Not flat: the injected deviations separate the candidates.
  expect(totals[0]).toBeLessThan(totals.at(-1)!);
  // At 50 (the job's) the replay is the live stream's exact figure, per series and in total.
  const at50 = body.candidates[sensitivities.indexOf(50)];
  expect(body.current).toEqual({ episodes: at50.episodes, episodesPerDay: at50.episodesPerDay });
  expect(body.live).toEqual(body.current);
  for (const s of body.perSeries) expect(s.live).toEqual(s.current);
  expect(body.current.episodes).toBeGreaterThan(0);
  // Days scored: the history after the learning period, the same for every series here.
  expect(body.days).toBeGreaterThan(0);
  expect(body.days).toBeLessThanOrEqual(((HISTORY + 1) * MIN) / DAY);
  expect(body.candidates[0].summary).toMatch(/^at 0: ≈[\d.]+ alerts\/day over 3 series; now [\d.]+$/);
  expect(at50.episodesPerDay).toBeCloseTo(at50.episodes / body.days, 9);
});

test('through the scoring executor (as the service runs it) the answer is the same', async () => {
  const body = { sensitivities: [20, 50, 90], match: ['site=~"ams|lon"'] };
  const direct = await preview((await setup()).app, body);
  const executor = createInlineExecutor();
  const viaExecutor = await preview((await setup({ executor })).app, body);
  expect(viaExecutor).toEqual(direct);
  expect(PreviewResponse.parse(viaExecutor).series).toBe(2);
});

test('live points after the backfill: the replay still equals the live stream', async () => {
  const { app, manager, clock } = await setup({ backfill: 1000 });
  for (let t = 1000; t <= HISTORY; t += 37) {
    clock.t = T0 + t * MIN;
    await manager.runOnce('edge');
  }
  const body = PreviewResponse.parse(await preview(app, { sensitivities: [50] }));
  expect(body.live.episodes).toBeGreaterThan(0);
  expect(body.current).toEqual(body.live);
});

test('each series is replayed at its own current sensitivity; matchers select the series', async () => {
  const { app } = await setup();
  await request(app)
    .put('/api/v1/jobs/edge/series/sensitivity')
    .query({ series: '{link="transit-1",site="ams"}' })
    .send({ sensitivity: 90 })
    .expect(200);
  const body = PreviewResponse.parse(
    await preview(app, { sensitivities: [50, 90], match: ['link="transit-1"'] }),
  );
  expect(body.series).toBe(2);
  const [ams, fra] = body.perSeries;
  expect(ams.labels.site).toBe('ams');
  expect([ams.sensitivity, fra.sensitivity]).toEqual([90, 50]);
  expect(ams.current).toEqual(ams.candidates[1]);
  expect(fra.current).toEqual(fra.candidates[0]);
  expect(body.current.episodes).toBe(ams.candidates[1].episodes + fra.candidates[0].episodes);
});

describe('bounded, and bad input is refused', () => {
  test('a replay above the point limit is a 413 naming the limit', async () => {
    const { app } = await setup({ maxPreviewPoints: 10_000 });
    // 3 series × 1801 points × (2 candidates + the current 50) = 16,209.
    const res = await preview(app, { sensitivities: [10, 90] }, 413);
    expect(ErrorResponse.parse(res).error.message).toContain('would replay 16209 points');
    expect(ErrorResponse.parse(res).error.message).toContain('the limit is 10000');
    // Narrowed by a matcher, and sharing the current sensitivity, it fits.
    PreviewResponse.parse(await preview(app, { sensitivities: [50, 90], match: ['site="ams"'] }));
  });

  test.each([
    ['no sensitivities', { sensitivities: [] }, 'sensitivities'],
    ['eleven', { sensitivities: [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100] }, 'sensitivities'],
    ['one above 100', { sensitivities: [50, 120] }, 'sensitivities[1]'],
    ['a bad matcher', { sensitivities: [50], match: ['site=ams'] }, 'not of the form'],
    ['an unknown field', { sensitivities: [50], from: 0 }, 'from'],
  ])('%s: 400', async (_what, body, mentions) => {
    const { app } = await setup({ backfill: 200 });
    const res = ErrorResponse.parse(await preview(app, body, 400));
    expect(`${res.error.message} ${JSON.stringify(res.error.details)}`).toContain(mentions);
  });

  test('an unknown job: 404', async () => {
    const { app } = await setup({ backfill: 200 });
    await request(app)
      .post('/api/v1/jobs/core/preview')
      .send({ sensitivities: [50] })
      .expect(404);
  });
});
