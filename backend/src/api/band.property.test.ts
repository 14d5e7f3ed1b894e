/**
 * Band ⇔ flag through the HTTP API (issue 11, item 1): for every statistical detector, causal or not,
 * every point POST /api/v1/score and POST /api/v1/query return is anomalous exactly when its value lies
 * outside [lower, upper], with the direction of its side of expected (calibration/testing/bandRule.ts).
 * The real Express app, in-process, with the real engine (inline); /query fetches from a fake Prometheus.
 */
import fc from 'fast-check';
import request from 'supertest';
import { STATISTICAL_DETECTORS, SeriesScore } from '../contract/score.js';
import {
  assertBandRule,
  bandSeries,
  incident,
  STEP,
  T0,
  spikySeries,
  withIncident,
  type GridSeries,
} from '../calibration/testing/bandRule.js';
import { PrometheusClient } from '../sources/prometheus/index.js';
import { FakePrometheus } from '../sources/prometheus/testing.js';
import { historyStart } from '../sources/prometheus/promql.js';
import { testApp } from './testApp.js';

const direction = fc.constantFrom('both', 'up', 'down');

describe('POST /api/v1/score: band and flag agree', () => {
  const { app } = testApp();

  it.each(STATISTICAL_DETECTORS)('%s, causal and not, two series per request', async (detector) => {
    let flagged = 0;
    await fc.assert(
      fc.asyncProperty(
        bandSeries({ maxLength: 500 }),
        bandSeries({ minLength: 20, maxLength: 200 }),
        fc.boolean(),
        direction,
        fc.integer({ min: 0, max: 100 }),
        async (a, b, causal, dir, sensitivity) => {
          const res = await request(app)
            .post('/api/v1/score')
            .send({ series: [a, b], detector, sensitivity, options: { causal, direction: dir } })
            .expect(200);
          for (const s of res.body.series) flagged += assertBandRule(SeriesScore.parse(s));
        },
      ),
      { numRuns: 15, examples: [[spikySeries(300), spikySeries(150), false, 'both', 50]] },
    );
    expect(flagged).toBeGreaterThan(0);
  });
});

/** The series as a counter: the running total of its values, reset to 0 now and then. */
const asCounter = (s: GridSeries, resetEvery: number): GridSeries => {
  let total = 0;
  const values = s.values.map((v, i) => {
    if (v === null) return null;
    total = i > 0 && i % resetEvery === 0 ? 0 : total + v * 60;
    return total;
  });
  return { ...s, values };
};

const otherOptions = fc.record(
  {
    period: fc.constantFrom('auto', 'none', 24, 96),
    acceptNewLevelAfter: fc.constantFrom('never', '10m', '1h', '1d'),
    minEpisodePoints: fc.integer({ min: 1, max: 5 }),
    counter: fc.constantFrom(true, 'auto'),
  },
  { requiredKeys: [] },
);

describe('POST /api/v1/score with the other options: band and flag agree', () => {
  const { app } = testApp();

  it.each(STATISTICAL_DETECTORS)(
    '%s: period, acceptNewLevelAfter, minEpisodePoints, counters',
    async (detector) => {
      await fc.assert(
        fc.asyncProperty(
          bandSeries({ maxLength: 500 }),
          otherOptions,
          fc.integer({ min: 50, max: 400 }),
          fc.boolean(),
          async (series, options, resetEvery, causal) => {
            const input = options.counter === undefined ? series : asCounter(series, resetEvery);
            const res = await request(app)
              .post('/api/v1/score')
              .send({ series: [input], detector, options: { ...options, causal } })
              .expect(200);
            assertBandRule(SeriesScore.parse(res.body.series[0]));
          },
        ),
        { numRuns: 10 },
      );
    },
  );
});

describe('POST /api/v1/query: band and flag agree', () => {
  let prom: FakePrometheus;
  beforeAll(async () => {
    prom = await new FakePrometheus().start();
  });
  afterAll(async () => {
    await prom.stop();
  });

  // The query fetches history before start (max(9¼ days, 500 steps)): at a 30-minute step it is 500 steps.
  const step = 30 * STEP;

  it.each(STATISTICAL_DETECTORS)('%s, causal and not', async (detector) => {
    const { app } = testApp({ prometheus: new PrometheusClient({ url: prom.url, timeoutMs: 5000 }) });
    let flagged = 0;
    await fc.assert(
      fc.asyncProperty(
        bandSeries({ minLength: 520, maxLength: 700 }),
        incident,
        fc.boolean(),
        direction,
        async (history, extra, causal, dir) => {
          // The events of the history are anywhere in it; one more lies in [start, end], which is scored.
          const series = withIncident(history, extra, 500);
          // The series is the whole fetch: its first point is the history's start.
          const from = T0;
          const start = T0 + 500 * step;
          const end = T0 + (series.values.length - 1) * step;
          expect(historyStart(start, step)).toBe(from);
          // As Prometheus answers: the series' values on the requested grid, a missing sample left out.
          prom.handler = (req, res) => {
            const values: [number, string][] = [];
            for (let t = Number(req.body.start) * 1000; t <= Number(req.body.end) * 1000; t += step) {
              const v = series.values[(t - from) / step];
              if (v !== null && v !== undefined) values.push([t / 1000, String(v)]);
            }
            res.json({
              status: 'success',
              data: { resultType: 'matrix', result: [{ metric: { __name__: 'link_bps' }, values }] },
            });
          };
          const res = await request(app)
            .post('/api/v1/query')
            .send({ expr: 'link_bps', start, end, step, detector, options: { causal, direction: dir } })
            .expect(200);
          expect(res.body.series).toHaveLength(1);
          const scored = SeriesScore.parse(res.body.series[0]);
          expect(scored.timestamps[0]).toBe(start);
          expect(scored.timestamps.at(-1)).toBeLessThanOrEqual(end);
          flagged += assertBandRule(scored);
        },
      ),
      { numRuns: 8, examples: [[spikySeries(600), { at: 500, len: 3, factor: 40 }, false, 'both']] },
    );
    expect(flagged).toBeGreaterThan(0);
  });
});
