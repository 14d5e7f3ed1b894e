import request from 'supertest';
import { ScoreResponse } from '../contract/score.js';
import { ScoringError } from './executor.js';
import { FakeExecutor } from './fakeExecutor.js';
import { ErrorResponse } from '../contract/api.js';
import { createHttpServer, listenOn } from './server.js';
import { testApp } from './testApp.js';

const T0 = 1_700_000_000_000;
const series = (n: number, labels: Record<string, string> = {}) => ({
  labels,
  timestamps: Array.from({ length: n }, (_, i) => T0 + i * 60_000),
  values: Array.from({ length: n }, (_, i) => 100 + 10 * Math.sin(i / 10) + (i === n - 5 ? 200 : 0)),
});

const post = (app: Parameters<typeof request>[0], body: unknown) =>
  request(app)
    .post('/api/v1/score')
    .send(body as object);

function errorOf(res: request.Response) {
  return ErrorResponse.parse(res.body).error;
}

describe('POST /api/v1/score', () => {
  test('returns one scored series per input series, in request order', async () => {
    const { app } = testApp();
    const res = await post(app, {
      series: [series(200, { host: 'a' }), series(50, { host: 'b' }), series(120, { host: 'c' })],
      detector: 'robust',
      sensitivity: 70,
      options: { causal: true },
    }).expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const body = ScoreResponse.parse(res.body);
    expect(body.series.map((s) => s.labels.host)).toEqual(['a', 'b', 'c']);
    expect(body.series.map((s) => s.timestamps.length)).toEqual([200, 50, 120]);
    expect(body.series[0].model.causal).toBe(true);
  });

  test('passes detector, sensitivity and options through to the executor', async () => {
    const executor = new FakeExecutor();
    const { app } = testApp({ executor });
    await post(app, {
      series: [series(5)],
      detector: 'kmeans',
      sensitivity: 10,
      options: { period: 'none' },
    }).expect(200);
    expect(executor.requests[0]).toMatchObject({
      detector: 'kmeans',
      sensitivity: 10,
      options: { period: 'none' },
    });
  });

  test("echoes each series' unit, null where none was given; a unit that is no Grafana id is a 400", async () => {
    const { app } = testApp();
    const res = await post(app, {
      series: [{ ...series(50), unit: 'Bps' }, series(50), { ...series(50), unit: 'percentunit' }],
    }).expect(200);
    expect(ScoreResponse.parse(res.body).series.map((s) => s.unit)).toEqual(['Bps', null, 'percentunit']);
    const bad = await post(app, { series: [series(5), { ...series(5), unit: 'Mbit/s' }] }).expect(400);
    expect(errorOf(bad).details).toEqual([
      { path: 'series[1].unit', message: expect.stringContaining('"Mbit/s" is not a Grafana unit id') },
    ]);
  });

  test('refuses unknown fields, inside a series as at the top level, naming them', async () => {
    const { app } = testApp();
    const inner = await post(app, { series: [series(5), { ...series(5), color: 'red' }] }).expect(400);
    expect(errorOf(inner).details).toEqual([{ path: 'series[1].color', message: 'unknown field' }]);
    const res = await post(app, { series: [series(5)], sensitivty: 50 }).expect(400);
    expect(errorOf(res).details).toEqual([{ path: 'sensitivty', message: 'unknown field' }]);
  });
});

