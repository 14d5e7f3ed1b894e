/**
 * The client against a fake Prometheus: an Express app on a free loopback port that answers like
 * Prometheus does (or like the proxies and broken servers in front of one do).
 */
import request from 'supertest';
import { testApp } from '../../api/testApp.js';
import { loadConfig } from '../../config/index.js';
import { parseMatcher, type LabelMatcher } from '../source.js';
import { PrometheusClient } from './client.js';
import { PrometheusError } from './errors.js';
import { PrometheusSource } from './source.js';
import { FakePrometheus, matrixHandler } from './testing.js';

let prom: FakePrometheus;
beforeEach(async () => {
  prom = await new FakePrometheus().start();
});
afterEach(async () => {
  await prom.stop();
});

const client = (extra: Partial<ConstructorParameters<typeof PrometheusClient>[0]> = {}) =>
  new PrometheusClient({ url: prom.url, timeoutMs: 2000, ...extra });

async function failure(promise: Promise<unknown>): Promise<PrometheusError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof PrometheusError) return err;
    throw err;
  }
  throw new Error('expected a PrometheusError');
}

const T0 = Date.UTC(2025, 0, 13, 12); // epoch ms, a multiple of every step used here

describe('PrometheusClient.queryRange', () => {
  test('posts the expression and range as a form, keeps labels, turns seconds into ms and NaN into null', async () => {
    prom.handler = matrixHandler([
      {
        labels: { __name__: 'up', job: 'node', instance: 'a:9100' },
        f: (t) => (t % 120 === 0 ? 'NaN' : '1'),
      },
      { labels: { job: 'node', instance: 'b:9100' }, f: () => '2.5e3' },
    ]);
    const series = await client({ bearerToken: 'tok' }).queryRange('up{job="node"}', {
      start: T0,
      end: T0 + 180_000,
      step: 60_000,
    });
    expect(prom.received).toEqual([
      {
        path: '/api/v1/query_range',
        method: 'POST',
        body: {
          query: 'up{job="node"}',
          start: String(T0 / 1000) + '.000',
          end: String(T0 / 1000 + 180) + '.000',
          step: '60',
        },
        authorization: 'Bearer tok',
      },
    ]);
    expect(series).toEqual([
      {
        labels: { __name__: 'up', job: 'node', instance: 'a:9100' },
        timestamps: [T0, T0 + 60_000, T0 + 120_000, T0 + 180_000],
        values: [null, 1, null, 1],
      },
      {
        labels: { job: 'node', instance: 'b:9100' },
        timestamps: [T0, T0 + 60_000, T0 + 120_000, T0 + 180_000],
        values: [2500, 2500, 2500, 2500],
      },
    ]);
  });

  test("splits a long range at Prometheus' 11,000 points per series and joins each series' pieces", async () => {
    prom.handler = matrixHandler([
      { labels: { link: 'a' }, f: (t) => String(t) },
      { labels: { link: 'b' }, f: (t) => String(-t) },
    ]);
    const step = 15_000;
    const points = 25_000;
    const series = await client().queryRange('x', { start: T0, end: T0 + (points - 1) * step, step });
    const ranges = prom.received.map((r) => [
      (Number(r.body.start) * 1000 - T0) / step,
      (Number(r.body.end) * 1000 - T0) / step,
    ]);
    expect(ranges).toEqual([
      [0, 10_999],
      [11_000, 21_999],
      [22_000, 24_999],
    ]);
    expect(series.map((s) => s.labels)).toEqual([{ link: 'a' }, { link: 'b' }]);
    for (const s of series) {
      expect(s.timestamps).toHaveLength(points);
      expect(s.timestamps.every((t, i) => t === T0 + i * step)).toBe(true);
    }
    expect(series[0].values[24_999]).toBe((T0 + 24_999 * step) / 1000);
  });

  test('a smaller per-request limit splits accordingly; basic auth is sent', async () => {
    prom.handler = matrixHandler([{ labels: {}, f: () => '1' }]);
    const series = await client({
      maxPointsPerRequest: 3,
      basicAuth: { username: 'scorer', password: 'pw' },
    }).queryRange('vector(1)', { start: T0, end: T0 + 6000, step: 1000 });
    expect(prom.received).toHaveLength(3);
    expect(prom.received[0].authorization).toBe(`Basic ${Buffer.from('scorer:pw').toString('base64')}`);
    expect(series[0].timestamps).toHaveLength(7);
  });

  test('a base URL with a path prefix keeps it', async () => {
    prom.handler = (_req, res) => res.json({ status: 'success', data: ['job'] });
    await new PrometheusClient({ url: `${prom.url}/prometheus`, timeoutMs: 1000 }).labels();
    expect(prom.received[0].path).toBe('/prometheus/api/v1/labels');
  });
});

