/**
 * Band ⇔ flag in what continuous jobs serve (issue 11, item 1): a job with the real engine over a fake
 * source, backfilled then run tick by tick on a test clock. After every tick, each series' newest point
 * on /metrics has trafficlens_anomaly 1 exactly when trafficlens_value lies outside [trafficlens_lower,
 * trafficlens_upper] (a missing edge is unbounded) and trafficlens_anomaly_score ≥ 1 exactly then; at
 * the end every point GET /api/v1/jobs/:name/series returns (whole, and thinned by maxDataPoints) keeps
 * the rule (calibration/testing/bandRule.ts). Every statistical detector, every direction option; and
 * the same over the embedded simulator (traffic and counters, with its incidents) at a random seed.
 */
import fc from 'fast-check';
import request from 'supertest';
import { testApp } from '../api/testApp.js';
import {
  assertBandRule,
  bandSeries,
  incident,
  spikySeries,
  STEP,
  T0,
  withIncident,
  type GridSeries,
} from '../calibration/testing/bandRule.js';
import { STATISTICAL_DETECTORS } from '../contract/score.js';
import { FakeSource } from '../sources/fake.js';
import type { Source } from '../sources/source.js';
import type { JobConfigInput } from './config.js';
import { JobManager } from './manager.js';
import { registerJobMetrics } from './metrics.js';
import { jobsApi } from '../api/routes/jobs.js';
import { JOBS_BASE_PATH, JobSeriesResponse } from '../contract/jobs.js';
import { captureLogger, TestClock } from './testing/helpers.js';

/** Jobs fetch on the step's grid: the series' times moved onto a whole minute. */
const J0 = Date.UTC(2025, 0, 13, 12);
const onGrid = (s: GridSeries): [number, number | null][] =>
  s.timestamps.map((t, i) => [t - T0 + J0, s.values[i]]);

/** The samples of one metric: each series' label set (as printed) → value. */
function samples(text: string, name: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+)(\{.*\}) (\S+)$/.exec(line);
    if (m && m[1] === name) out.set(m[2], Number(m[3]));
  }
  return out;
}

/** Check the rule on each series' newest point as /metrics exports it; the number of anomalous ones. */
function checkMetrics(text: string, expectedSeries: number): number {
  const anomaly = samples(text, 'trafficlens_anomaly');
  const score = samples(text, 'trafficlens_anomaly_score');
  const value = samples(text, 'trafficlens_value');
  const lower = samples(text, 'trafficlens_lower');
  const upper = samples(text, 'trafficlens_upper');
  expect(anomaly.size).toBe(expectedSeries);
  let flagged = 0;
  for (const [labels, a] of anomaly) {
    const v = value.get(labels);
    const lo = lower.get(labels);
    const hi = upper.get(labels);
    const outside = v !== undefined && ((lo !== undefined && v < lo) || (hi !== undefined && v > hi));
    if (a !== (outside ? 1 : 0) || (a === 1) !== score.get(labels)! >= 1) {
      throw new Error(
        `/metrics ${labels}: trafficlens_anomaly ${a}, score ${score.get(labels)}, value ${v}, band [${lo}, ${hi}]`,
      );
    }
    flagged += a;
  }
  return flagged;
}

/**
 * Add the job `band`, run its backfill and then `live` ticks of one step on the clock, checking /metrics
 * after each; then check every served point, whole and thinned. The anomalous points seen, live and served.
 */