describe('POST /api/v1/score validation', () => {
  test.each([
    ['no body fields', 'series', {}, /expected array/],
    ['series not an array', 'series', { series: 'x' }, /expected array/],
    ['empty series list', 'series', { series: [] }, />=1|at least 1|too small/i],
    [
      'values not an array',
      'series[0].values',
      { series: [{ timestamps: [1], values: 'x' }] },
      /expected array/,
    ],
    [
      'a string value',
      'series[1].values[1]',
      { series: [series(3), { timestamps: [1, 2], values: [1, '2'] }] },
      /expected number/,
    ],
    [
      'a string timestamp',
      'series[0].timestamps[0]',
      { series: [{ timestamps: ['1'], values: [1] }] },
      /expected number/,
    ],
    [
      'a null timestamp',
      'series[0].timestamps[0]',
      { series: [{ timestamps: [null], values: [1] }] },
      /expected number/,
    ],
    [
      'a non-string label',
      'series[0].labels.a',
      { series: [{ ...series(2), labels: { a: 1 } }] },
      /expected string/,
    ],
    ['an unknown detector', 'detector', { series: [series(2)], detector: 'magic' }, /auto/],
    ['sensitivity above 100', 'sensitivity', { series: [series(2)], sensitivity: 101 }, /100/],
    ['sensitivity as a string', 'sensitivity', { series: [series(2)], sensitivity: '50' }, /expected number/],
    [
      'an unknown option',
      'options.causall',
      { series: [series(2)], options: { causall: true } },
      /unknown field/,
    ],
    ['a fractional period', 'options.period', { series: [series(2)], options: { period: 2.5 } }, /./],
    [
      'a time zone that does not exist',
      'options.timezone',
      { series: [series(2)], options: { timezone: 'Europe/Atlantis' } },
      /IANA time zone such as Europe\/Berlin/,
    ],
    [
      'a timestamp of 1e20',
      'series[0].timestamps[1]',
      { series: [{ timestamps: [T0, 1e20], values: [1, 2] }] },
      /1970-01-01.*2200-01-01/,
    ],
    [
      'a timestamp of 1.79e308',
      'series[0].timestamps[0]',
      { series: [{ timestamps: [1.79e308, T0], values: [1, 2] }] },
      /2200-01-01/,
    ],
    [
      'a timestamp of -1.79e308',
      'series[0].timestamps[0]',
      { series: [{ timestamps: [-1.79e308, T0], values: [1, 2] }] },
      /1970-01-01/,
    ],
    [
      'a timestamp after 2200',
      'series[0].timestamps[0]',
      { series: [{ timestamps: [Date.UTC(2200, 0, 1, 0, 0, 0, 1)], values: [1] }] },
      /2200-01-01/,
    ],
    [
      'an unknown field in a series',
      'series[0].name',
      { series: [{ ...series(2), name: 'x' }] },
      /unknown field/,
    ],
    [
      'a label named __proto__',
      'series[0].labels.__proto__',
      JSON.parse('{"series":[{"labels":{"__proto__":"x"},"timestamps":[1],"values":[1]}]}') as object,
      /__proto__/,
    ],
  ])('%s is a 400 naming %s', async (_name, path, body, message) => {
    const { app } = testApp();
    const res = await post(app, body).expect(400);
    const error = errorOf(res);
    expect(error.code).toBe('invalid_request');
    expect(error.details[0].path).toBe(path);
    expect(error.details[0].message).toMatch(message);
    expect(error.message).toContain(`${path}: `);
  });

  test('the message names the field and the expected type, e.g. series[0].values: expected array', async () => {
    const { app } = testApp();
    const res = await post(app, { series: [{ timestamps: [1], values: 'x' }] }).expect(400);
    expect(errorOf(res).message).toMatch(/^invalid request body: series\[0\]\.values: .*expected array/);
  });

  test('mismatched timestamps and values lengths are a 400 naming the series index', async () => {
    const { app } = testApp();
    const res = await post(app, { series: [series(3), { timestamps: [1, 2, 3], values: [1, 2] }] }).expect(
      400,
    );
    const error = errorOf(res);
    expect(error.details).toEqual([
      { path: 'series[1]', message: 'timestamps has 3 points but values has 2; they must pair up' },
    ]);
    expect(error.message).toContain('series[1]');
  });

  test('a series full of wrong types yields a bounded list of details', async () => {
    const { app } = testApp();
    const res = await post(app, {
      series: [{ timestamps: Array(5000).fill('x'), values: Array(5000).fill('y') }],
    }).expect(400);
    const error = errorOf(res);
    expect(error.details.length).toBeLessThanOrEqual(20);
    expect(error.message).toMatch(/and \d+ more/);
  });

  test('malformed JSON is a 400', async () => {
    const { app } = testApp();
    const res = await request(app)
      .post('/api/v1/score')
      .set('Content-Type', 'application/json')
      .send('{"series": [')
      .expect(400);
    expect(errorOf(res).code).toBe('malformed_json');
  });

  test.each(['null', '"text"', '42', '[1,2]', ''])('a JSON body of %p is a 400', async (text) => {
    const { app } = testApp();
    const res = await request(app).post('/api/v1/score').set('Content-Type', 'application/json').send(text);
    expect(res.status).toBe(400);
    expect(errorOf(res).code).toMatch(/malformed_json|invalid_request/);
  });

  test('a body that is not application/json is a 415', async () => {
    const { app } = testApp();
    const res = await request(app)
      .post('/api/v1/score')
      .set('Content-Type', 'text/plain')
      .send('{}')
      .expect(415);
    expect(errorOf(res).message).toContain('application/json');
  });

  test('deeply nested JSON is a 4xx, not a crash', async () => {
    const { app } = testApp();
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    const res = await request(app)
      .post('/api/v1/score')
      .set('Content-Type', 'application/json')
      .send(`{"series":${deep}}`);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  });
});

