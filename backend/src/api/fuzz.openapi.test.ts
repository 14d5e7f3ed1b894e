/**
 * The whole HTTP surface under hostile requests, driven by the committed OpenAPI document: for every
 * operation it lists, requests built from its parameters and body schema and then damaged (weird
 * values, unknown and `__proto__` keys, broken JSON, wrong or lying Content-Type and Content-Encoding,
 * broken percent-escapes, regexes that backtrack exponentially, foreign Host headers), plus every
 * undocumented method on every path. Over 1,000 requests: none may be answered with a 5xx or take
 * seconds, every error must have the error shape, and afterwards the service must answer exactly as
 * before. The real engine scores (inline); Prometheus is a fake on loopback; training always fails
 * at once (fullTestApp), so no request costs more than a small scoring run.
 *
 * Two runs share the requests: one without a token (the default install), one with
 * TRAFFICLENS_API_TOKEN set. In the second, most requests carry the right token (in the spellings
 * the scheme allows), so they reach validation and must never be a 401; the rest carry a wrong or no
 * token and must be a 401 on every secured route (the open ones answer as without a token).
 */
import { maxHeaderSize, type Server } from 'node:http';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import request from 'supertest';
import { PrometheusClient } from '../sources/prometheus/index.js';
import { FakePrometheus, matrixHandler } from '../sources/prometheus/testing.js';
import { FULL_APP_T0, fullTestApp } from './fullTestApp.js';
import {
  damaged,
  fromSchema,
  loadOpenApi,
  operationsOf,
  pathParam,
  queryString,
  rawBodies,
  toJson,
  type Operation,
  type OperationRef,
} from './testing/openapiFuzz.js';
import { ErrorResponse } from '../contract/api.js';
import { listen } from './server.js';

/**
 * Per operation and run; with the undocumented-method tests, 15 operations make ~1,200 requests over
 * both runs (660 without a token, 540 with one).
 */
const RUNS_PER_OPERATION = { open: 40, token: 32 } as const;
const RUNS_WRONG_METHOD = 60;
/** Configured in the token run: 16 characters at least (config). */
const TOKEN = 'fuzz-token-0123456789abcdef';
/** A single answer slower than this means something ran away (a backtracking regex took minutes). */
const SLOW_MS = 5_000;

const doc = loadOpenApi();
const operations = operationsOf(doc);

interface HostileRequest {
  method: string;
  path: string;
  query: string;
  contentType: string | undefined;
  encoding: 'gzip' | 'deflate' | 'br' | 'gzip-header-only' | 'br-header-only' | 'zstd' | undefined;
  host: string | undefined;
  authorization: string | undefined;
  body: { json: unknown } | { raw: string } | undefined;
}

type Mode = keyof typeof RUNS_PER_OPERATION;

const T0 = FULL_APP_T0;
const MINUTE = 60_000;
const validScore = {
  series: [
    {
      labels: { link: 'transit-1' },
      timestamps: Array.from({ length: 40 }, (_, i) => T0 + i * MINUTE),
      values: Array.from({ length: 40 }, (_, i) => 100 + (i % 5) + (i === 30 ? 90 : 0)),
    },
  ],
  detector: 'robust',
};
const validQuery = { expr: 'rate(x[5m])', start: T0, end: T0 + 30 * MINUTE, step: '1m' };
const validTraining = {
  id: 'fuzz-model',
  detector: 'lstm',
  series: { timestamps: validScore.series[0].timestamps, values: validScore.series[0].values },
};
const VALID_BODIES: Record<string, unknown> = {
  scoreSeries: validScore,
  scoreQuery: validQuery,
  trainModel: validTraining,
  forecastSeries: { series: validScore.series, horizon: '10m', capacity: 500 },
};

