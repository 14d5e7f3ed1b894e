import request from 'supertest';
import { ErrorResponse } from '../contract/api.js';
import type { RouteSpec } from './routes/route.js';
import { testApp } from './testApp.js';

const TOKEN = 'correct-horse-battery-staple';
const body = { series: [{ timestamps: [1, 2, 3], values: [1, 2, 3] }] };

function securedApp() {
  const listJobs = {
    method: 'get',
    path: '/api/v1/jobs',
    operationId: 'listJobs',
    summary: 'jobs',
    tag: 'jobs',
    secured: true,
    responses: { 200: { description: 'jobs' } },
    handlers: [(_req, res) => void res.json({ jobs: [] })],
  } satisfies RouteSpec;
  const jobs = { api: { mount: '/api/v1/jobs', components: {}, routes: [listJobs] } };
  return testApp({ env: { TRAFFICLENS_API_TOKEN: TOKEN }, jobs }).app;
}

describe('with TRAFFICLENS_API_TOKEN set', () => {
  test.each([
    ['POST', '/api/v1/score'],
    ['GET', '/api/v1/detectors'],
    ['GET', '/api/v1/jobs'],
    ['GET', '/api/v1/unknown'],
  ])('%s %s without a token is a 401 JSON error with a Bearer challenge', async (method, path) => {
    const app = securedApp();
    const res = await (method === 'GET' ? request(app).get(path) : request(app).post(path).send(body)).expect(
      401,
    );
    expect(ErrorResponse.parse(res.body).error.code).toBe('unauthorized');
    expect(res.headers['www-authenticate']).toMatch(/^Bearer /);
  });

  test.each([
    ['a wrong token', `Bearer ${TOKEN}x`],
    ['a token differing in the last character', `Bearer ${TOKEN.slice(0, -1)}f`],
    ['a much shorter token', 'Bearer a'],
    ['an empty bearer', 'Bearer '],
    ['another scheme', `Basic ${TOKEN}`],
    ['the bare token', TOKEN],
  ])('%s is a 401', async (_name, authorization) => {
    const res = await request(securedApp())
      .get('/api/v1/detectors')
      .set('Authorization', authorization)
      .expect(401);
    expect(res.body.error.message).toMatch(/bearer token|Authorization/);
  });

  test('the right token is accepted on every /api/ route, whatever the scheme case', async () => {
    const app = securedApp();
    await request(app).get('/api/v1/detectors').set('Authorization', `Bearer ${TOKEN}`).expect(200);
    await request(app).get('/api/v1/jobs').set('Authorization', `bearer ${TOKEN}`).expect(200);
    await request(app).post('/api/v1/score').set('Authorization', `Bearer ${TOKEN}`).send(body).expect(200);
    await request(app).get('/api/v1/nothing').set('Authorization', `Bearer ${TOKEN}`).expect(404);
  });

  test.each([
    '/API/v1/detectors',
    '/api/v1/detectors/',
    '/api//v1/detectors',
    '/api/v1/./detectors',
    '/%61pi/v1/detectors',
  ])('the spelling %s does not get around the token', async (path) => {
    const res = await request(securedApp()).get(path);
    expect([401, 404]).toContain(res.status);
  });

  // /metrics needs the token too unless TRAFFICLENS_METRICS_AUTH=false (exposure.test.ts).
  test.each(['/healthz', '/readyz', '/openapi.json'])('%s stays open', async (path) => {
    await request(securedApp()).get(path).expect(200);
  });

  test('an unauthenticated request is refused before its body is parsed', async () => {
    const res = await request(securedApp())
      .post('/api/v1/score')
      .set('Content-Type', 'application/json')
      .send('{ not json')
      .expect(401);
    expect(res.body.error.code).toBe('unauthorized');
  });
});

describe('without a token', () => {
  test('every route is open', async () => {
    const { app } = testApp();
    await request(app).get('/api/v1/detectors').expect(200);
    await request(app).post('/api/v1/score').send(body).expect(200);
  });

  test('an empty TRAFFICLENS_API_TOKEN means no token', async () => {
    const { app } = testApp({ env: { TRAFFICLENS_API_TOKEN: '' } });
    await request(app).get('/api/v1/detectors').expect(200);
  });
});
