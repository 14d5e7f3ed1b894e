/**
 * The default jobs with the real engine and the simulator: anomalies must be found where the
 * incident schedule puts incidents. These need the engine (createStream) and fail until it lands.
 */
import { readFileSync } from 'node:fs';
import { Registry } from 'prom-client';
import { LINKS, SERVICES, TrafficSimulator, type Incident } from '../sources/simulator/index.js';
import type { Labels } from '../sources/source.js';
import type { JobConfigInput } from './config.js';
import { scoreSeries } from '../engine/index.js';
import { createDefaultJobs, DEFAULT_JOB_CONFIGS, SIMULATOR_SPEED } from './defaults.js';
import { JobManager } from './manager.js';
import { captureLogger, TestClock } from './testing/helpers.js';

const STEP = 60_000 / SIMULATOR_SPEED;
const T = Date.UTC(2025, 0, 15, 12);
const SEED = 42;
const sim = new TrafficSimulator({ seed: SEED, speed: SIMULATOR_SPEED });
const upcoming = sim.incidents(T, T + (24 * 3_600_000) / SIMULATOR_SPEED).filter((i) => i.start > T);

const align = (t: number) => Math.floor(t / STEP) * STEP;
const same = (a: Labels, b: Labels) =>
  JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());

/** A job scoring only the incident's main series, with the default jobs' settings. */
function jobFor(incident: Incident) {
  const target = incident.primary;
  const clock = new TestClock(align(incident.start) - STEP);
  const { logger, lines } = captureLogger();
  const registry = new Registry();
  const manager = new JobManager({ logger, registry, now: clock.now });
  const config: JobConfigInput = {
    name: 'sim',
    source: { type: 'simulator', seed: SEED, speed: SIMULATOR_SPEED, kinds: ['traffic', 'http'] },
    interval: '15s',
    step: STEP,
    fit_window: 2880 * STEP,
    filters: Object.entries(target).map(([k, v]) => `${k}="${v}"`),
  };
  manager.addJob(config);
  return { target, clock, manager, lines, registry };
}

