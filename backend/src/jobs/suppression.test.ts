/**
 * Maintenance windows applied by a job, with the real engine and the simulator: a window over a DDoS
 * on the attacked series still scores it (against a baseline that does not learn the window's points),
 * but no point is anomalous, the state is suppressed, trafficlens_anomaly is 0, no episode is an alert
 * and none is logged as one.
 * Outside the window (another series, or before and after it) nothing changes. The store's windows
 * (the API's) and a job's own `maintenance:` list (here a recurring one) both apply.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { TrafficSimulator } from '../sources/simulator/index.js';
import { Store, WindowsTable } from '../store/index.js';
import type { JobConfigInput } from './config.js';
import { SIMULATOR_SPEED } from './defaults.js';
import { JobManager } from './manager.js';
import { StoredWindows, Suppression, fixedWindows, within } from './suppression.js';
import { FakeSource } from '../sources/fake.js';
import { captureLogger, points, TestClock } from './testing/helpers.js';

const STEP = 60_000 / SIMULATOR_SPEED;
const T = Date.UTC(2025, 0, 15, 12);
const SEED = 42;
const sim = new TrafficSimulator({ seed: SEED, speed: SIMULATOR_SPEED });
const ddos = sim
  .incidents(T, T + (24 * 3_600_000) / SIMULATOR_SPEED)
  .find((i) => i.start > T && i.kind === 'ddos')!;
const align = (t: number) => Math.floor(t / STEP) * STEP;
const target = ddos.primary;
const targetMatchers = Object.entries(target).map(([k, v]) => `${k}="${v}"`);
const START = align(ddos.start) - STEP;
const LIVE = align(ddos.start) + 5 * STEP;

let dir: string;
let store: Store;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tl-suppression-'));
  store = Store.open({ path: join(dir, 'trafficlens.db') });
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A job on the attacked series' site, scored up to a few steps into the DDoS. */
async function run(extra: Partial<JobConfigInput> = {}, windows: WindowsTable | null = null) {
  const clock = new TestClock(START);
  const { logger, lines } = captureLogger();
  const registry = new Registry();
  const manager = new JobManager({ logger, registry, now: clock.now, windows });
  manager.addJob({
    name: 'sim',
    source: { type: 'simulator', seed: SEED, speed: SIMULATOR_SPEED, kinds: ['traffic', 'http'] },
    interval: '15s',
    step: STEP,
    fit_window: 2880 * STEP,
    filters: [`site="${target.site}"`],
    ...extra,
  });
  expect(await manager.runOnce('sim')).toMatchObject({ ok: true });
  clock.t = LIVE;
  expect(await manager.runOnce('sim')).toMatchObject({ ok: true });
  const series = manager.seriesResults('sim', START - 60 * STEP, LIVE)!;
  const of = (labels: Record<string, string>) =>
    series.find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))!;
  return { manager, lines, metrics: await registry.metrics(), series, of };
}

const gauge = (text: string, name: string) =>
  Number(
    new RegExp(
      `^${name}\\{job="sim",[^}]*${Object.entries(target)
        .sort()
        .map(([k, v]) => `${k}="${v}"`)
        .join(',')}[^}]*\\} (\\S+)$`,
      'm',
    ).exec(text)?.[1],
  );

test('without a window (the control): the DDoS is an anomaly, an open episode and a gauge of 1', async () => {
  const { of, manager, metrics } = await run();
  const attacked = of(target);
  expect(attacked.state).toBe('ok');
  expect(attacked.anomaly.some(Boolean)).toBe(true);
  expect(attacked.episodes.at(-1)).toMatchObject({ open: true });
  expect(manager.list()[0].openEpisodes).toBeGreaterThanOrEqual(1);
  expect(gauge(metrics, 'trafficlens_anomaly')).toBe(1);
  expect(gauge(metrics, 'trafficlens_suppressed')).toBe(0);
});

