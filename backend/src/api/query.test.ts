/**
 * POST /api/v1/query against a fake Prometheus on a loopback port: what is fetched (history before
 * start), what is returned (only [start, end], scored as POST /api/v1/score scores the whole fetch),
 * and every way the upstream can fail turned into a 4xx/5xx with its message, never a crash.
 */
import request from 'supertest';
import { scoreSeries } from '../engine/index.js';
import { PrometheusClient } from '../sources/prometheus/index.js';
import { FakePrometheus, matrixHandler } from '../sources/prometheus/testing.js';
import { FakeExecutor } from './fakeExecutor.js';
import { historyStart } from '../sources/prometheus/promql.js';
import { testApp } from './testApp.js';

const MINUTE = 60_000;
const DAY = 1440 * MINUTE;
const START = Date.UTC(2025, 0, 13, 12);
const END = START + 2 * 60 * MINUTE;

/** A daily cycle with noise and, on one series, a spike inside [START, END]. */
function traffic(tSec: number, spike: boolean): string {
  const t = tSec * 1000;
  const daily = 1000 + 400 * Math.sin((2 * Math.PI * t) / DAY);
  const noise = 30 * Math.sin(t / 7_777) * Math.cos(t / 3_333);
  const hit = spike && t >= START + 60 * MINUTE && t < START + 65 * MINUTE ? 5000 : 0;
  return String(Math.round(daily + noise + hit));
}

const SERIES = [
  { labels: { __name__: 'link_bps', link: 'transit-1' }, f: (t: number) => traffic(t, true) },
  { labels: { __name__: 'link_bps', link: 'ix-1' }, f: (t: number) => traffic(t, false) },
];

let prom: FakePrometheus;
beforeEach(async () => {
  prom = await new FakePrometheus().start();
  prom.handler = matrixHandler(SERIES);
});
afterEach(async () => {
  await prom.stop();
});

const appWith = (opts: { timeoutMs?: number; env?: Record<string, string> } = {}) =>
  testApp({
    env: opts.env,
    prometheus: new PrometheusClient({ url: prom.url, timeoutMs: opts.timeoutMs ?? 5000 }),
  }).app;

const body = { expr: 'link_bps', start: START, end: END, step: '1m' };

describe('POST /api/v1/query', () => {
  test('scores every series over [start, end] after fetching the history the detector needs', async () => {
    const res = await request(appWith()).post('/api/v1/query').send(body);
    expect(res.status).toBe(200);
    const from = START - 9.25 * DAY;
    expect(historyStart(START, MINUTE)).toBe(from);
    // 13,441 points a series: past Prometheus' 11,000 a query_range, so fetched in two requests.
    const split = from + 11_000 * MINUTE;
    expect(prom.received.map((r) => r.body)).toEqual([
      {
        query: 'link_bps',
        start: (from / 1000).toFixed(3),
        end: ((split - MINUTE) / 1000).toFixed(3),
        step: '60',
      },
      { query: 'link_bps', start: (split / 1000).toFixed(3), end: (END / 1000).toFixed(3), step: '60' },
    ]);
    expect(res.body.query).toEqual({
      expr: 'link_bps',
      start: START,
      end: END,
      stepMs: MINUTE,
      historyStart: from,
      fetchedSeries: 2,
      fetchedPoints: 2 * ((END - from) / MINUTE + 1),
    });
    expect(res.body.series.map((s: { labels: unknown }) => s.labels)).toEqual(SERIES.map((s) => s.labels));
    for (const s of res.body.series) {
      expect(s.timestamps[0]).toBe(START);
      expect(s.timestamps.at(-1)).toBe(END);
      expect(s.state).toBe('ok');
    }
    const [spiky, quiet] = res.body.series;
    expect(spiky.episodes.length).toBeGreaterThanOrEqual(1);
    expect(spiky.anomaly[60]).toBe(true);
    expect(quiet.anomaly.some(Boolean)).toBe(false);
  });

  test('unit is the unit of every series the expression returns, echoed in each; without it null', async () => {
    const app = appWith();
    const res = await request(app)
      .post('/api/v1/query')
      .send({ ...body, unit: 'bps' })
      .expect(200);
    expect(res.body.series.map((s: { unit: unknown }) => s.unit)).toEqual(['bps', 'bps']);
    const plain = await request(app).post('/api/v1/query').send(body).expect(200);
    expect(plain.body.series.map((s: { unit: unknown }) => s.unit)).toEqual([null, null]);
    const bad = await request(app)
      .post('/api/v1/query')
      .send({ ...body, unit: 'Bytes' })
      .expect(400);
    expect(bad.body.error.details).toEqual([
      { path: 'unit', message: expect.stringContaining('"Bytes" is not a Grafana unit id') },
    ]);
    // Two requests for each of the two queries scored; none for the refused one.
    expect(prom.received).toHaveLength(4);
  });

  test('the points returned are exactly what scoreSeries gives on the whole fetched range', async () => {
    const res = await request(appWith())
      .post('/api/v1/query')
      .send({ ...body, detector: 'robust' });
    const from = res.body.query.historyStart;
    const timestamps: number[] = [];
    for (let t = from; t <= END; t += MINUTE) timestamps.push(t);
    const values = timestamps.map((t) => Number(traffic(t / 1000, true)));
    const whole = scoreSeries({ labels: SERIES[0].labels, timestamps, values }, { detector: 'robust' });
    const k = timestamps.indexOf(START);
    const got = res.body.series[0];
    expect(got.score).toEqual(whole.score.slice(k));
    expect(got.expected).toEqual(whole.expected.slice(k));
    expect(got.values).toEqual(whole.values.slice(k));
    expect(got.episodes).toEqual(whole.episodes.filter((e) => e.open || e.end >= START));
    expect(got.model).toEqual(whole.model);
  });

  test('the series are cut to [start, end] where they are scored, not parsed back on the event loop', async () => {
    const executor = new FakeExecutor();
    const { app } = testApp({
      executor,
      prometheus: new PrometheusClient({ url: prom.url, timeoutMs: 5000 }),
    });
    const res = await request(app).post('/api/v1/query').send(body).expect(200);
    expect(executor.windows).toEqual([{ from: START, to: END }]);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    for (const s of res.body.series as { timestamps: number[] }[]) {
      expect(s.timestamps[0]).toBe(START);
      expect(s.timestamps.at(-1)).toBe(END);
    }
  });

  test('RFC 3339 times and millisecond steps are accepted; an empty result is an empty list', async () => {
    prom.handler = matrixHandler([]);
    const res = await request(appWith()).post('/api/v1/query').send({
      expr: 'absent_metric',
      start: '2025-01-13T12:00:00Z',
      end: '2025-01-13T13:00:00+00:00',
      step: 30_000,
    });
    expect(res.status).toBe(200);
    expect(res.body.series).toEqual([]);
    expect(res.body.query).toMatchObject({ start: START, end: START + 60 * MINUTE, stepMs: 30_000 });
  });

  test('503 naming the setting when no Prometheus is configured', async () => {
    const res = await request(testApp().app).post('/api/v1/query').send(body);
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('prometheus_not_configured');
    expect(res.body.error.message).toContain('TRAFFICLENS_PROMETHEUS_URL');
  });

  test.each([
    [{ ...body, expr: '' }, 'expr: expected a PromQL expression'],
    [{ ...body, end: START - 1 }, 'end: must not be before start'],
    [{ ...body, step: '1x' }, 'step: expected a step of at least 1s'],
    [{ ...body, step: 10 }, 'step: expected a step of at least 1s'],
    [{ ...body, start: 'yesterday' }, 'start: expected epoch milliseconds or an RFC 3339 time'],
    [{ ...body, url: 'http://169.254.169.254/' }, 'url: unknown field'],
    [{ ...body, sensitivity: 101 }, 'sensitivity'],
    [
      { ...body, start: 1e20, end: 1e20 + 1 },
      'start: expected a time from 1970-01-01 to 2200-01-01, got 100000000000000000000',
    ],
    [{ ...body, start: -1.79e308 }, 'start: expected a time from 1970-01-01 to 2200-01-01'],
    [{ ...body, end: 1.79e308 }, 'end: expected a time from 1970-01-01 to 2200-01-01'],
    [{ ...body, end: '9999-01-01T00:00:00Z' }, 'end: expected a time from 1970-01-01 to 2200-01-01'],
  ])('400 for %j', async (payload, message) => {
    const res = await request(appWith()).post('/api/v1/query').send(payload);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain(message);
    expect(prom.received).toHaveLength(0);
  });

  test('413 when the range has more points than a series may, or the expression returns too many series', async () => {
    const app = appWith({ env: { TRAFFICLENS_MAX_POINTS_PER_SERIES: '100', TRAFFICLENS_MAX_SERIES: '1' } });
    let res = await request(app).post('/api/v1/query').send(body);
    expect(res.status).toBe(413);
    expect(res.body.error.message).toContain('121 points per series; the limit is 100');
    res = await request(app)
      .post('/api/v1/query')
      .send({ ...body, end: START + 30 * MINUTE });
    expect(res.status).toBe(413);
    expect(res.body.error.message).toContain('the expression returned 2 series; the limit is 1');
  });
});