const contentTypes = fc.constantFrom(
  'application/json',
  'application/json',
  'application/json',
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=latin1',
  'application/json; charset=utf-16',
  'text/plain',
  'application/x-www-form-urlencoded',
  undefined,
);
const encodings = fc.constantFrom<HostileRequest['encoding']>(
  undefined,
  undefined,
  undefined,
  undefined,
  undefined,
  'gzip',
  'deflate',
  'br',
  'gzip-header-only',
  'br-header-only',
  'zstd',
);
const hosts = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom(undefined, 'localhost', '[::1]:1') },
  { weight: 1, arbitrary: fc.constantFrom('rebind.evil.example', 'localhost.evil.example:8686', '') },
);
const wrongAuthorizations = fc.constantFrom(
  undefined,
  'Bearer x',
  'Basic Og==',
  'Bearer ' + 'a'.repeat(5000),
  `Bearer ${TOKEN}x`,
  `Bearer ${TOKEN.slice(0, -1)}`,
  `Bearer ${TOKEN.toUpperCase()}`,
  `Bearer ${TOKEN} ${TOKEN}`,
  `Bearer${TOKEN}`,
  TOKEN,
  `Basic ${Buffer.from(`user:${TOKEN}`).toString('base64')}`,
  'Bearer ',
);
/** The spellings of the right token the scheme accepts (case-insensitive scheme, spaces). */
const rightAuthorizations = fc.constantFrom(`Bearer ${TOKEN}`, `bearer ${TOKEN}`, `Bearer   ${TOKEN}`);
const authorizations: Record<Mode, fc.Arbitrary<string | undefined>> = {
  // Without a token configured, whatever is sent is ignored.
  open: fc.oneof(
    { weight: 3, arbitrary: fc.constant(undefined) },
    { weight: 3, arbitrary: wrongAuthorizations },
  ),
  token: fc.oneof(
    { weight: 3, arbitrary: rightAuthorizations },
    { weight: 1, arbitrary: wrongAuthorizations },
  ),
};
/** Scheme case-insensitive, the token itself exact (auth.ts). */
const isRightToken = (authorization: string | undefined) =>
  /^bearer +(\S+)$/i.exec(authorization ?? '')?.[1] === TOKEN;
/**
 * What the app refuses before auth (hosts.ts) is a Host that is not a loopback name; these pass (an
 * empty one is not set by send(), so supertest sends 127.0.0.1:<port>).
 */
const ALLOWED_HOSTS = new Set([undefined, '', 'localhost', '[::1]:1']);

