import express from 'express';
import request from 'supertest';
import { ErrorResponse } from '../../contract/api.js';
import { JobIncidentsResponse } from '../../contract/incidents.js';
import { JOBS_BASE_PATH } from '../../contract/jobs.js';
import { createFakeStream } from '../../jobs/fakeStream.js';
import { JobManager } from '../../jobs/manager.js';
import { captureLogger, points, TestClock } from '../../jobs/testing/helpers.js';
import { FakeSource } from '../../sources/fake.js';
import { errorHandler } from '../errors.js';
import { createJobsRouter } from './jobs.js';

const MINUTE = 60_000;
const T0 = Date.UTC(2025, 0, 13, 12);

async function setup() {
  const clock = new TestClock(T0);
  const manager = new JobManager({
    logger: captureLogger().logger,
    now: clock.now,
    createStream: () => createFakeStream(),
  });
  const down = (t: number) => (t >= T0 - MINUTE ? 5 : 100);
  const source = new FakeSource()
    .add({ site: 'ams', link: 'transit-1' }, points(T0 - 10 * MINUTE, T0, MINUTE, down))
    .add({ site: 'ams', link: 'ix' }, points(T0 - 10 * MINUTE, T0, MINUTE, down))
    .add(
      { site: 'fra', link: 'ix' },
      points(T0 - 10 * MINUTE, T0, MINUTE, () => 50),
    );
  const job = { source: { type: 'simulator' as const }, step: '1m', fit_window: '10m' };
  manager.addJob({ name: 'edge', ...job, groups: ['site', 'link'] }, source);
  manager.addJob({ name: 'flat', ...job }, source);
  await manager.runOnce('edge');
  await manager.runOnce('flat');
  const app = express();
  app.use(JOBS_BASE_PATH, createJobsRouter(manager));
  app.use(errorHandler(captureLogger().logger));
  return app;
}

describe('GET /api/v1/jobs/:name/incidents', () => {
  test('the incidents of the job, in the contract shape', async () => {
    const app = await setup();
    const res = await request(app).get(`${JOBS_BASE_PATH}/edge/incidents`).expect(200);
    const body = JobIncidentsResponse.parse(res.body);
    expect(body).toMatchObject({ job: 'edge', groups: ['site', 'link'] });
    expect(body.incidents).toHaveLength(1);
    expect(body.incidents[0]).toMatchObject({ group: { site: 'ams' }, open: true, groupSize: 2 });
    expect(body.incidents[0].members).toHaveLength(2);
    // Outside the time range: none.
    const before = await request(app)
      .get(`${JOBS_BASE_PATH}/edge/incidents`)
      .query({ from: T0 - 60 * MINUTE, to: T0 - 30 * MINUTE })
      .expect(200);
    expect(before.body.incidents).toEqual([]);
  });

  test('a job without groups has none; an unknown job is 404', async () => {
    const app = await setup();
    const flat = await request(app).get(`${JOBS_BASE_PATH}/flat/incidents`).expect(200);
    expect(flat.body).toEqual({ job: 'flat', groups: [], incidents: [] });
    const missing = await request(app).get(`${JOBS_BASE_PATH}/nope/incidents`).expect(404);
    expect(ErrorResponse.parse(missing.body).error.code).toBe('not_found');
  });

  test.each([
    [{ from: 'yesterday' }, 'from'],
    [{ from: String(T0), to: String(T0 - 1) }, 'to'],
    [{ from: [String(T0), String(T0)] }, 'from'],
  ])('%j is a 400 naming %s', async (query, path) => {
    const app = await setup();
    const res = await request(app).get(`${JOBS_BASE_PATH}/edge/incidents`).query(query).expect(400);
    const body = ErrorResponse.parse(res.body);
    expect(body.error.message).toContain(`invalid query parameter ${path}`);
  });
});
