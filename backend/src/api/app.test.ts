import request from 'supertest';
import { DETECTOR_NAMES } from '../contract/score.js';
import type { ModelRegistry } from '../models/registry.js';
import type { JobsMount } from './app.js';
import { modelsApi } from './routes/models.js';
import { FakeExecutor } from './fakeExecutor.js';
import { Lifecycle } from './lifecycle.js';
import { DetectorsResponse, ErrorResponse, HealthResponse, ReadyResponse } from '../contract/api.js';
import { testApp } from './testApp.js';

const series = (n: number, labels: Record<string, string> = {}) => ({
  labels,
  timestamps: Array.from({ length: n }, (_, i) => 1_700_000_000_000 + i * 60_000),
  values: Array.from({ length: n }, (_, i) => 100 + 10 * Math.sin(i / 10)),
});

interface DocumentedResponse {
  description?: string;
  headers?: Record<string, unknown>;
  content: Record<string, { schema: unknown }>;
}
interface DocumentedOperation {
  requestBody?: unknown;
  responses: Record<string, DocumentedResponse>;
}

function fakeJobs(): JobsMount {
  const common = { tag: 'jobs', secured: true } as const;
  return {
    api: {
      mount: '/api/v1/jobs',
      components: {},
      routes: [
        {
          ...common,
          method: 'get',
          path: '/api/v1/jobs',
          operationId: 'listJobs',
          summary: 'jobs',
          responses: { 200: { description: 'jobs' } },
          handlers: [(_req, res) => void res.json({ jobs: [] })],
        },
        {
          ...common,
          method: 'post',
          path: '/api/v1/jobs/{id}/echo',
          operationId: 'echo',
          summary: 'the body back',
          responses: { 200: { description: 'the id and body' } },
          handlers: [(req, res) => void res.json({ id: req.params.id, body: req.body })],
        },
      ],
    },
  };
}

describe('GET /healthz', () => {
  test('reports ok, the version, the uptime and a null TF.js backend', async () => {
    const { app } = testApp();
    const res = await request(app).get('/healthz').expect(200);
    expect(HealthResponse.parse(res.body)).toEqual({
      status: 'ok',
      version: '0.0.0-test',
      uptimeSeconds: expect.any(Number),
      tfjsBackend: null,
    });
  });

  test('with jobs, says whether their state is persisted (an unusable state folder does not fail it)', async () => {
    const jobState = {
      state: 'unusable',
      problem: 'read-only file system (EROFS)',
      lastSnapshotAt: null,
    } as const;
    const { app } = testApp({ jobs: { ...fakeJobs(), health: () => jobState } });
    const res = await request(app).get('/healthz').expect(200);
    expect(HealthResponse.parse(res.body)).toMatchObject({ status: 'ok', jobState });
  });

  test('a sharded replica reports its shard (index of count)', async () => {
    const { app } = testApp({ jobs: { ...fakeJobs(), shard: { index: 2, count: 3 } } });
    const res = await request(app).get('/healthz').expect(200);
    expect(HealthResponse.parse(res.body)).toMatchObject({ status: 'ok', shard: { index: 2, count: 3 } });
  });

  test('stays ok while the service shuts down, since the process is still alive', async () => {
    const lifecycle = new Lifecycle();
    const { app } = testApp({ lifecycle });
    lifecycle.beginShutdown();
    await request(app).get('/healthz').expect(200);
  });
});

describe('GET /readyz', () => {
  test('is 200 once the scoring pool is up', async () => {
    const { app } = testApp();
    const res = await request(app).get('/readyz').expect(200);
    expect(ReadyResponse.parse(res.body)).toEqual({ status: 'ready', checks: { scoringPool: 'up' } });
  });

  test('is 503 "starting" until the scoring pool is up', async () => {
    const executor = new FakeExecutor(undefined, { ready: false });
    const { app } = testApp({ executor });
    const res = await request(app).get('/readyz').expect(503);
    expect(res.body).toEqual({ status: 'starting', checks: { scoringPool: 'starting' } });
    executor.setReady(true);
    await request(app).get('/readyz').expect(200);
  });

  test('is 503 "shutting_down" once shutdown has begun, and responses ask clients to reconnect', async () => {
    const lifecycle = new Lifecycle();
    const { app } = testApp({ lifecycle });
    lifecycle.beginShutdown();
    const res = await request(app).get('/readyz').expect(503);
    expect(res.body.status).toBe('shutting_down');
    expect(res.headers.connection).toBe('close');
  });
});

