/**
 * Data-quality states as a job shows them (jobs/quality.ts defines them): a series that stops
 * reporting is stale in the results and on /metrics (not dropped), and ok again when it comes back;
 * a series stuck at one value is flatline, one with holes is gap; a maintenance window wins in
 * `state` while the quality gauge still reports.
 */
import type { JobConfigInput } from './config.js';
import { points } from './testing/helpers.js';
import { EDGE_T0, edgeJob } from './testing/edgeJob.js';

const MINUTE = 60_000;
const T0 = EDGE_T0;
const AMS = { site: 'ams', link: 'transit-1' };
const FRA = { site: 'fra', link: 'ix' };
const NYC = { site: 'nyc', link: 'transit-2' };
const LON = { site: 'lon', link: 'ix' };

/** A series that moves: its robust spread is > 0. */
const moving = (t: number) => 100 + ((t / MINUTE) % 7) * 3;

function setup(config: Partial<JobConfigInput> = {}) {
  const { registry, clock, manager, source } = edgeJob({
    interval: '15s',
    fit_window: '30m',
    stale_intervals: 3, // 3 × max(15s, 1m): stale after 3 minutes without a sample
    detector: 'robust',
    ...config,
  });
  const job = manager.get('edge')!;
  const stateOf = (site: string) => job.results().find((s) => s.labels.site === site)!;
  const scrape = async (name: string, site: string) =>
    (await registry.metrics())
      .split('\n')
      .filter((l) => l.startsWith(`${name}{`) && l.includes(`site="${site}"`));
  return { clock, manager, source, job, stateOf, scrape };
}

const stateLines = (site: string, link: string, on: string) =>
  ['ok', 'stale', 'gap', 'flatline'].map(
    (state) =>
      `trafficlens_series_state{job="edge",detector="robust",link="${link}",site="${site}",state="${state}"} ${state === on ? 1 : 0}`,
  );