async function runAndCheck(
  clock: TestClock,
  config: Omit<JobConfigInput, 'name'>,
  source: Source | undefined,
  live: number,
  seriesCount: number | null,
): Promise<{ live: number; series: number }> {
  const manager = new JobManager({ logger: captureLogger().logger, now: clock.now });
  const job = manager.addJob({ name: 'band', ...config }, source);
  const { app, registry } = testApp({ jobs: { api: jobsApi(manager) } });
  registerJobMetrics(registry, manager);
  const flagged = { live: 0, series: 0 };

  for (let tick = 0; tick <= live; tick++) {
    if (tick > 0) clock.advance(job.spec.stepMs);
    expect(await manager.runOnce('band')).toMatchObject({ ok: true });
    const text = (await request(app).get('/metrics').expect(200)).text;
    flagged.live += checkMetrics(text, seriesCount ?? job.latest().length);
  }

  for (const query of ['', '?maxDataPoints=30']) {
    const res = await request(app).get(`${JOBS_BASE_PATH}/band/series${query}`).expect(200);
    const body = JobSeriesResponse.parse(res.body);
    if (seriesCount !== null) expect(body.series).toHaveLength(seriesCount);
    expect(body.series.length).toBeGreaterThan(0);
    for (const scored of body.series) {
      if (query === '')
        expect(scored.timestamps.at(-1)).toBe(Math.floor(clock.t / job.spec.stepMs) * job.spec.stepMs);
      flagged.series += assertBandRule(scored, `GET /band/series${query} ${JSON.stringify(scored.labels)}`);
    }
  }
  return flagged;
}

const job = fc.record({
  series: fc.array(bandSeries({ minLength: 150, maxLength: 400 }), { minLength: 1, maxLength: 2 }),
  /** Points scored live, one tick each, after the backfill of the rest. */
  live: fc.integer({ min: 10, max: 60 }),
  /** One more incident among the live points (the series' own events are anywhere). */
  extra: incident,
  direction: fc.constantFrom('both', 'up', 'down'),
  sensitivity: fc.integer({ min: 0, max: 100 }),
});

describe('continuous jobs: band and flag agree on /metrics and the served series', () => {
  it.each(STATISTICAL_DETECTORS)('%s', async (detector) => {
    let flaggedLive = 0;
    let flaggedSeries = 0;
    await fc.assert(
      fc.asyncProperty(job, async ({ series, live, extra, direction, sensitivity }) => {
        const n = Math.min(...series.map((s) => s.values.length));
        const source = new FakeSource();
        // Every series cut to the n points the job will see, the last `live` of them with the incident.
        series.forEach(({ timestamps, values }, k) => {
          const seen = { timestamps: timestamps.slice(0, n), values: values.slice(0, n) };
          source.add({ link: `link-${k}` }, onGrid(withIncident(seen, extra, n - live)));
        });
        // The clock starts where the backfill ends; each tick brings one more point.
        const clock = new TestClock(J0 + (n - 1 - live) * STEP);
        const flagged = await runAndCheck(
          clock,
          {
            source: { type: 'simulator' },
            detector,
            sensitivity,
            options: { direction },
            step: '1m',
            interval: '1m',
            fit_window: `${n}m`,
          },
          source,
          live,
          series.length,
        );
        flaggedLive += flagged.live;
        flaggedSeries += flagged.series;
      }),
      {
        numRuns: 6,
        examples: [
          [
            {
              series: [spikySeries(300)],
              live: 30,
              extra: { at: 500, len: 3, factor: 40 },
              direction: 'both',
              sensitivity: 50,
            },
          ],
        ],
      },
    );
    expect(flaggedLive).toBeGreaterThan(0);
    expect(flaggedSeries).toBeGreaterThan(0);
  });
});

describe('a job over the embedded simulator: band and flag agree on /metrics and the served series', () => {
  const SPEED = 10;
  const STEP_MS = 60_000 / SPEED;

  it.each(STATISTICAL_DETECTORS)('%s', async (detector) => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 1_000_000 }), async (seed) => {
        const clock = new TestClock(J0);
        await runAndCheck(
          clock,
          {
            // Simulated incidents every 30 simulated minutes: 30 steps, several in the fit window.
            source: {
              type: 'simulator',
              seed,
              speed: SPEED,
              kinds: ['traffic', 'counters'],
              incident_every: '30m',
            },
            filters: ['site="ams"', 'link="transit-1"'],
            detector,
            step: STEP_MS,
            interval: STEP_MS,
            fit_window: 400 * STEP_MS,
          },
          undefined,
          40,
          null,
        );
      }),
      { numRuns: 1 },
    );
  });
});
