import express from 'express';
import request from 'supertest';
import { ErrorResponse } from '../../contract/api.js';
import { errorHandler } from '../errors.js';
import { testApp } from '../testApp.js';
import { FakeSource } from '../../sources/fake.js';
import { createFakeStream } from '../../jobs/fakeStream.js';
import { JobManager } from '../../jobs/manager.js';
import { buildOpenApiDocument } from '../openapi.js';
import { createJobsRouter, jobsApi } from './jobs.js';
import {
  JOBS_BASE_PATH,
  JOBS_COMPONENTS,
  JobSeriesResponse,
  JobsListResponse,
  JobStatus,
} from '../../contract/jobs.js';
import { captureLogger, points, TestClock } from '../../jobs/testing/helpers.js';
import { INCIDENTS_COMPONENTS } from '../../contract/incidents.js';

const MINUTE = 60_000;
const T0 = Date.UTC(2025, 0, 13, 12);
const A = { site: 'ams', link: 'transit-1' };
const B = { site: 'fra', link: 'peering-2' };

async function setup(period: number | null = null) {
  const clock = new TestClock(T0);
  const manager = new JobManager({
    logger: captureLogger().logger,
    now: clock.now,
    createStream: () => createFakeStream({ period }),
  });
  const source = new FakeSource()
    .add(
      A,
      points(T0 - 10 * MINUTE, T0, MINUTE, (t) => (t === T0 - 2 * MINUTE ? 900 : 100)),
    )
    .add(
      B,
      points(T0 - 10 * MINUTE, T0, MINUTE, (t) => 50 + ((t / MINUTE) % 7)),
    );
  manager.addJob({ name: 'edge', source: { type: 'simulator' }, step: '1m', fit_window: '10m' }, source);
  await manager.runOnce('edge');
  const app = express();
  app.use(JOBS_BASE_PATH, createJobsRouter(manager));
  app.use(errorHandler(captureLogger().logger));
  return { app, manager };
}