function bodyFor(op: Operation): fc.Arbitrary<HostileRequest['body']> {
  const schema = op.requestBody?.content['application/json'].schema;
  const valid = VALID_BODIES[op.operationId];
  if (!schema) {
    // A body where none is expected: ignored or refused, never a crash.
    return fc.option(
      fc.oneof(
        rawBodies.map((raw) => ({ raw })),
        fc.jsonValue().map((json) => ({ json })),
      ),
      {
        freq: 5,
        nil: undefined,
      },
    );
  }
  return fc.oneof(
    { weight: 6, arbitrary: damaged(fromSchema(schema, doc)).map((json) => ({ json })) },
    // Damage to a request that works reaches past the first check: deeper validation, the engine.
    { weight: valid ? 4 : 0, arbitrary: damaged(fc.constant(valid as never)).map((json) => ({ json })) },
    { weight: 2, arbitrary: rawBodies.map((raw) => ({ raw })) },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
}

function requestsFor({ method, path, op }: OperationRef, mode: Mode): fc.Arbitrary<HostileRequest> {
  const params = (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name);
  const pathArb = fc
    .tuple(...params.map(() => pathParam(['edge', 'fuzz-model', 'nope'])))
    .map((values) => params.reduce((p, name, i) => p.replace(`{${name}}`, values[i]), path));
  return fc.record({
    method: fc.constant(method),
    path: pathArb,
    query: queryString(op),
    contentType: contentTypes,
    encoding: encodings,
    host: hosts,
    authorization: authorizations[mode],
    body: bodyFor(op),
  });
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
const wrongMethods = (mode: Mode): fc.Arbitrary<HostileRequest> =>
  fc
    .constantFrom(
      ...Object.entries(doc.paths).flatMap(([path, item]) =>
        METHODS.filter((m) => !(m in item)).map((method) => ({
          method,
          path: path.replace(/\{\w+\}/g, 'edge'),
        })),
      ),
    )
    .chain(({ method, path }) =>
      fc.record({
        method: fc.constant(method),
        path: fc.constant(path),
        query: fc.constant(''),
        contentType: contentTypes,
        encoding: fc.constant(undefined),
        host: fc.constant(undefined),
        authorization: mode === 'open' ? fc.constant(undefined) : authorizations.token,
        body: fc.option(
          rawBodies.map((raw) => ({ raw })),
          { nil: undefined },
        ),
      }),
    );

function bytesOf(r: HostileRequest): Buffer | undefined {
  if (!r.body) return undefined;
  const text = 'json' in r.body ? toJson(r.body.json) : r.body.raw;
  const plain = Buffer.from(text);
  switch (r.encoding) {
    case 'gzip':
      return gzipSync(plain);
    case 'deflate':
      return deflateSync(plain);
    case 'br':
      return brotliCompressSync(plain);
    default:
      return plain;
  }
}

/** Requests sent, over both runs. */
const sentInAll = { total: 0 };

/**
 * Whether a request must be refused for its token: a token is configured, the route needs it
 * (everything under /api/, and /metrics: TRAFFICLENS_METRICS_AUTH defaults to true), the Host check
 * (before auth) lets it through, and it does not carry the right token.
 */
function mustBeUnauthorized(mode: Mode, r: HostileRequest): boolean {
  if (mode === 'open' || !ALLOWED_HOSTS.has(r.host)) return false;
  const secured = r.path.startsWith('/api/') || r.path === '/metrics';
  return secured && !isRightToken(r.authorization);
}

function fuzzRun(mode: Mode): void {
  const runs = RUNS_PER_OPERATION[mode];
  const auth = mode === 'token' ? `Bearer ${TOKEN}` : undefined;
  let server: Server;
  let baseUrl = '';
  let prom: FakePrometheus;
  let full: Awaited<ReturnType<typeof fullTestApp>>;
  let before: { score: unknown; series: unknown };
  const sent = new Map<string, number>();
  const statuses = new Map<number, number>();
  let slowest = { ms: 0, what: '' };

  /** Bytes of the request line and of the headers this test sets. */
  const headBytes = (r: HostileRequest): number =>
    [`${r.method} ${r.path}${r.query} HTTP/1.1`, r.contentType, r.encoding, r.host, r.authorization]
      .map((v) => Buffer.byteLength(v ?? ''))
      .reduce((a, b) => a + b, 0);

  async function send(r: HostileRequest): Promise<request.Response> {
    const url = r.path + r.query;
    let req = request(baseUrl)[r.method as (typeof METHODS)[number]](url);
    if (r.contentType) req = req.set('Content-Type', r.contentType);
    if (r.encoding) req = req.set('Content-Encoding', r.encoding.replace('-header-only', ''));
    if (r.host) req = req.set('Host', r.host);
    if (r.authorization) req = req.set('Authorization', r.authorization);
    const bytes = bytesOf(r);
    // Raw bytes as given (superagent would JSON-encode a Buffer sent as application/json).
    if (bytes) req = req.serialize(((x: Buffer) => x) as unknown as (body: unknown) => string).send(bytes);
    return req.ok(() => true);
  }

  async function check(r: HostileRequest, key: string): Promise<void> {
    const started = performance.now();
    const res = await send(r);
    const ms = performance.now() - started;
    sent.set(key, (sent.get(key) ?? 0) + 1);
    sentInAll.total++;
    statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    const what = `${r.method.toUpperCase()} ${(r.path + r.query).slice(0, 300)} (authorization ${JSON.stringify(r.authorization?.slice(0, 60))})`;
    if (ms > slowest.ms) slowest = { ms, what };
    if (res.status >= 500) {
      throw new Error(`${what} (encoding ${r.encoding}) → ${res.status}: ${res.text.slice(0, 500)}`);
    }
    if (ms > SLOW_MS) throw new Error(`${what} took ${Math.round(ms)} ms`);
    if (res.status >= 400 && /json/.test(String(res.headers['content-type']))) {
      const parsed = ErrorResponse.safeParse(res.body);
      if (!parsed.success)
        throw new Error(`${what} → ${res.status} without the error shape: ${res.text.slice(0, 300)}`);
    }
    if (res.status === 431) {
      // Node refuses a request head over its limit before any route or auth sees it: right for a long
      // URL or token, wrong for anything smaller (supertest adds ~200 bytes of its own headers).
      if (headBytes(r) <= maxHeaderSize - 512)
        throw new Error(`${what} → 431 with a request head of only ${headBytes(r)} bytes`);
    } else if (mustBeUnauthorized(mode, r)) {
      if (res.status !== 401 || !/^Bearer /.test(String(res.headers['www-authenticate'])))
        throw new Error(`${what} → ${res.status}, not 401 with a challenge: ${res.text.slice(0, 300)}`);
    } else if (res.status === 401) {
      // The right token, an open route, or no token configured: past auth, to validation and beyond.
      throw new Error(`${what} → 401 although it must pass auth: ${res.text.slice(0, 300)}`);
    }
  }

  async function snapshot() {
    const withAuth = (req: request.Test) => (auth ? req.set('Authorization', auth) : req);
    const score = await withAuth(request(baseUrl).post('/api/v1/score')).send(validScore).expect(200);
    const series = await withAuth(
      request(baseUrl).get(`/api/v1/jobs/edge/series?match=${encodeURIComponent('site="ams"')}`),
    ).expect(200);
    // A valid PUT of a sensitivity is state the API is for (it applies from the next run, and no run
    // happens here): the setting each series reports is left out, every score and band is compared.
    const body = series.body as { series: { sensitivity?: number }[] };
    const scored = { ...body, series: body.series.map(({ sensitivity: _setting, ...rest }) => rest) };
    return { score: score.body as unknown, series: scored as unknown };
  }

  describe(`${mode === 'open' ? 'without a token' : 'with an API token'}: hostile requests over every route of docs/api/openapi.json`, () => {
    beforeAll(async () => {
      prom = await new FakePrometheus().start();
      prom.handler = matrixHandler([
        { labels: { instance: 'a' }, f: (t) => String(100 + Math.sin(t / 600)) },
      ]);
      full = await fullTestApp({
        env: {
          TRAFFICLENS_MAX_POINTS_PER_SERIES: '5000',
          TRAFFICLENS_MAX_BODY_BYTES: '1048576',
          ...(mode === 'token' ? { TRAFFICLENS_API_TOKEN: TOKEN } : {}),
        },
        prometheus: new PrometheusClient({ url: prom.url, timeoutMs: 5_000 }),
      });
      ({ server, url: baseUrl } = await listen(full.app, { host: '127.0.0.1', port: 0 }));
      before = await snapshot();
    });

    afterAll(async () => {
      server?.closeAllConnections();
      await new Promise((resolve) => server?.close(resolve));
      await full?.close();
      await prom?.stop();
    });

    test.each(operations.map((o) => [o.method.toUpperCase(), o.path, o] as const))(
      '%s %s: never a 5xx, always the error shape, never slow',
      async (_method, _path, ref) => {
        const valid = VALID_BODIES[ref.op.operationId];
        const examples: [HostileRequest][] = valid
          ? [
              [
                {
                  method: ref.method,
                  path: ref.path,
                  query: '',
                  contentType: 'application/json',
                  encoding: undefined,
                  host: undefined,
                  authorization: auth,
                  body: { json: valid },
                },
              ],
            ]
          : [];
        await fc.assert(
          fc.asyncProperty(requestsFor(ref, mode), (r) => check(r, ref.op.operationId)),
          { numRuns: runs, examples },
        );
      },
    );

    test('undocumented methods on every path: 404 or 405, never a 5xx', async () => {
      await fc.assert(
        fc.asyncProperty(wrongMethods(mode), (r) => check(r, 'wrong method')),
        { numRuns: RUNS_WRONG_METHOD },
      );
    });

    test('afterwards: the service answers exactly as before', async () => {
      for (const { op } of operations) expect(sent.get(op.operationId)).toBeGreaterThanOrEqual(runs);
      await request(baseUrl).get('/healthz').expect(200);
      await request(baseUrl).get('/readyz').expect(200);
      expect(await snapshot()).toEqual(before);
      let query = request(baseUrl).post('/api/v1/query');
      if (auth) query = query.set('Authorization', auth);
      expect((await query.send(validQuery).expect(200)).body.series).toHaveLength(1);
      if (mode === 'token') {
        // Both kinds were sent: refused for the token, and let through to validation.
        expect(statuses.get(401)).toBeGreaterThan(50);
        expect([...statuses].filter(([s]) => s !== 401).reduce((a, [, n]) => a + n, 0)).toBeGreaterThan(300);
      }
      // For the record (seen with --verbose): the slowest answer of the run.
      const total = [...sent.values()].reduce((a, b) => a + b, 0);
      const byStatus = [...statuses].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`);
      console.info(
        `fuzz (${mode}): ${total} requests (${byStatus.join(' ')}), slowest ${Math.round(slowest.ms)} ms: ${slowest.what}`,
      );
    });
  });
}

test('the document lists the whole surface', () => {
  expect(operations.map((o) => o.op.operationId).sort()).toEqual(
    [
      'deleteModel',
      'listDetectors',
      'getJob',
      'getJobLabels',
      'getJobSeries',
      'getJobIncidents',
      'getJobForecasts',
      'getModel',
      'liveness',
      'listJobs',
      'listModels',
      'metrics',
      'openapi',
      'readiness',
      'scoreQuery',
      'scoreSeries',
      'forecastSeries',
      'trainModel',
      'listWindows',
      'createWindow',
      'getWindow',
      'replaceWindow',
      'deleteWindow',
      'createFeedback',
      'listFeedback',
      'getFeedback',
      'undoFeedback',
      'getJobSensitivity',
      'setJobSensitivity',
      'deleteJobSensitivity',
      'getSeriesSensitivity',
      'setSeriesSensitivity',
      'deleteSeriesSensitivity',
      'previewJobAlerts',
    ].sort(),
  );
});

test('the document marks exactly the routes the token guards as secured', () => {
  for (const { method, path, op } of operations) {
    const secured = path.startsWith('/api/') || path === '/metrics';
    expect([method, path, op.security]).toEqual([method, path, secured ? [{ bearerAuth: [] }] : []]);
  }
});

fuzzRun('open');
fuzzRun('token');

test('over both runs, over 1,000 hostile requests were sent', () => {
  expect(sentInAll.total).toBeGreaterThanOrEqual(1_000);
});