describe('POST /api/v1/score limits', () => {
  test('a body above the byte limit is a 413 naming the limit', async () => {
    const { app } = testApp({ env: { TRAFFICLENS_MAX_BODY_BYTES: '2048' } });
    const res = await post(app, series(500)).expect(413);
    expect(errorOf(res)).toMatchObject({
      code: 'payload_too_large',
      message:
        'request body exceeds the limit of 2048 bytes (TRAFFICLENS_MAX_BODY_BYTES): Content-Length is 16191',
    });
  });

  test('more series than allowed is a 413 naming the limit', async () => {
    const { app } = testApp({ env: { TRAFFICLENS_MAX_SERIES: '3' } });
    const res = await post(app, { series: [series(2), series(2), series(2), series(2)] }).expect(413);
    expect(errorOf(res)).toMatchObject({ code: 'too_many_series', details: [{ path: 'series' }] });
    expect(errorOf(res).message).toContain('the limit is 3 series per request');
  });

  test('more points in a series than allowed is a 413 naming the series and the limit', async () => {
    const { app } = testApp({ env: { TRAFFICLENS_MAX_POINTS_PER_SERIES: '100' } });
    const res = await post(app, { series: [series(100), series(101)] }).expect(413);
    expect(errorOf(res)).toMatchObject({
      code: 'too_many_points',
      details: [{ path: 'series[1].timestamps' }],
    });
    expect(errorOf(res).message).toContain(
      'series[1].timestamps has 101 points; the limit is 100 points per series',
    );
  });

  test('the limits are checked before validation, so an oversized invalid body is still a 413', async () => {
    const { app } = testApp({ env: { TRAFFICLENS_MAX_POINTS_PER_SERIES: '10' } });
    await post(app, { series: [{ timestamps: Array(11).fill('x'), values: [] }] }).expect(413);
  });

  test('the default limits are 20 MB, 200,000 points per series and 1,000 series', async () => {
    const { config } = testApp();
    expect(config.limits).toEqual({
      maxBodyBytes: 20 * 1024 * 1024,
      maxPointsPerSeries: 200_000,
      maxSeriesPerRequest: 1_000,
    });
  });
});

describe('POST /api/v1/score off the event loop', () => {
  test('the route hands the body to the executor as the bytes sent: parsed, validated and scored where the executor runs', async () => {
    const received: Uint8Array[] = [];
    const executor = new FakeExecutor();
    const scoreBody = executor.scoreBody.bind(executor);
    executor.scoreBody = async (body, options) => {
      received.push(new Uint8Array(body));
      return scoreBody(body, options);
    };
    const { app } = testApp({ executor });
    const text = JSON.stringify({ series: [series(20, { host: 'a' })] });
    const res = await request(app)
      .post('/api/v1/score')
      .set('Content-Type', 'application/json')
      .send(text)
      .expect(200);
    expect(Buffer.from(received[0]).toString('utf8')).toBe(text);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(ScoreResponse.parse(res.body).series[0].labels).toEqual({ host: 'a' });
  });

  // The bytes-to-executor path and express.json's (taken for any other Content-Type) answer alike.
  test.each([
    ['empty', ''],
    ['not JSON', '{"series": ['],
    ['a string', '"text"'],
    ['whitespace, then a number', ' \n 42'],
    ['a UTF-8 BOM, then a valid body', '\ufeff{"series":[]}'],
    ['unpaired points', JSON.stringify({ series: [{ timestamps: [1, 2], values: [1] }] })],
    ['an unknown field', JSON.stringify({ series: [series(3)], extra: 1 })],
    ['a __proto__ label', '{"series":[{"labels":{"__proto__":"x"},"timestamps":[1,2,3],"values":[1,2,3]}]}'],
    ['too many series', JSON.stringify({ series: Array.from({ length: 3 }, () => series(3)) })],
    ['too many points', JSON.stringify({ series: [series(30)] })],
    ['an unknown model', JSON.stringify({ series: [series(3)], model: 'nope' })],
  ])('a body with %s gets the same answer as through express.json', async (_name, text) => {
    const { app } = testApp({
      env: { TRAFFICLENS_MAX_SERIES: '2', TRAFFICLENS_MAX_POINTS_PER_SERIES: '20' },
    });
    const answer = async (type: string) => {
      const res = await request(app).post('/api/v1/score').set('Content-Type', type).send(text);
      const { requestId: _id, ...error } = (res.body as { error?: { requestId?: string } }).error ?? {};
      return { status: res.status, body: res.body.error ? error : res.body };
    };
    const raw = await answer('application/json');
    expect(raw).toEqual(await answer('application/json; charset=utf-8; profile=x'));
    expect(raw.status).toBeGreaterThanOrEqual(200);
  });
});