describe('PrometheusClient.series and labels', () => {
  test('series posts every selector as match[] and returns the label sets', async () => {
    prom.handler = (_req, res) =>
      res.json({ status: 'success', data: [{ __name__: 'up', job: 'node', instance: 'a' }] });
    const labels = await client().series(['up', 'node_load1'], { start: T0, end: T0 + 60_000 });
    expect(labels).toEqual([{ __name__: 'up', job: 'node', instance: 'a' }]);
    expect(prom.received[0]).toMatchObject({
      path: '/api/v1/series',
      body: { 'match[]': ['up', 'node_load1'], start: `${T0 / 1000}.000`, end: `${T0 / 1000 + 60}.000` },
    });
  });

  test('labels returns the names', async () => {
    prom.handler = (_req, res) => res.json({ status: 'success', data: ['__name__', 'instance', 'job'] });
    expect(await client().labels(['up'])).toEqual(['__name__', 'instance', 'job']);
    expect(prom.received[0]).toMatchObject({ path: '/api/v1/labels', body: { 'match[]': 'up' } });
  });
});

describe('PrometheusClient errors carry their kind and the upstream message', () => {
  const range = { start: T0, end: T0 + 60_000, step: 60_000 };

  test('a refused connection is unreachable, naming the URL and the cause', async () => {
    const url = prom.url;
    await prom.stop();
    const err = await failure(new PrometheusClient({ url, timeoutMs: 1000 }).queryRange('up', range));
    expect(err.kind).toBe('unreachable');
    expect(err.message).toContain(`Prometheus at ${url} is unreachable`);
    expect(err.message).toContain('ECONNREFUSED');
    prom = await new FakePrometheus().start(); // for afterEach
  });

  test('no answer within the timeout is a timeout', async () => {
    prom.handler = () => {}; // never answers
    const err = await failure(client({ timeoutMs: 200 }).queryRange('up', range));
    expect(err.kind).toBe('timeout');
    expect(err.message).toContain('did not answer /api/v1/query_range within 200 ms');
  });

  test('a body that stalls half-way is a timeout too', async () => {
    prom.handler = (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('{"status":"success","data":{"resultType":"matrix","result":[');
    };
    expect((await failure(client({ timeoutMs: 300 }).queryRange('up', range))).kind).toBe('timeout');
  });

  test("a bad expression is bad_query with Prometheus' parse error", async () => {
    prom.handler = (_req, res) =>
      res.status(400).json({
        status: 'error',
        errorType: 'bad_data',
        error: 'invalid parameter "query": 1:4: parse error: unexpected end of input',
      });
    const err = await failure(client().queryRange('up{', range));
    expect(err.kind).toBe('bad_query');
    expect(err.details).toMatchObject({ status: 400, errorType: 'bad_data' });
    expect(err.message).toBe(
      'Prometheus /api/v1/query_range answered 400 (bad_data): invalid parameter "query": 1:4: parse error: unexpected end of input',
    );
  });

  test.each([
    [422, 'execution', 'many-to-many matching not allowed'],
    [503, 'timeout', 'query timed out in expression evaluation'],
    [500, 'internal', 'something broke'],
  ])(
    'an error envelope with %d (%s) is an http error with the message',
    async (status, errorType, message) => {
      prom.handler = (_req, res) => res.status(status).json({ status: 'error', errorType, error: message });
      const err = await failure(client().queryRange('up', range));
      expect(err.kind).toBe('http');
      expect(err.message).toContain(message);
      expect(err.details.status).toBe(status);
    },
  );

  test("a proxy's HTML error page is an http error quoting its start", async () => {
    prom.handler = (_req, res) =>
      res.status(502).type('html').send('<html><body><h1>502 Bad Gateway</h1>\n<p>nginx</p></body></html>');
    const err = await failure(client().queryRange('up', range));
    expect(err.kind).toBe('http');
    expect(err.message).toBe(
      'Prometheus /api/v1/query_range answered HTTP 502: <html><body><h1>502 Bad Gateway</h1> <p>nginx</p></body></html>',
    );
  });

  test.each([
    ['not JSON', 'hello', 'not a Prometheus API response: hello'],
    ['truncated JSON', '{"status":"success","data":{"resultT', 'not a Prometheus API response'],
    ['another JSON', '{"ok":true}', 'not a Prometheus API response'],
    ['a vector', '{"status":"success","data":{"resultType":"vector","result":[]}}', 'expected "matrix"'],
    [
      'a bad pair',
      '{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,2]]}]}}',
      'values[0] is not a [seconds, "value"] pair',
    ],
    [
      'a bad value',
      '{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"x"]]}]}}',
      'values[0]',
    ],
    [
      'a non-string label',
      '{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"a":1},"values":[]}]}}',
      'metric.a is not a string',
    ],
  ])('a 200 with %s is bad_response', async (_what, body, message) => {
    prom.handler = (_req, res) => res.type('json').send(body);
    const err = await failure(client().queryRange('up', range));
    expect(err.kind).toBe('bad_response');
    expect(err.message).toContain(message);
  });

  test('an answer above the size cap is refused', async () => {
    prom.handler = matrixHandler([{ labels: { a: 'x'.repeat(100) }, f: () => '1' }]);
    const err = await failure(client({ maxResponseBytes: 50 }).queryRange('up', range));
    expect(err.kind).toBe('too_large');
    expect(err.message).toContain('more than 50 bytes');
  });

  test('a range whose answer is over the cap is fetched in smaller pieces until each fits', async () => {
    const many = Array.from({ length: 20 }, (_, i) => ({
      labels: { i: String(i) },
      f: (t: number) => String(t % 7),
    }));
    prom.handler = matrixHandler(many);
    const series = await client({ maxResponseBytes: 16 * 1024 }).queryRange('up', {
      start: T0,
      end: T0 + 99 * 60_000,
      step: 60_000,
    });
    // 100 steps of 20 series is ~50 KB: refused, then 25-step pieces (~12 KB) fit.
    expect(prom.received.map((r) => (Number(r.body.end) - Number(r.body.start)) / 60 + 1)).toEqual([
      100, 25, 25, 25, 25,
    ]);
    expect(series).toHaveLength(20);
    for (const s of series) {
      expect(s.timestamps).toEqual(Array.from({ length: 100 }, (_, k) => T0 + k * 60_000));
      expect(s.values).toEqual(s.timestamps.map((t) => (t / 1000) % 7));
    }
  });

  test('the cap is TRAFFICLENS_PROMETHEUS_MAX_RESPONSE_BYTES (default 64 MiB); a streamed answer is refused before it is all sent, with a 502 naming the cap', async () => {
    expect(loadConfig({ env: { TRAFFICLENS_PROMETHEUS_URL: prom.url } }).prometheus?.maxResponseBytes).toBe(
      64 * 1024 * 1024,
    );
    const config = loadConfig({
      env: { TRAFFICLENS_PROMETHEUS_URL: prom.url, TRAFFICLENS_PROMETHEUS_MAX_RESPONSE_BYTES: '65536' },
    });
    // 32 MB in 16 KB chunks, no Content-Length (chunked, as Prometheus streams a large answer), for
    // whatever range is asked: halving the range does not help, and one step over the cap is an error.
    const total = 32 * 1024 * 1024;
    const sent: number[] = [];
    const closed: Promise<void>[] = [];
    prom.handler = (_req, res) => {
      const n = sent.push(0) - 1;
      closed.push(new Promise<void>((resolve) => res.on('close', () => resolve())));
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[');
      const chunk = Buffer.from('[1736769600,"1"],'.repeat(1024));
      const pump = () => {
        while (sent[n] < total && !res.destroyed) {
          sent[n] += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
    };
    const { app } = testApp({ prometheus: new PrometheusClient(config.prometheus!) });
    const res = await request(app)
      .post('/api/v1/query')
      .send({ expr: 'up', start: T0, end: T0 + 60_000, step: '1m' });
    expect(res.status).toBe(502);
    expect(res.body.error.code).toBe('upstream_error');
    expect(res.body.error.message).toMatch(
      /answered more than 65536 bytes, the cap on one answer \(TRAFFICLENS_PROMETHEUS_MAX_RESPONSE_BYTES\); refused without reading the rest/,
    );
    await Promise.all(closed);
    // Smaller and smaller ranges (the query's history), down to one step: each answer abandoned
    // long before its end (what was sent sits in loopback socket buffers, ~4 MB).
    expect(sent.length).toBeGreaterThan(1);
    for (const bytes of sent) expect(bytes).toBeLessThan(total / 4);
  });

  test("the caller's abort is aborted, not a timeout", async () => {
    prom.handler = () => {};
    const controller = new AbortController();
    const pending = client().queryRange('up', { ...range, signal: controller.signal });
    setTimeout(() => controller.abort(new Error('job manager stopping')), 50);
    const err = await failure(pending);
    expect(err.kind).toBe('aborted');
    expect(err.message).toContain('job manager stopping');
  });
});

describe('PrometheusSource', () => {
  test('evaluates on multiples of the step and applies the job filters to the result', async () => {
    prom.handler = matrixHandler([
      { labels: { link: 'transit-1' }, f: () => '1' },
      { labels: { link: 'ix-1' }, f: () => '2' },
    ]);
    const source = new PrometheusSource(client(), 'rate(bytes[5m])');
    const matcher = parseMatcher('link=~"transit-.*"') as LabelMatcher;
    const series = await source.fetch({
      start: T0 + 1,
      end: T0 + 120_500,
      step: 60_000,
      matchers: [matcher],
    });
    expect(prom.received[0].body).toMatchObject({
      query: 'rate(bytes[5m])',
      start: `${T0 / 1000 + 60}.000`,
      end: (T0 / 1000 + 120.5).toFixed(3),
    });
    expect(series).toEqual([
      { labels: { link: 'transit-1' }, timestamps: [T0 + 60_000, T0 + 120_000], values: [1, 1] },
    ]);
  });

  test("keep: the series it refuses are left out before their samples are read, with the job's filters", async () => {
    // The refused series' samples are not even checked: a value that is not a number would fail the parse.
    prom.handler = (_req, res) =>
      res.json({
        status: 'success',
        data: {
          resultType: 'matrix',
          result: [
            { metric: { link: 'transit-1' }, values: [[T0 / 1000 + 60, '1']] },
            { metric: { link: 'transit-2' }, values: [[T0 / 1000 + 60, 'not a number']] },
            { metric: { link: 'ix-1' }, values: [[T0 / 1000 + 60, '3']] },
          ],
        },
      });
    const source = new PrometheusSource(client(), 'rate(bytes[5m])');
    const asked: string[] = [];
    const keep = (labels: Record<string, string>) => {
      asked.push(labels.link);
      return labels.link !== 'transit-2';
    };
    const range = { start: T0 + 60_000, end: T0 + 60_000, step: 60_000 };
    const matchers = [parseMatcher('link=~"transit-.*"') as LabelMatcher];
    expect(await source.fetch({ ...range, matchers, keep })).toEqual([
      { labels: { link: 'transit-1' }, timestamps: [T0 + 60_000], values: [1] },
    ]);
    // The job's filters first: keep is asked only about the series they let through.
    expect(asked).toEqual(['transit-1', 'transit-2']);
    expect(await source.fetch({ ...range, matchers: [], keep })).toEqual([
      { labels: { link: 'transit-1' }, timestamps: [T0 + 60_000], values: [1] },
      { labels: { link: 'ix-1' }, timestamps: [T0 + 60_000], values: [3] },
    ]);
    await expect(source.fetch({ ...range, matchers: [] })).rejects.toThrow(
      'result[1].values[0] is not a [seconds, "value"] pair',
    );
  });

  test('a range with no grid point asks nothing', async () => {
    const source = new PrometheusSource(client(), 'up');
    expect(await source.fetch({ start: T0 + 1, end: T0 + 59_999, step: 60_000, matchers: [] })).toEqual([]);
    expect(prom.received).toHaveLength(0);
  });
});