describe('data-quality states of a job', () => {
  test('a series that stops reporting is stale (results and metric, not dropped), then ok when it returns', async () => {
    const { clock, manager, source, job, stateOf, scrape } = setup();
    source.add(AMS, points(T0 - 30 * MINUTE, T0 + 30 * MINUTE, MINUTE, moving));
    source.add(FRA, points(T0 - 30 * MINUTE, T0, MINUTE, moving));
    await manager.runOnce('edge');
    expect(stateOf('fra')).toMatchObject({ state: 'ok', quality: 'ok' });
    expect(await scrape('trafficlens_series_state', 'fra')).toEqual(stateLines('fra', 'ix', 'ok'));

    for (let k = 1; k <= 3; k++) {
      clock.advance(MINUTE);
      await manager.runOnce('edge');
    }
    // Exactly 3 minutes since its last sample: not yet.
    expect(stateOf('fra').state).toBe('ok');
    clock.advance(MINUTE);
    await manager.runOnce('edge');
    expect(stateOf('fra')).toMatchObject({ state: 'stale', quality: 'stale' });
    expect(stateOf('ams')).toMatchObject({ state: 'ok', quality: 'ok' });
    expect(job.status().series).toBe(2);
    expect(await scrape('trafficlens_series_state', 'fra')).toEqual(stateLines('fra', 'ix', 'stale'));
    // Its newest point is 4 minutes old: no score is exported for it any more.
    expect(await scrape('trafficlens_anomaly_score', 'fra')).toEqual([]);
    expect(await scrape('trafficlens_anomaly_score', 'ams')).toHaveLength(1);

    // It comes back.
    source.add(FRA, points(T0 + 5 * MINUTE, T0 + 10 * MINUTE, MINUTE, moving));
    clock.advance(MINUTE);
    await manager.runOnce('edge');
    expect(stateOf('fra')).toMatchObject({ state: 'ok', quality: 'ok' });
    expect(await scrape('trafficlens_series_state', 'fra')).toEqual(stateLines('fra', 'ix', 'ok'));
    expect(await scrape('trafficlens_anomaly_score', 'fra')).toHaveLength(1);
  });

  test('a series gone for an hour is kept (stale); back, it is gap until its last hour fills', async () => {
    const { clock, manager, source, job, stateOf } = setup();
    source.add(AMS, points(T0 - 30 * MINUTE, T0 + 120 * MINUTE, MINUTE, moving));
    source.add(FRA, points(T0 - 30 * MINUTE, T0, MINUTE, moving));
    await manager.runOnce('edge');
    clock.advance(60 * MINUTE);
    await manager.runOnce('edge');
    // Dropped only after stale_after: 1 day by default.
    expect(job.status().series).toBe(2);
    expect(stateOf('fra').state).toBe('stale');
    source.add(FRA, points(T0 + 61 * MINUTE, T0 + 120 * MINUTE, MINUTE, moving));
    clock.advance(MINUTE);
    await manager.runOnce('edge');
    expect(stateOf('fra').state).toBe('gap');
    // At +100m, 20 of its last 60 steps are missing (over 20%); at +110m, 10 (under).
    const runMinutes = async (n: number) => {
      for (let k = 0; k < n; k++) {
        clock.advance(MINUTE);
        await manager.runOnce('edge');
      }
    };
    await runMinutes(39);
    expect(stateOf('fra').state).toBe('gap');
    await runMinutes(10);
    expect(stateOf('fra').state).toBe('ok');
  });

  test('a series stuck at one value after moving is flatline; one with holes is gap', async () => {
    const { clock, manager, source, stateOf, scrape } = setup();
    source.add(AMS, points(T0 - 30 * MINUTE, T0 + 30 * MINUTE, MINUTE, moving));
    source.add(
      NYC,
      points(T0 - 30 * MINUTE, T0 + 30 * MINUTE, MINUTE, (t) => (t < T0 - 5 * MINUTE ? moving(t) : 77)),
    );
    // Every third point missing.
    source.add(
      LON,
      points(T0 - 30 * MINUTE, T0 + 30 * MINUTE, MINUTE, (t) => ((t / MINUTE) % 3 === 0 ? null : moving(t))),
    );
    await manager.runOnce('edge');
    // 6 identical values (T0-5m..T0): not yet a flatline.
    expect(stateOf('nyc').state).toBe('ok');
    expect(stateOf('lon')).toMatchObject({ state: 'gap', quality: 'gap' });
    expect(await scrape('trafficlens_series_state', 'lon')).toEqual(stateLines('lon', 'ix', 'gap'));
    for (let k = 1; k <= 4; k++) {
      clock.advance(MINUTE);
      await manager.runOnce('edge');
    }
    expect(stateOf('nyc')).toMatchObject({ state: 'flatline', quality: 'flatline' });
    expect(stateOf('ams').state).toBe('ok');
    expect(await scrape('trafficlens_series_state', 'nyc')).toEqual(
      stateLines('nyc', 'transit-2', 'flatline'),
    );
    // A flat series is still scored and exported.
    expect(await scrape('trafficlens_anomaly_score', 'nyc')).toHaveLength(1);
  });

  test('a maintenance window wins in state; the quality gauge still reports', async () => {
    const { manager, source, stateOf, scrape } = setup({
      maintenance: [{ matchers: ['site="nyc"'], starts_at: T0 - 60 * MINUTE, ends_at: T0 + 60 * MINUTE }],
    });
    source.add(
      NYC,
      points(T0 - 30 * MINUTE, T0, MINUTE, (t) => (t < T0 - 12 * MINUTE ? moving(t) : 77)),
    );
    await manager.runOnce('edge');
    expect(stateOf('nyc')).toMatchObject({ state: 'suppressed', quality: 'flatline' });
    expect(await scrape('trafficlens_series_state', 'nyc')).toEqual(
      stateLines('nyc', 'transit-2', 'flatline'),
    );
    expect(await scrape('trafficlens_suppressed', 'nyc')).toEqual([
      'trafficlens_suppressed{job="edge",detector="robust",link="transit-2",site="nyc"} 1',
    ]);
  });

  test("a stale series' open episode is not counted as going on", async () => {
    const { clock, manager, source, job } = setup();
    source.add(
      FRA,
      points(T0 - 30 * MINUTE, T0, MINUTE, (t) => (t === T0 ? 1000 : moving(t))),
    );
    await manager.runOnce('edge');
    expect(job.status().openEpisodes).toBe(1);
    clock.advance(4 * MINUTE);
    await manager.runOnce('edge');
    expect(job.status().openEpisodes).toBe(0);
  });

  test('a series that stops reporting inside a maintenance window is suppressed, not alerting as stale', async () => {
    const { clock, manager, source, stateOf, scrape } = setup({
      maintenance: [{ matchers: ['site="fra"'], starts_at: T0 + 2 * MINUTE, ends_at: T0 + 60 * MINUTE }],
    });
    source.add(FRA, points(T0 - 30 * MINUTE, T0, MINUTE, moving));
    await manager.runOnce('edge');
    clock.advance(4 * MINUTE);
    await manager.runOnce('edge');
    expect(stateOf('fra')).toMatchObject({ state: 'suppressed', quality: 'stale' });
    expect(await scrape('trafficlens_series_state', 'fra')).toEqual(stateLines('fra', 'ix', 'stale'));
    // Asked of now, not of its newest point (T0, before the window).
    expect(await scrape('trafficlens_suppressed', 'fra')).toEqual([
      'trafficlens_suppressed{job="edge",detector="robust",link="ix",site="fra"} 1',
    ]);
    clock.advance(60 * MINUTE);
    await manager.runOnce('edge');
    expect(stateOf('fra').state).toBe('stale');
    expect(await scrape('trafficlens_suppressed', 'fra')).toEqual([
      'trafficlens_suppressed{job="edge",detector="robust",link="ix",site="fra"} 0',
    ]);
  });

  test('a series label named state is kept as exported_state on the state gauge', async () => {
    const { manager, source, scrape } = setup();
    source.add({ site: 'ams', state: 'up' }, points(T0 - 10 * MINUTE, T0, MINUTE, moving));
    await manager.runOnce('edge');
    expect(await scrape('trafficlens_series_state', 'ams')).toContain(
      'trafficlens_series_state{job="edge",detector="robust",site="ams",state="ok",exported_state="up"} 1',
    );
  });
});