describe('GET /metrics', () => {
  test('exposes the request duration histogram by route, method and status', async () => {
    const { app } = testApp();
    await request(app).get('/api/v1/detectors').expect(200);
    await request(app).get('/no/such/route').expect(404);
    const res = await request(app).get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.text).toContain(
      'trafficlens_http_request_duration_seconds_count{route="/api/v1/detectors",method="GET",status="200"} 1',
    );
    // Unknown URLs share one label value so a scanner cannot blow up the series count.
    expect(res.text).toContain('route="unmatched",method="GET",status="404"');
  });

  test('counts scored points by detector and scoring errors by kind', async () => {
    const { app } = testApp();
    await request(app)
      .post('/api/v1/score')
      .send({ series: [series(50), series(30)], detector: 'robust' })
      .expect(200);
    const text = (await request(app).get('/metrics')).text;
    expect(text).toContain('trafficlens_api_points_scored_total{detector="robust"} 80');
    expect(text).toContain('# TYPE trafficlens_api_scoring_errors_total counter');
  });

  test('includes the scoring pool gauges and the build info', async () => {
    const { app } = testApp();
    const text = (await request(app).get('/metrics')).text;
    expect(text).toContain('trafficlens_scoring_pool_threads 1');
    expect(text).toContain('trafficlens_scoring_pool_queued_tasks 0');
    expect(text).toContain('trafficlens_build_info{version="0.0.0-test"} 1');
  });

  test('includes the default process metrics', async () => {
    const { app } = testApp({ defaultMetrics: true });
    const text = (await request(app).get('/metrics')).text;
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).toContain('nodejs_eventloop_lag_seconds');
  });

  test('uses the injected registry, so two apps do not share counters', async () => {
    const a = testApp();
    const b = testApp();
    await request(a.app)
      .post('/api/v1/score')
      .send({ series: [series(10)] })
      .expect(200);
    expect((await request(b.app).get('/metrics')).text).not.toContain('trafficlens_api_points_scored_total{');
  });
});

describe('GET /api/v1/detectors', () => {
  test('lists every detector of the contract with a description and parameter schemas', async () => {
    const { app } = testApp();
    const body = DetectorsResponse.parse((await request(app).get('/api/v1/detectors').expect(200)).body);
    expect(body.detectors.map((d) => d.name)).toEqual([...DETECTOR_NAMES]);
    expect(body.detectors.filter((d) => d.default).map((d) => d.name)).toEqual(['auto']);
    for (const detector of body.detectors) {
      expect(detector.description.length).toBeGreaterThan(10);
      expect(detector.parameters.sensitivity).toMatchObject({ type: 'number', minimum: 0, maximum: 100 });
      expect(detector.parameters.options).toMatchObject({
        type: 'object',
        additionalProperties: false,
        properties: { causal: { type: 'boolean' }, direction: { enum: ['both', 'up', 'down'] } },
      });
    }
  });
});

