/**
 * POST /api/v1/models with a PromQL source, against a fake Prometheus on a loopback port: what is
 * fetched, what the model records, a retrain from the recorded source, and every refusal with the
 * status POST /api/v1/query gives for the same failure.
 */
import { openTestModels } from '../api/testing/models.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { testApp } from '../api/testApp.js';
import { PrometheusClient } from '../sources/prometheus/index.js';
import { FakePrometheus, matrixHandler } from '../sources/prometheus/testing.js';
import type { Models } from '../api/models.js';

const MINUTE = 60_000;
const NOW = Date.UTC(2025, 0, 13, 12, 0, 30);
const END = Date.UTC(2025, 0, 13, 12); // NOW on the 1m grid
const wave = (tSec: number) => String(100 + 10 * Math.sin(tSec / 600));
const ONE = [{ labels: { __name__: 'link_bps', link: 'transit-1' }, f: wave }];
const TWO = [...ONE, { labels: { __name__: 'link_bps', link: 'ix-1' }, f: wave }];

let dir = '';
let prom: FakePrometheus;
let models: Models;
let now = NOW;

async function open(opts: { prometheus?: boolean; timeoutMs?: number; maxPoints?: number } = {}) {
  models = await openTestModels(dir, {
    limits: { maxPointsPerSeries: opts.maxPoints ?? 10_000 },
    prometheus:
      opts.prometheus === false
        ? null
        : new PrometheusClient({ url: prom.url, timeoutMs: opts.timeoutMs ?? 5000 }),
    now: () => now,
  });
  return testApp({ models: models.mount }).app;
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tl-source-'));
  prom = await new FakePrometheus().start();
  prom.handler = matrixHandler(ONE);
  now = NOW;
});
afterEach(async () => {
  await models.close();
  await prom.stop();
  await rm(dir, { recursive: true, force: true });
});

const lstm = { detector: 'lstm', options: { epochs: 1, window: 8 } };

describe('training from a PromQL source', () => {
  test('a window is fetched up to the last step before now; the model records the source and trains on it', async () => {
    const app = await open();
    const res = await request(app)
      .post('/api/v1/models')
      .send({
        id: 'transit',
        ...lstm,
        source: { type: 'prometheus', expr: 'link_bps{link="transit-1"}', window: '4h', step: '1m' },
      })
      .expect(202);
    expect(res.body).toMatchObject({ id: 'transit', version: 1 });
    expect(prom.received.map((r) => r.body)).toEqual([
      {
        query: 'link_bps{link="transit-1"}',
        start: ((END - 240 * MINUTE) / 1000).toFixed(3),
        end: (END / 1000).toFixed(3),
        step: '60',
      },
    ]);
    await models.registry.settled('transit');
    const got = (await request(app).get('/api/v1/models/transit').expect(200)).body;
    expect(got.state).toBe('ready');
    expect(got.metadata.source).toEqual({
      type: 'prometheus',
      expr: 'link_bps{link="transit-1"}',
      start: END - 240 * MINUTE,
      end: END,
      stepMs: MINUTE,
      windowMs: 240 * MINUTE,
      labels: ONE[0].labels,
    });
    expect(got.metadata.training).toMatchObject({ from: END - 240 * MINUTE, to: END, points: 241 });
  }, 30_000);

  test('start and end (RFC 3339 or ms) give a fixed range; the id alone retrains from the recorded source', async () => {
    const app = await open();
    const start = END - 300 * MINUTE;
    await request(app)
      .post('/api/v1/models')
      .send({
        id: 'fixed',
        ...lstm,
        source: {
          type: 'prometheus',
          expr: 'link_bps',
          start: '2025-01-13T07:00:00Z',
          end: END,
          step: 60_000,
        },
      })
      .expect(202);
    await models.registry.settled('fixed');
    expect((await request(app).get('/api/v1/models/fixed')).body.metadata.source).toMatchObject({
      start,
      end: END,
      windowMs: null,
    });
    now = NOW + 60 * MINUTE;
    const again = await request(app)
      .post('/api/v1/models')
      .send({ id: 'fixed', detector: 'lstm' })
      .expect(202);
    expect(again.body.version).toBe(2);
    await models.registry.settled('fixed');
    // A fixed range is fetched as it was; the window case moves with the clock (next test).
    expect(prom.received[1].body).toEqual(prom.received[0].body);
    expect((await request(app).get('/api/v1/models/fixed')).body).toMatchObject({
      version: 2,
      versions: [1, 2],
    });
  }, 30_000);

  test('a retrain of a windowed model fetches the window before its own time and trains the next version', async () => {
    const app = await open();
    const source = { type: 'prometheus', expr: 'link_bps', window: '3h', step: '1m' };
    await request(app)
      .post('/api/v1/models')
      .send({ id: 'w', ...lstm, source })
      .expect(202);
    await models.registry.settled('w');
    now = NOW + 30 * MINUTE;
    await request(app)
      .post('/api/v1/models')
      .send({ id: 'w', detector: 'lstm', options: lstm.options })
      .expect(202);
    await models.registry.settled('w');
    const got = (await request(app).get('/api/v1/models/w')).body;
    expect(got.version).toBe(2);
    expect(got.metadata.source).toMatchObject({
      start: END + 30 * MINUTE - 180 * MINUTE,
      end: END + 30 * MINUTE,
    });
  }, 30_000);
});