test('a store window over the DDoS: still scored, state suppressed, nothing anomalous, gauge 0, no alert; other series unchanged', async () => {
  const control = await run();
  const windows = new WindowsTable(store);
  const windowStart = align(ddos.start) - 2 * STEP;
  windows.create(
    {
      matchers: targetMatchers,
      startsAt: windowStart,
      endsAt: ddos.end + 60 * STEP,
      schedule: null,
      author: 'noc',
      comment: 'planned load test',
    },
    START,
  );
  const { of, series, manager, lines, metrics } = await run({}, windows);

  const attacked = of(target);
  const before = control.of(target);
  expect(attacked.state).toBe('suppressed');
  // Scores and bands are computed and shown: up to the window as without it; inside it against a
  // baseline that does not learn the window's points, so the DDoS still scores as one.
  const upTo = attacked.timestamps.findIndex((t) => t >= windowStart);
  expect(attacked.score.slice(0, upTo)).toEqual(before.score.slice(0, upTo));
  expect(attacked.upper.slice(0, upTo)).toEqual(before.upper.slice(0, upTo));
  const inside = attacked.score.slice(upTo);
  expect(inside.every((s) => typeof s === 'number')).toBe(true);
  expect(Math.max(...(inside as number[]))).toBeGreaterThanOrEqual(1);
  // Inside the window nothing is anomalous; before it, the points are as they were.
  attacked.timestamps.forEach((t, i) => {
    expect(attacked.anomaly[i]).toBe(t >= windowStart ? false : before.anomaly[i]);
  });
  expect(attacked.episodes.filter((e) => e.start >= windowStart)).toEqual([]);
  // The window over the returned points, for the panel to shade: from its start to the last point.
  expect(attacked.maintenance).toEqual([{ start: windowStart, end: attacked.timestamps.at(-1)! + 1 }]);
  expect(before.maintenance).toBeUndefined();
  // The attacked series' episode is no longer counted; the others' (outside the window) still are.
  expect(manager.list()[0].openEpisodes).toBe(control.manager.list()[0].openEpisodes - 1);
  expect(gauge(metrics, 'trafficlens_anomaly')).toBe(0);
  expect(gauge(metrics, 'trafficlens_suppressed')).toBe(1);
  expect(gauge(metrics, 'trafficlens_anomaly_score')).toBeGreaterThanOrEqual(1);
  // Logged for the record, never as an alert (warn); the other series' alerts still are.
  const aboutTarget = (l: object) =>
    JSON.stringify((l as { labels?: unknown }).labels) === JSON.stringify(target);
  const alerts = lines.filter((l) => l.level === 40 && l.msg.startsWith('anomaly'));
  expect(alerts.filter(aboutTarget)).toEqual([]);
  const controlAlerts = control.lines.filter((l) => l.level === 40 && l.msg.startsWith('anomaly'));
  expect(alerts.length).toBe(controlAlerts.length - controlAlerts.filter(aboutTarget).length);
  expect(
    lines.filter((l) => aboutTarget(l) && l.msg.includes('suppressed by a maintenance window')),
  ).toHaveLength(1);

  // The other series of the site are outside the window: exactly as without it.
  for (const s of series.filter((x) => x !== attacked)) {
    expect(s).toEqual(control.series.find((c) => JSON.stringify(c.labels) === JSON.stringify(s.labels)));
  }
});

test('a window over another time changes nothing', async () => {
  const control = await run();
  const windows = new WindowsTable(store);
  windows.create(
    {
      matchers: targetMatchers,
      startsAt: LIVE + 3_600_000,
      endsAt: LIVE + 7_200_000,
      schedule: null,
      author: 'noc',
      comment: 'later',
    },
    START,
  );
  const { series } = await run({}, windows);
  expect(series).toEqual(control.series);
});

test("the job's own recurring maintenance (cron + duration) suppresses the DDoS like a store window", async () => {
  const firing = new Date(Math.floor((ddos.start - 60_000) / 60_000) * 60_000);
  const cron = `${firing.getUTCMinutes()} ${firing.getUTCHours()} * * *`;
  const { of, metrics } = await run({
    maintenance: [{ matchers: targetMatchers, cron, duration: '2h', comment: 'nightly backup' }],
  });
  const attacked = of(target);
  expect(attacked.state).toBe('suppressed');
  expect(attacked.anomaly.filter((_, i) => attacked.timestamps[i] >= firing.getTime())).not.toContain(true);
  expect(gauge(metrics, 'trafficlens_anomaly')).toBe(0);
});

describe('Suppression', () => {
  const H = 3_600_000;
  const day = Date.UTC(2026, 0, 3);
  const suppression = new Suppression([
    fixedWindows([
      {
        matchers: [{ name: 'site', op: '=', value: 'ams' }],
        timing: { startsAt: day, endsAt: day + H, schedule: null },
      },
      {
        matchers: [{ name: 'site', op: '=~', value: 'am.*' }],
        timing: { startsAt: null, endsAt: null, schedule: { cron: '30 0 * * *', durationMs: H } },
      },
    ]),
  ]);

  test('at: any matching window active then', () => {
    expect(suppression.at({ site: 'ams' }, day + H / 2)).toBe(true);
    expect(suppression.at({ site: 'ams' }, day + H + H / 4)).toBe(true); // the daily 00:30–01:30
    expect(suppression.at({ site: 'ams' }, day + 2 * H)).toBe(false);
    expect(suppression.at({ site: 'fra' }, day + H / 2)).toBe(false);
  });

  test('intervals: merged over the windows, inclusive of the last point', () => {
    const intervals = suppression.intervals({ site: 'ams' }, day, day + 3 * H);
    expect(intervals).toEqual([{ start: day, end: day + 1.5 * H }]);
    expect(within(intervals, day + 1.5 * H - 1)).toBe(true);
    expect(within(intervals, day + 1.5 * H)).toBe(false);
  });
});