describe('GET /openapi.json', () => {
  test('is an OpenAPI 3.1 document with the score request schema generated from zod', async () => {
    const { app } = testApp();
    const doc = (await request(app).get('/openapi.json').expect(200)).body;
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.version).toBe('0.0.0-test');
    const scoreRequest = doc.components.schemas.ScoreRequest;
    expect(scoreRequest).toMatchObject({
      type: 'object',
      required: ['series'],
      additionalProperties: false,
      properties: {
        series: { type: 'array', minItems: 1, items: { $ref: '#/components/schemas/SeriesInput' } },
        detector: { enum: [...DETECTOR_NAMES] },
        sensitivity: { minimum: 0, maximum: 100 },
        options: { $ref: '#/components/schemas/ScoreOptions' },
      },
    });
    expect(doc.components.schemas.SeriesInput.required).toEqual(['timestamps', 'values']);
    expect(doc.paths['/api/v1/score'].post.requestBody.content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/ScoreRequest',
    });
  });

  test('documents every route the app serves, and only those', async () => {
    const { app } = testApp();
    const doc = (await request(app).get('/openapi.json').expect(200)).body;
    const documented = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.keys(item as object).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(documented.sort()).toEqual(
      [
        'POST /api/v1/score',
        'POST /api/v1/query',
        'POST /api/v1/forecast',
        'GET /api/v1/detectors',
        'GET /healthz',
        'GET /readyz',
        'GET /metrics',
        'GET /openapi.json',
      ].sort(),
    );
    // The routes Express actually has mounted are exactly the documented ones.
    const stack = (app as unknown as { router: { stack: { route?: { path: string; methods: object } }[] } })
      .router.stack;
    const mounted = stack.flatMap((layer) =>
      layer.route
        ? Object.keys(layer.route.methods).map((m) => `${m.toUpperCase()} ${layer.route?.path}`)
        : [],
    );
    expect(mounted.sort()).toEqual(documented.sort());
    // And each documented operation answers (not 404/405).
    for (const entry of documented) {
      const [method, path] = entry.split(' ');
      const res = await (method === 'GET' ? request(app).get(path) : request(app).post(path).send({}));
      expect([entry, res.status]).not.toEqual([entry, 404]);
      expect([entry, res.status]).not.toEqual([entry, 405]);
    }
  });

  test('every $ref points at a component schema that exists', async () => {
    const { app } = testApp();
    const doc = (await request(app).get('/openapi.json').expect(200)).body;
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map(
      (m) => m[1],
    );
    expect(refs.length).toBeGreaterThan(10);
    for (const ref of refs) expect(Object.keys(doc.components.schemas)).toContain(ref);
  });

  test('marks /api/ operations with the bearer scheme and leaves the operational routes open', async () => {
    const { app } = testApp();
    const doc = (await request(app).get('/openapi.json').expect(200)).body;
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.paths['/api/v1/score'].post.security).toEqual([{ bearerAuth: [] }]);
    expect(doc.paths['/metrics'].get.security).toEqual([{ bearerAuth: [] }]);
    expect(doc.paths['/healthz'].get.security).toEqual([]);
  });

  test('every operation that takes a body documents admission: 413, and 503 with Retry-After', async () => {
    // Only documented and refused by admission: no request reaches the registry.
    const api = modelsApi({} as ModelRegistry, { limits: { maxPointsPerSeries: 1000 } });
    const models = { api, resolve: () => null };
    // Twice: both documents are built from the same route group, which must not be edited in place.
    testApp({ models });
    const { app } = testApp({ models, env: { TRAFFICLENS_MAX_BODY_BYTES: '1024' } });
    const doc = (await request(app).get('/openapi.json').expect(200)).body;
    const withBody = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.entries(item as Record<string, DocumentedOperation>)
        .filter(([, op]) => op.requestBody)
        .map(([method, op]) => ({ method, path, op })),
    );
    expect(withBody.map(({ method, path }) => `${method} ${path}`).sort()).toEqual([
      'post /api/v1/forecast',
      'post /api/v1/models',
      'post /api/v1/query',
      'post /api/v1/score',
    ]);
    for (const { method, path, op } of withBody) {
      const where = `${method} ${path}`;
      expect([where, op.responses['413']?.description]).toEqual([
        where,
        expect.stringMatching(/before it is read/),
      ]);
      expect([where, op.responses['503']?.description]).toEqual([
        where,
        expect.stringMatching(/^(.*; or )?overloaded: refused on its headers/),
      ]);
      expect([where, op.responses['503'].description?.match(/overloaded: refused/g)]).toEqual([
        where,
        ['overloaded: refused'],
      ]);
      expect([where, op.responses['503'].headers]).toEqual([
        where,
        { 'Retry-After': expect.objectContaining({ schema: { type: 'integer', minimum: 0 } }) },
      ]);
      for (const status of ['413', '503'])
        expect(op.responses[status].content['application/json'].schema).toEqual({
          $ref: '#/components/schemas/ErrorResponse',
        });
      // What the document says is what admission answers.
      expect(method).toBe('post');
      const res = await request(app)
        .post(path)
        .set('Content-Type', 'application/json')
        .send('x'.repeat(2000));
      expect([where, res.status]).toEqual([where, 413]);
    }
  });

  test('merges the jobs API paths when jobs are mounted', async () => {
    const { app } = testApp({ jobs: fakeJobs() });
    const doc = (await request(app).get('/openapi.json').expect(200)).body;
    expect(doc.paths['/api/v1/jobs'].get.operationId).toBe('listJobs');
  });
});

describe('unknown routes', () => {
  test('answer 404 with the JSON error shape', async () => {
    const { app } = testApp();
    const res = await request(app).get('/api/v2/nothing').expect(404);
    expect(ErrorResponse.parse(res.body).error).toMatchObject({
      code: 'not_found',
      message: 'no route for GET /api/v2/nothing; see /openapi.json',
      details: [],
    });
  });

  test('a known path with the wrong method answers 405 with an Allow header', async () => {
    const { app } = testApp();
    const res = await request(app).get('/api/v1/score').expect(405);
    expect(res.headers.allow).toBe('POST');
    expect(res.body.error.code).toBe('method_not_allowed');
  });

  test('every response carries a request id, echoed from X-Request-Id when it looks like one', async () => {
    const { app } = testApp();
    const own = await request(app).get('/nope').set('X-Request-Id', 'abc-123').expect(404);
    expect(own.headers['x-request-id']).toBe('abc-123');
    expect(own.body.error.requestId).toBe('abc-123');
    const generated = await request(app).get('/healthz').set('X-Request-Id', 'bad id with spaces');
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('the jobs API', () => {
  test('is mounted at /api/v1/jobs with JSON bodies parsed', async () => {
    const { app } = testApp({ jobs: fakeJobs() });
    expect((await request(app).get('/api/v1/jobs').expect(200)).body).toEqual({ jobs: [] });
    const res = await request(app).post('/api/v1/jobs/j1/echo').send({ a: 1 }).expect(200);
    expect(res.body).toEqual({ id: 'j1', body: { a: 1 } });
  });

  test('is labelled by its route pattern in the metrics', async () => {
    const { app } = testApp({ jobs: fakeJobs() });
    await request(app).post('/api/v1/jobs/j1/echo').send({}).expect(200);
    await request(app).get('/api/v1/jobs/nope/nope').expect(404);
    const text = (await request(app).get('/metrics')).text;
    expect(text).toContain('route="/api/v1/jobs/:id/echo",method="POST",status="200"');
    expect(text).toContain('route="/api/v1/jobs/*",method="GET",status="404"');
  });

  test('is absent (404) without the jobs dependency', async () => {
    const { app } = testApp();
    await request(app).get('/api/v1/jobs').expect(404);
  });
});