describe('training from a PromQL source: refusals', () => {
  const source = { type: 'prometheus', expr: 'link_bps', window: '4h', step: '1m' };

  test('400 naming the count when the expression returns two series, or none', async () => {
    prom.handler = matrixHandler(TWO);
    const app = await open();
    const res = await request(app)
      .post('/api/v1/models')
      .send({ ...lstm, source })
      .expect(400);
    expect(res.body.error.message).toBe(
      'source.expr returned 2 series ({__name__="link_bps",link="transit-1"}, {__name__="link_bps",link="ix-1"}); a model is trained on exactly one: narrow the expression with label matchers or aggregate it (sum, avg)',
    );
    expect(res.body.error.details).toEqual([
      { path: 'source.expr', message: 'returned 2 series, expected 1' },
    ]);
    prom.handler = matrixHandler([]);
    const none = await request(app)
      .post('/api/v1/models')
      .send({ ...lstm, source })
      .expect(400);
    expect(none.body.error.message).toContain('returned no series in the range');
    expect((await request(app).get('/api/v1/models')).body.models).toEqual([]);
  });

  test("400 with Prometheus' parse error for a bad expression", async () => {
    prom.handler = (_req, res) =>
      res
        .status(400)
        .json({ status: 'error', errorType: 'bad_data', error: '1:9: parse error: unclosed left brace' });
    const res = await request(await open())
      .post('/api/v1/models')
      .send({ ...lstm, source: { ...source, expr: 'link_bps{' } })
      .expect(400);
    expect(res.body.error.code).toBe('invalid_query');
    expect(res.body.error.message).toContain('1:9: parse error: unclosed left brace');
    expect(res.body.error.details).toEqual([
      { path: 'source.expr', message: '1:9: parse error: unclosed left brace' },
    ]);
  });

  test('502 when Prometheus is down, 504 when it is too slow, 503 when none is configured', async () => {
    let app = await open({ timeoutMs: 200 });
    prom.handler = () => {};
    const slow = await request(app)
      .post('/api/v1/models')
      .send({ ...lstm, source })
      .expect(504);
    expect(slow.body.error).toMatchObject({ code: 'upstream_timeout' });
    expect(slow.body.error.message).toContain('within 200 ms');
    await prom.stop();
    const down = await request(app)
      .post('/api/v1/models')
      .send({ ...lstm, source })
      .expect(502);
    expect(down.body.error.message).toMatch(
      /Prometheus at http:\/\/127\.0\.0\.1:\d+ is unreachable.*ECONNREFUSED/,
    );
    prom = await new FakePrometheus().start();
    await models.close();
    app = await open({ prometheus: false });
    const none = await request(app)
      .post('/api/v1/models')
      .send({ ...lstm, source })
      .expect(503);
    expect(none.body.error.code).toBe('prometheus_not_configured');
    expect(none.body.error.message).toContain('TRAFFICLENS_PROMETHEUS_URL');
  });

  test('413 when the range has more points than a series may', async () => {
    const res = await request(await open({ maxPoints: 100 }))
      .post('/api/v1/models')
      .send({ ...lstm, source })
      .expect(413);
    expect(res.body.error.message).toContain('241 points; the limit is 100 points per series');
    expect(prom.received).toHaveLength(0);
  });

  test.each([
    [
      { series: { timestamps: [1], values: [1] }, source },
      'source',
      'give either series or source, not both',
    ],
    [{}, 'series', 'give series (inline data), source (a PromQL query), or the id'],
    [{ source: { ...source, start: END } }, 'source.start', 'give either window or start and end, not both'],
    [
      { source: { type: 'prometheus', expr: 'x', start: END, step: '1m' } },
      'source.end',
      'give start and end, or a window',
    ],
    [
      { source: { type: 'prometheus', expr: 'x', start: END, end: END, step: '1m' } },
      'source.end',
      'must be after start',
    ],
    [
      { source: { ...source, window: 'a week' } },
      'source.window',
      'expected a duration such as 6h, 3d or 1w',
    ],
    [{ source: { ...source, step: '1x' } }, 'source.step', 'expected a step of at least 1s'],
    [{ source: { ...source, expr: ' ' } }, 'source.expr', 'expected a PromQL expression'],
    [{ source: { ...source, url: 'http://169.254.169.254/' } }, 'source.url', 'unknown field'],
  ])('400 for %j, naming the field', async (body, path, message) => {
    const res = await request(await open())
      .post('/api/v1/models')
      .send({ detector: 'lstm', ...body })
      .expect(400);
    expect(res.body.error.details).toContainEqual({ path, message: expect.stringContaining(message) });
    expect(prom.received).toHaveLength(0);
  });

  test('the id alone: 404 for an unknown model, 400 for one trained from inline data', async () => {
    const app = await open();
    await request(app).post('/api/v1/models').send({ id: 'nope', detector: 'lstm' }).expect(404);
    const t0 = END - 200 * MINUTE;
    const timestamps = Array.from({ length: 200 }, (_, i) => t0 + i * MINUTE);
    await request(app)
      .post('/api/v1/models')
      .send({
        id: 'inline',
        ...lstm,
        series: { timestamps, values: timestamps.map((t) => Number(wave(t / 1000))) },
      })
      .expect(202);
    await models.registry.settled('inline');
    const res = await request(app)
      .post('/api/v1/models')
      .send({ id: 'inline', detector: 'lstm' })
      .expect(400);
    expect(res.body.error.message).toBe(
      'model inline was trained from inline data, so there is no source to fetch again: give series or source',
    );
    expect((await request(app).get('/api/v1/models/inline')).body.metadata.source).toBeNull();
  }, 30_000);

  test("the id alone: 409 for a continuous job's model, which the job retrains; nothing is fetched or trained", async () => {
    const app = await open();
    const t0 = END - 200 * MINUTE;
    const timestamps = Array.from({ length: 200 }, (_, i) => t0 + i * MINUTE);
    // What a job's training queue asks for: the fit window of one series, recorded as a job source.
    models.registry.startTraining({
      id: 'edge.lstm.transit-1-0123456789ab',
      detector: 'lstm',
      series: { timestamps, values: timestamps.map((t) => Number(wave(t / 1000))) },
      options: { epochs: 1, window: 8 },
      source: {
        type: 'job',
        job: 'edge',
        labels: { link: 'transit-1' },
        start: t0,
        end: timestamps[199],
        stepMs: MINUTE,
        fitWindowMs: 200 * MINUTE,
      },
    });
    await models.registry.settled('edge.lstm.transit-1-0123456789ab');
    const res = await request(app)
      .post('/api/v1/models')
      .send({ id: 'edge.lstm.transit-1-0123456789ab', detector: 'lstm' })
      .expect(409);
    expect(res.body.error).toMatchObject({
      code: 'conflict',
      message:
        'model edge.lstm.transit-1-0123456789ab belongs to the continuous job edge, which retrains it every fit_every; give series or source to train it here',
    });
    expect(prom.received).toHaveLength(0);
    const model = (await request(app).get('/api/v1/models/edge.lstm.transit-1-0123456789ab')).body;
    expect(model).toMatchObject({ state: 'ready', version: 1, versions: [1] });
    expect(model.metadata.source).toMatchObject({ type: 'job', job: 'edge' });
  }, 30_000);
});