describe('simulator jobs with the engine', () => {
  test('the default jobs backfill five simulated days and come up healthy, past learning', async () => {
    const { logger } = captureLogger();
    const manager = createDefaultJobs({ logger, registry: new Registry(), now: () => T });
    for (const name of ['simulator', 'simulator-counters']) {
      const outcome = await manager.runOnce(name);
      expect(outcome).toMatchObject({ ok: true });
    }
    const [traffic, counters] = manager.list();
    expect(traffic).toMatchObject({ name: 'simulator', health: 'ok', series: 23 });
    expect(traffic.pointsScored).toBeGreaterThan(23 * 7000);
    expect(counters).toMatchObject({ name: 'simulator-counters', health: 'ok', series: 6 });
    for (const s of manager.seriesResults('simulator') ?? []) expect(s.state).toBe('ok');
    // Every series is scored against the simulated day (1,440 points; detected, it was 1,366–1,502).
    const day = 24 * 60 * (60_000 / SIMULATOR_SPEED);
    for (const s of manager.seriesResults('simulator') ?? []) expect(s.periodMs).toBe(day);
    // The README's account of what `npm start` scores is these numbers.
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8').replace(/\s+/g, ' ');
    const said =
      /scores (\d+) of its series continuously: (\d+) in the job `simulator` \(interface bytes\/s in and out of (\d+) links, and request rates, error ratios and latencies of (\d+) HTTP services\) and (\d+) in `simulator-counters`/.exec(
        readme,
      );
    expect(said?.slice(1).map(Number)).toEqual([
      traffic.series + counters.series,
      traffic.series,
      LINKS.length,
      SERVICES.length,
      counters.series,
    ]);
  });

  test("the simulator's DDoS opens an episode going up on the attacked series, logged at once", async () => {
    const ddos = upcoming.find((i) => i.kind === 'ddos')!;
    const { target, clock, manager, lines, registry } = jobFor(ddos);
    expect(await manager.runOnce('sim')).toMatchObject({ ok: true });
    expect(manager.list()[0].openEpisodes).toBe(0);

    clock.t = align(ddos.start) + 5 * STEP;
    expect(await manager.runOnce('sim')).toMatchObject({ ok: true });
    const [series] = manager.seriesResults('sim', ddos.start, clock.t)!;
    expect(same(series.labels, target)).toBe(true);
    const episode = series.episodes.at(-1)!;
    expect(episode).toMatchObject({ open: true, direction: 'up' });
    expect(episode.start).toBeGreaterThanOrEqual(align(ddos.start));
    expect(episode.start).toBeLessThanOrEqual(align(ddos.start) + 2 * STEP);
    expect(manager.list()[0].openEpisodes).toBe(1);

    const opened = lines.find((l) => l.msg.startsWith('anomaly') && l.level === 40);
    expect(opened).toMatchObject({ direction: 'up', labels: target });
    expect(await registry.metrics()).toMatch(/trafficlens_anomaly\{job="sim",[^}]*\} 1/);

    clock.t = align(ddos.end) + 30 * STEP;
    await manager.runOnce('sim');
    const after = manager
      .seriesResults('sim', ddos.start, clock.t)![0]
      .episodes.find((e) => e.start === episode.start)!;
    expect(after.open).toBe(false);
    expect(after.end).toBeLessThan(ddos.end + 10 * STEP);
    expect(lines.some((l) => l.msg.startsWith('anomaly over'))).toBe(true);
  });

  test('an outage opens an episode going down', async () => {
    const outage = upcoming.find((i) => i.kind === 'outage')!;
    const { clock, manager } = jobFor(outage);
    await manager.runOnce('sim');
    clock.t = align(outage.start) + 5 * STEP;
    await manager.runOnce('sim');
    const episode = manager.seriesResults('sim', outage.start, clock.t)![0].episodes.at(-1);
    expect(episode).toMatchObject({ open: true, direction: 'down' });
  });

  test('a level shift is flagged in its direction', async () => {
    const shift = upcoming.find((i) => i.kind === 'level_shift')!;
    const { clock, manager } = jobFor(shift);
    await manager.runOnce('sim');
    clock.t = align(shift.start) + 10 * STEP;
    await manager.runOnce('sim');
    const episodes = manager.seriesResults('sim', shift.start, clock.t)![0].episodes;
    expect(episodes.some((e) => e.direction === shift.direction && e.start >= align(shift.start))).toBe(true);
  });

  test('counter resets are handled, not reported as anomalies', async () => {
    const clock = new TestClock(T);
    const { logger } = captureLogger();
    const manager = new JobManager({ logger, now: clock.now });
    manager.addJob({
      name: 'counters',
      source: {
        type: 'simulator',
        seed: SEED,
        speed: SIMULATOR_SPEED,
        kinds: ['counters'],
        incidents: false,
      },
      step: STEP,
      fit_window: 2880 * STEP,
      filters: ['site="fra"'],
      options: { counter: true },
    });
    await manager.runOnce('counters');
    clock.t = T + 360 * STEP; // six simulated hours of live points
    await manager.runOnce('counters');
    const resets = sim.counterResets(T, clock.t).filter((r) => r.labels.site === 'fra');
    expect(resets.length).toBeGreaterThan(0);
    for (const series of manager.seriesResults('counters', T, clock.t)!) {
      for (const r of resets.filter((x) => same(x.labels, series.labels))) {
        const near = series.episodes.filter((e) => e.start <= r.time + 2 * STEP && e.end >= r.time - STEP);
        expect(near).toEqual([]);
      }
    }
  });

  describe('at 2026-12-06 02:16 UTC, where a fresh clone failed its panel tests', () => {
    // The demo's ams transit-1 had been flat for seven simulated hours when its backfill began, and its
    // first morning read as a level shift, held for the whole backfill: the browser tests found the band
    // in 3 of 366 columns, the rest inside that one episode.
    const AT = Date.UTC(2026, 11, 6, 2, 16);
    const SERIES = ['site="ams"', 'link="transit-1"', 'direction="in"'];
    const longest = (episodes: { start: number; end: number }[]) =>
      Math.max(0, ...episodes.map((e) => (e.end - e.start) / STEP + 1));

    test('the default job holds no episode for more than a quarter of its retained points', async () => {
      const { logger } = captureLogger();
      const manager = new JobManager({ logger, now: () => AT });
      manager.addJob({ ...DEFAULT_JOB_CONFIGS[0]!, filters: SERIES });
      expect(await manager.runOnce('simulator')).toMatchObject({ ok: true });
      const [series] = manager.seriesResults('simulator')!;
      expect(series!.timestamps).toHaveLength(2880);
      expect(longest(series!.episodes)).toBeLessThan(2880 / 4);
    });

    test('a request scoring its 2,880 retained points holds it: 4.8 hours, under a quarter of its horizon', () => {
      // A request has no history before its first point and the default horizon, a day of real time: an
      // incident is held for at least a quarter of that (calibration/gate.ts, MIN_HOLD; without it, this one
      // was accepted after as many points as came before it). On the demo's ten-times clock that holds two
      // simulated days of a first morning (the panel's Score with tests choose other series).
      const labels: Labels = { site: 'ams', link: 'transit-1', direction: 'in' };
      const key = sim.series().find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))!.key;
      const timestamps: number[] = [];
      const values: number[] = [];
      for (let t = align(AT) - 2879 * STEP; t <= AT; t += STEP) {
        timestamps.push(t);
        values.push(sim.valueAt(key, t));
      }
      const r = scoreSeries({ timestamps, values }, {});
      expect(longest(r.episodes)).toBeGreaterThan(2880 / 2);
      expect(r.episodes.find((e) => longest([e]) > 2880 / 2)!.direction).toBe('up');
    });
  });
});