describe('jobs routes', () => {
  test('GET / lists the jobs with their health', async () => {
    const { app } = await setup();
    const res = await request(app).get(JOBS_BASE_PATH).expect(200).expect('content-type', /json/);
    const body = JobsListResponse.parse(res.body);
    expect(body.jobs).toHaveLength(1);
    expect(body.jobs[0]).toMatchObject({
      name: 'edge',
      health: 'ok',
      series: 2,
      pointsScored: 22,
      source: 'fake',
    });
  });

  test('GET /:name gives one job, 404 for an unknown one', async () => {
    const { app } = await setup();
    const res = await request(app).get(`${JOBS_BASE_PATH}/edge`).expect(200);
    expect(JobStatus.parse(res.body).name).toBe('edge');
    const missing = await request(app).get(`${JOBS_BASE_PATH}/core`).expect(404);
    expect(missing.body.error).toMatchObject({
      code: 'not_found',
      message: expect.stringContaining('"core"'),
    });
  });

  test('GET /:name/series returns the retained series in the score contract shape', async () => {
    const { app } = await setup();
    const res = await request(app).get(`${JOBS_BASE_PATH}/edge/series`).expect(200);
    const body = JobSeriesResponse.parse(res.body);
    expect(body).toMatchObject({ job: 'edge', from: null, to: null });
    expect(body.series.map((s) => s.labels)).toEqual([A, B]);
    const [series] = body.series;
    expect(series).toMatchObject({ labels: A, state: 'ok', detector: 'auto' });
    expect(series.timestamps).toHaveLength(11);
    for (const field of ['values', 'score', 'expected', 'lower', 'upper', 'anomaly', 'direction'] as const) {
      expect(series[field]).toHaveLength(11);
    }
    expect(series.episodes).toMatchObject([{ start: T0 - 2 * MINUTE, direction: 'up', open: false }]);
    expect(series.periodMs).toBeNull();
  });

  test("each series says the season its detector found, in ms (what feedback's longest episode follows)", async () => {
    const { app } = await setup(16);
    const res = await request(app).get(`${JOBS_BASE_PATH}/edge/series`).expect(200);
    const body = JobSeriesResponse.parse(res.body);
    expect(body.series.map((s) => s.periodMs)).toEqual([16 * MINUTE, 16 * MINUTE]);
  });

  test.each([
    ['epoch milliseconds', `from=${T0 - 3 * MINUTE}&to=${T0 - MINUTE}`],
    ['ISO 8601', 'from=2025-01-13T11:57:00Z&to=2025-01-13T12:59:00%2B01:00'],
  ])('from and to select a time range given in %s', async (_kind, query) => {
    const { app } = await setup();
    const res = await request(app).get(`${JOBS_BASE_PATH}/edge/series?${query}`).expect(200);
    expect(res.body.from).toBe(T0 - 3 * MINUTE);
    expect(res.body.to).toBe(T0 - MINUTE);
    expect(res.body.series[0].timestamps).toEqual([T0 - 3 * MINUTE, T0 - 2 * MINUTE, T0 - MINUTE]);
  });

  test.each([
    ['from=yesterday', 'from', 'expected epoch milliseconds or an ISO 8601 time'],
    ['to=2025-13-45T00:00:00Z', 'to', 'expected epoch milliseconds'],
    ['from=2025-01-13T12:00:00', 'from', 'with Z or an offset'],
    ['from=-5', 'from', 'expected epoch milliseconds'],
    [`from=${T0}&to=${T0 - 1}`, 'to', 'must not be before from'],
    ['from=1&from=2', 'from', 'give it once'],
    ['match=site', 'match.0', 'is not of the form name="value"'],
    ['match=site%3D%22ams%22&match=link%3D~%22(%22', 'match.1', 'invalid regex'],
    [
      'match=link%3D~%22(%3F%3Dx)%22',
      'match.0',
      'invalid regex: error parsing regexp: invalid or unsupported Perl syntax',
    ],
    [
      'match=link%3D~%22(a)%5C%5C1%22',
      'match.0',
      'invalid regex: error parsing regexp: invalid escape sequence',
    ],
    ['maxDataPoints=lots', 'maxDataPoints', 'expected a whole number'],
    ['maxDataPoints=5', 'maxDataPoints', '10'],
    ['maxDataPoints=1&maxDataPoints=2', 'maxDataPoints', 'give it once'],
  ])('400 for ?%s, naming %s', async (query, param, message) => {
    const { app } = await setup();
    const res = await request(app).get(`${JOBS_BASE_PATH}/edge/series?${query}`).expect(400);
    expect(res.body.error.code).toBe('invalid_request');
    expect(res.body.error.message).toContain(`invalid query parameter ${param}`);
    expect(res.body.error.message).toContain(message);
    expect(res.body.error.details[0].path).toBe(param);
  });

  test('match keeps the series whose labels match all the matchers (PromQL semantics)', async () => {
    const { app } = await setup();
    const get = async (query: string) =>
      JobSeriesResponse.parse(
        (await request(app).get(`${JOBS_BASE_PATH}/edge/series?${query}`).expect(200)).body,
      ).series.map((s) => s.labels);
    expect(await get('match=site%3D%22ams%22')).toEqual([A]);
    expect(await get('match=link%3D~%22.*-2%22')).toEqual([B]);
    expect(await get('match=site!%3D%22ams%22&match=link%3D~%22transit.*%22')).toEqual([]);
    expect(await get('match=device%3D%22%22')).toEqual([A, B]);
  });

  test('a regex that backtracks exponentially answers at once: matchers run on RE2, in linear time', async () => {
    const clock = new TestClock(T0);
    const manager = new JobManager({
      logger: captureLogger().logger,
      now: clock.now,
      createStream: () => createFakeStream(),
    });
    // 15 characters: JavaScript's backtracking RegExp needed ~4 s for 14 and 3.4× more per character.
    const source = new FakeSource().add(
      { metric: 'interface_bytes' },
      points(T0 - 10 * MINUTE, T0, MINUTE, () => 1),
    );
    manager.addJob({ name: 'edge', source: { type: 'simulator' }, step: '1m', fit_window: '10m' }, source);
    await manager.runOnce('edge');
    const app = express();
    app.use(JOBS_BASE_PATH, createJobsRouter(manager));
    app.use(errorHandler(captureLogger().logger));
    // A backtracking engine would never answer these (the test would time out); no timing assertion.
    const miss = await request(app)
      .get(`${JOBS_BASE_PATH}/edge/series?match=${encodeURIComponent('metric=~"(.*.*)*X"')}`)
      .expect(200);
    expect(miss.body.series).toEqual([]);
    const hit = await request(app)
      .get(`${JOBS_BASE_PATH}/edge/series?match=${encodeURIComponent('metric=~"(.*.*)*s"')}`)
      .expect(200);
    expect(hit.body.series).toHaveLength(1);
  });

  test('maxDataPoints thins each series and keeps its anomaly and extremes', async () => {
    const { app } = await setup();
    const res = await request(app).get(`${JOBS_BASE_PATH}/edge/series?maxDataPoints=10`).expect(200);
    const [a, b] = JobSeriesResponse.parse(res.body).series;
    expect(a.timestamps.length).toBeLessThan(11);
    expect(a.values.length).toBe(a.timestamps.length);
    expect(a.score.length).toBe(a.timestamps.length);
    expect(a.values).toContain(900);
    expect(a.anomaly).toContain(true);
    expect(Math.max(...b.values.map(Number))).toBe(56);
    expect(a.episodes).toHaveLength(1);
    const full = await request(app).get(`${JOBS_BASE_PATH}/edge/series?maxDataPoints=11`).expect(200);
    expect(full.body.series[0].timestamps).toHaveLength(11);
  });

  test('GET /:name/labels lists label names and values, 404 for an unknown job', async () => {
    const { app } = await setup();
    const res = await request(app).get(`${JOBS_BASE_PATH}/edge/labels`).expect(200);
    expect(res.body).toEqual({
      job: 'edge',
      labels: { link: ['peering-2', 'transit-1'], site: ['ams', 'fra'] },
    });
    await request(app).get(`${JOBS_BASE_PATH}/core/labels`).expect(404);
  });

  test('in the service, a 404 for an unknown job carries the request id like every other error', async () => {
    const { manager } = await setup();
    const { app } = testApp({ jobs: { api: jobsApi(manager) } });
    for (const path of ['nope', 'nope/series', 'nope/labels']) {
      const res = await request(app).get(`/api/v1/jobs/${path}`).set('X-Request-Id', 'req-42').expect(404);
      expect(ErrorResponse.parse(res.body)).toEqual({
        error: {
          code: 'not_found',
          message: 'no job named "nope"; GET /api/v1/jobs lists them',
          details: [],
          requestId: 'req-42',
        },
      });
    }
    const generated = await request(app).get('/api/v1/jobs/nope').expect(404);
    expect(generated.body.error.requestId).toBe(generated.headers['x-request-id']);
    expect(generated.body.error.requestId).toMatch(/^[0-9a-f-]{36}$/);
    const bad = await request(app).get('/api/v1/jobs/edge/series?from=yesterday').expect(400);
    expect(bad.body.error).toMatchObject({ code: 'invalid_request', requestId: bad.headers['x-request-id'] });
  });

  test('404 for the series of an unknown job', async () => {
    const { app } = await setup();
    const res = await request(app).get(`${JOBS_BASE_PATH}/core/series`).expect(404);
    expect(res.body).toEqual({
      error: { code: 'not_found', message: expect.stringContaining('no job named "core"'), details: [] },
    });
  });
});