describe('POST /api/v1/score scoring failures', () => {
  test('an engine failure is a 500 naming the series, and is counted', async () => {
    const executor = new FakeExecutor().setError(
      new ScoringError('engine', 'scoring series[2] failed: boom', 2),
    );
    const { app } = testApp({ executor });
    const res = await post(app, { series: [series(3)] }).expect(500);
    expect(errorOf(res)).toMatchObject({
      code: 'scoring_failed',
      message: 'scoring series[2] failed: boom',
      details: [{ path: 'series[2]' }],
    });
    const text = (await request(app).get('/metrics')).text;
    expect(text).toContain('trafficlens_api_scoring_errors_total{detector="auto",kind="engine"} 1');
  });

  test('an engine refusal of the input is a 400 naming the series', async () => {
    const executor = new FakeExecutor().setError(new ScoringError('input', 'series[0]: not scorable', 0));
    const { app } = testApp({ executor });
    const res = await post(app, { series: [series(3)] }).expect(400);
    expect(errorOf(res)).toMatchObject({ code: 'invalid_series', details: [{ path: 'series[0]' }] });
  });

  test('a full scoring queue is a 503 with Retry-After', async () => {
    const executor = new FakeExecutor().setError(
      new ScoringError('overloaded', 'scoring queue is full; retry later'),
    );
    const { app } = testApp({ executor });
    const res = await post(app, { series: [series(3)] }).expect(503);
    expect(res.headers['retry-after']).toBe('1');
    expect(errorOf(res).code).toBe('overloaded');
  });

  test('a scoring timeout is a 503', async () => {
    const executor = new FakeExecutor().setError(
      new ScoringError('timeout', 'scoring took longer than 10 ms'),
    );
    const { app } = testApp({ executor });
    expect(errorOf(await post(app, { series: [series(3)] }).expect(503)).code).toBe('scoring_timeout');
  });

  test('an unexpected error is a 500 that does not leak its message', async () => {
    const executor = new FakeExecutor(() => {
      throw new Error('secret internals');
    });
    executor.score = async () => {
      throw new TypeError('secret internals');
    };
    const { app } = testApp({ executor });
    const res = await post(app, { series: [series(3)] }).expect(500);
    expect(errorOf(res)).toMatchObject({ code: 'internal_error', message: 'internal error' });
  });

  test('the executor gets a signal that aborts when the client goes away', async () => {
    const executor = new FakeExecutor().hold();
    const { app } = testApp({ executor });
    const server = createHttpServer(app);
    const url = await listenOn(server, { host: '127.0.0.1', port: 0 });
    try {
      const controller = new AbortController();
      const pending = fetch(`${url}/api/v1/score`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ series: [series(3)] }),
        signal: controller.signal,
      }).catch(() => 'aborted');
      await executor.called();
      const signal = executor.signals[0]!;
      expect(signal.aborted).toBe(false);
      controller.abort();
      expect(await pending).toBe('aborted');
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
      expect(signal.aborted).toBe(true);
      executor.release();
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