describe("StoredWindows: the store's windows for the jobs", () => {
  const fields = {
    matchers: ['site="ams"'],
    startsAt: 0,
    endsAt: 10,
    schedule: null,
    author: 'noc',
    comment: '',
  };

  test('re-read when the store changes, also by another connection (another process)', () => {
    const stored = new StoredWindows(new WindowsTable(store));
    expect(stored.windows()).toEqual([]);
    const other = Store.open({ path: store.path });
    new WindowsTable(other).create(fields, 0);
    expect(stored.windows()).toHaveLength(1);
    expect(stored.windows()).toBe(stored.windows()); // unchanged store: the compiled list is reused
    other.close();
  });

  test('a store that cannot be read: the last windows read still apply, tried again every 5 s, logged once', () => {
    writeFileSync(join(dir, 'blocker'), 'not a folder');
    const broken = Store.open({ path: join(dir, 'blocker', 'trafficlens.db') });
    const { logger, lines } = captureLogger();
    const clock = new TestClock(0);
    const stored = new StoredWindows(new WindowsTable(broken), logger, clock.now);
    expect(stored.windows()).toEqual([]);
    expect(stored.windows()).toEqual([]);
    expect(lines.filter((l) => l.msg.startsWith('maintenance windows cannot be read'))).toHaveLength(1);
    rmSync(join(dir, 'blocker'));
    new WindowsTable(Store.open({ path: join(dir, 'blocker', 'trafficlens.db') })).create(fields, 0);
    expect(stored.windows()).toEqual([]); // not tried again yet
    clock.t = 5000;
    expect(stored.windows()).toHaveLength(1);
    expect(lines.some((l) => l.msg === 'maintenance windows readable again')).toBe(true);
  });
});

describe('points inside a window do not become the baseline', () => {
  const MIN = 60_000;
  const T0 = Date.UTC(2026, 0, 1);
  // Three days at 1-minute steps: normal around 100, then 27 hours of maintenance at 200 (longer than
  // the gate's one-day horizon, after which an unexplained new level becomes normal), then 100 again.
  const SHIFT_START = T0 + 1500 * MIN;
  const SHIFT_END = SHIFT_START + 1620 * MIN;
  const END = SHIFT_END + 60 * MIN;
  const noise = (t: number) => 3 * Math.sin(t / MIN / 7) + 2 * Math.sin(t / MIN / 3.1);
  const value = (t: number) => (t >= SHIFT_START && t < SHIFT_END ? 200 : 100) + noise(t);

  async function scoreWith(windows: WindowsTable | null) {
    const clock = new TestClock(END);
    const manager = new JobManager({ logger: captureLogger().logger, now: clock.now, windows });
    const source = new FakeSource().add({ site: 'ams' }, points(T0, END, MIN, value));
    manager.addJob(
      { name: 'held', source: { type: 'simulator' }, detector: 'robust', step: '1m', fit_window: '3d' },
      source,
    );
    expect(await manager.runOnce('held')).toMatchObject({ ok: true });
    const [series] = manager.seriesResults('held', SHIFT_END, END)!;
    return series;
  }

  test('after a long window the old level is normal again; learnt as usual, the new level had become the baseline', async () => {
    const learnt = await scoreWith(null);
    // Without a window, a day of 200 became normal: coming back to 100 is an anomaly (down).
    expect(learnt.expected[0]!).toBeGreaterThan(150);

    const windows = new WindowsTable(store);
    windows.create(
      {
        matchers: ['site="ams"'],
        startsAt: SHIFT_START,
        endsAt: SHIFT_END,
        schedule: null,
        author: 'noc',
        comment: 'migration',
      },
      T0,
    );
    const held = await scoreWith(windows);
    expect(held.state).toBe('ok');
    expect(held.expected[0]!).toBeLessThan(120);
    // The step back from the window's level is a change for a few points (the short-memory components
    // saw it); after that, the old level is normal, where learning the window had made it an anomaly.
    expect(held.anomaly.slice(10).some(Boolean)).toBe(false);
    expect(learnt.anomaly.slice(10).some(Boolean)).toBe(true);
  });
  test('windows match the labels as on /metrics: job and detector included', async () => {
    const windows = new WindowsTable(store);
    windows.create(
      {
        matchers: ['job="held"', 'detector="robust"'],
        startsAt: SHIFT_START,
        endsAt: SHIFT_END,
        schedule: null,
        author: 'noc',
        comment: 'the whole job',
      },
      T0,
    );
    const held = await scoreWith(windows);
    expect(held.expected[0]!).toBeLessThan(120);
    expect(held.anomaly.slice(10).some(Boolean)).toBe(false);
  });
});