describe('POST /api/v1/query when Prometheus fails', () => {
  test('502 with the cause when Prometheus is down, and the service keeps answering', async () => {
    const app = appWith();
    await prom.stop();
    const res = await request(app).post('/api/v1/query').send(body);
    expect(res.status).toBe(502);
    expect(res.body.error.code).toBe('upstream_error');
    expect(res.body.error.message).toMatch(
      /Prometheus at http:\/\/127\.0\.0\.1:\d+ is unreachable.*ECONNREFUSED/,
    );
    expect((await request(app).get('/healthz')).status).toBe(200);
    prom = await new FakePrometheus().start();
  });

  test('504 when Prometheus does not answer in time', async () => {
    prom.handler = () => {};
    const res = await request(appWith({ timeoutMs: 200 }))
      .post('/api/v1/query')
      .send(body);
    expect(res.status).toBe(504);
    expect(res.body.error).toMatchObject({ code: 'upstream_timeout' });
    expect(res.body.error.message).toContain('within 200 ms');
  });

  test("400 with Prometheus' parse error for a bad expression", async () => {
    prom.handler = (_req, res) =>
      res
        .status(400)
        .json({ status: 'error', errorType: 'bad_data', error: '1:9: parse error: unclosed left brace' });
    const res = await request(appWith())
      .post('/api/v1/query')
      .send({ ...body, expr: 'link_bps{' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_query');
    expect(res.body.error.message).toContain('1:9: parse error: unclosed left brace');
  });

  test.each([
    [
      'a 5xx error envelope',
      503,
      '{"status":"error","errorType":"unavailable","error":"TSDB not ready"}',
      'TSDB not ready',
    ],
    ['a 401 from an auth proxy', 401, 'Unauthorized', 'answered HTTP 401: Unauthorized'],
    [
      'garbage with 200',
      200,
      '<html>maintenance</html>',
      'not a Prometheus API response: <html>maintenance</html>',
    ],
  ])('502 for %s, quoting it', async (_what, status, text, message) => {
    prom.handler = (_req, res) => res.status(status).type('text').send(text);
    const res = await request(appWith()).post('/api/v1/query').send(body);
    expect(res.status).toBe(502);
    expect(res.body.error.message).toContain(message);
  });
});