describe('jobs OpenAPI', () => {
  // The document of the jobs routes alone (only documented: no request reaches the manager).
  const doc = buildOpenApiDocument({ routes: [], groups: [jobsApi({} as JobManager)], version: 'test' });
  const jobsOpenApiPaths = doc.paths;
  const jobsOpenApiSchemas: Record<string, unknown> = Object.fromEntries(
    [...JOBS_COMPONENTS, ...INCIDENTS_COMPONENTS].map(([, id]) => [id, doc.components.schemas[id]]),
  );

  test('documents the six paths with their responses', () => {
    expect(Object.keys(jobsOpenApiPaths).sort()).toEqual([
      '/api/v1/jobs',
      '/api/v1/jobs/{name}',
      '/api/v1/jobs/{name}/forecasts',
      '/api/v1/jobs/{name}/incidents',
      '/api/v1/jobs/{name}/labels',
      '/api/v1/jobs/{name}/series',
    ]);
    const series = jobsOpenApiPaths['/api/v1/jobs/{name}/series'].get as {
      parameters: { name: string; in: string }[];
      responses: Record<string, unknown>;
    };
    expect(series.parameters.map((p) => `${p.in}:${p.name}`)).toEqual([
      'path:name',
      'query:from',
      'query:to',
      'query:match',
      'query:maxDataPoints',
    ]);
    expect(Object.keys(series.responses).sort()).toEqual(['200', '400', '404']);
  });

  test('every schema it references is generated, except the service-wide ErrorResponse', () => {
    const refs = new Set<string>();
    JSON.stringify({ jobsOpenApiPaths, jobsOpenApiSchemas }, (key, value: unknown) => {
      if (key === '$ref' && typeof value === 'string') refs.add(value.replace('#/components/schemas/', ''));
      return value;
    });
    expect([...refs].sort()).toEqual([
      'ErrorResponse',
      'Incident',
      'JobForecastsResponse',
      'JobIncidentsResponse',
      'JobLabelsResponse',
      'JobSeries',
      'JobSeriesForecast',
      'JobSeriesResponse',
      'JobStatus',
      'JobsListResponse',
    ]);
    for (const id of refs) if (id !== 'ErrorResponse') expect(jobsOpenApiSchemas[id]).toBeDefined();
    const jobSeries = jobsOpenApiSchemas.JobSeries as {
      properties: Record<string, unknown>;
      required: string[];
    };
    expect(Object.keys(jobSeries.properties)).toEqual(
      expect.arrayContaining([
        'labels',
        'timestamps',
        'score',
        'expected',
        'lower',
        'upper',
        'anomaly',
        'direction',
        'episodes',
        'state',
      ]),
    );
    expect(jobsOpenApiSchemas).not.toHaveProperty(['JobSeries', '$schema']);
  });
});
