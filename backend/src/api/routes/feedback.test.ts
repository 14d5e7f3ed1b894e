/**
 * The feedback API on a real store in a temporary folder, over a job scored by the fake stream (band ±50 %
 * around the recent mean): a false positive is recorded with its tolerance and hides the episode from the
 * job's series (the point tolerated, its score below 1), undo brings it back; a true incident on an open
 * episode; listing by series, verdict and undone; every refusal a 4xx that stores nothing; a store that
 * cannot be used: 503 naming the file.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import request from 'supertest';
import { ErrorResponse } from '../../contract/api.js';
import { Feedback, FeedbackListResponse, FeedbackResponse } from '../../contract/feedback.js';
import { JobSeriesResponse } from '../../contract/jobs.js';
import { createFakeStream } from '../../jobs/fakeStream.js';
import { JobManager } from '../../jobs/manager.js';
import { points, TestClock } from '../../jobs/testing/helpers.js';
import { FakeSource } from '../../sources/fake.js';
import { FeedbackTable, Store } from '../../store/index.js';
import { testApp } from '../testApp.js';
import { feedbackApi } from './feedback.js';
import { jobsApi } from './jobs.js';

const MIN = 60_000;
const NOW = Date.UTC(2026, 0, 5, 2, 30);
/** A one-point spike: an episode closed at the next point. */
const SPIKE = NOW - 10 * MIN;
const A = { site: 'ams', link: 'transit-1' };
const B = { site: 'fra', link: 'peering-2' };
const BASE = '/api/v1/jobs/edge/feedback';

let dir: string;
let store: Store;

async function setup(path = join(dir, 'trafficlens.db')) {
  store = Store.open({ path });
  const table = new FeedbackTable(store);
  const clock = new TestClock(NOW);
  const manager = new JobManager({
    logger: pino({ level: 'silent' }),
    now: clock.now,
    // A daily season (1440 one-minute points): the tolerance is bound to the time of day.
    createStream: () => createFakeStream({ period: 1440 }),
    feedback: table,
  });
  const source = new FakeSource();
  // The last point, at NOW, opens an episode still open.
  source.add(
    A,
    points(NOW - 30 * MIN, NOW, MIN, (t) => (t === SPIKE || t === NOW ? 200 : 100)),
  );
  source.add(
    B,
    points(NOW - 30 * MIN, NOW, MIN, () => 50),
  );
  manager.addJob(
    { name: 'edge', source: { type: 'simulator' }, step: '1m', fit_window: '30m', retention: 100 },
    source,
  );
  await manager.runOnce('edge');
  const { app } = testApp({
    jobs: { api: jobsApi(manager) },
    feedback: { api: feedbackApi({ feedback: table, jobs: manager, now: clock.now }) },
  });
  return { app, table };
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tl-feedback-api-'));
});
afterEach(() => {
  store?.close();
  rmSync(dir, { recursive: true, force: true });
});

const falsePositive = {
  labels: A,
  episodeStart: SPIKE,
  episodeEnd: SPIKE,
  verdict: 'false_positive',
  note: 'nightly backup',
  author: 'noc',
};

async function seriesA(app: Parameters<typeof request>[0]) {
  const res = await request(app).get(`/api/v1/jobs/edge/series?match=${encodeURIComponent('site="ams"')}`);
  return JobSeriesResponse.parse(res.body).series[0];
}

test('a false positive: recorded with its tolerance, the episode no longer an alert; undo restores it', async () => {
  const { app } = await setup();
  const before = await seriesA(app);
  expect(before.episodes.map((e) => e.start)).toEqual([SPIKE, NOW]);

  const res = await request(app).post(BASE).send(falsePositive).expect(201);
  const body = FeedbackResponse.parse(res.body);
  expect(body.feedback).toMatchObject({
    job: 'edge',
    labels: A,
    episodeStart: SPIKE,
    episodeEnd: SPIKE,
    verdict: 'false_positive',
    direction: 'up',
    peakDeviation: 100,
    tolerance: {
      direction: 'up',
      // 02:20 UTC ± 30 minutes; 1.2 × the peak deviation.
      periodMs: 1440 * MIN,
      fromPhaseMs: (1 * 60 + 50) * MIN,
      toPhaseMs: (2 * 60 + 50) * MIN,
      magnitude: 120,
      capped: false,
      // A spike, not a variance change: its direction only.
      bothSides: false,
    },
    undoneAt: null,
    createdAt: NOW,
  });
  expect(body.effect).toBe(
    'deviations up to 120.0 above the expected value between 01:50 and 02:50 UTC every day are no longer anomalous on this series; larger ones, the other direction and other times still are',
  );
  expect(res.headers.location).toBe(`/api/v1/feedback/${body.feedback.id}`);

  // The spike is tolerated: not anomalous, its score below 1, inside a widened band; no episode. The
  // open episode at NOW (in the window too) is tolerated as well: the same deviation, the same time.
  const after = await seriesA(app);
  const i = after.timestamps.indexOf(SPIKE);
  expect(after.tolerated).toEqual([SPIKE, NOW]);
  expect([after.anomaly[i], after.upper[i]]).toEqual([false, 220]);
  expect(after.score[i]).toBeCloseTo(100 / 120);
  expect(after.episodes).toEqual([]);

  const list = FeedbackListResponse.parse((await request(app).get(BASE).expect(200)).body);
  expect(list.feedback).toEqual([body.feedback]);

  await request(app).delete(`/api/v1/feedback/${body.feedback.id}`).expect(204);
  const undone = await seriesA(app);
  expect(undone.tolerated).toBeUndefined();
  expect(undone.anomaly[i]).toBe(true);
  expect(undone.episodes.map((e) => e.start)).toEqual([SPIKE, NOW]);
  expect((await request(app).get(BASE).expect(200)).body.feedback).toEqual([]);
  const all = FeedbackListResponse.parse((await request(app).get(`${BASE}?undone=true`).expect(200)).body);
  expect(all.feedback.map((f) => [f.id, f.undoneAt])).toEqual([[body.feedback.id, NOW]]);
  expect(
    Feedback.parse((await request(app).get(`/api/v1/feedback/${body.feedback.id}`).expect(200)).body),
  ).toEqual({ ...body.feedback, undoneAt: NOW });
  // Undone already: 404; the episode may be marked again.
  await request(app).delete(`/api/v1/feedback/${body.feedback.id}`).expect(404);
  await request(app).post(BASE).send(falsePositive).expect(201);
});

test('a true incident on an open episode: no end yet, listed as a label by verdict and series', async () => {
  const { app } = await setup();
  const res = await request(app)
    .post(BASE)
    .send({ labels: A, episodeStart: NOW, verdict: 'true_incident' })
    .expect(201);
  const body = FeedbackResponse.parse(res.body);
  expect(body.feedback).toMatchObject({
    episodeEnd: null,
    verdict: 'true_incident',
    tolerance: null,
    note: '',
    author: '',
    peakDeviation: 100,
  });
  expect(body.effect).toContain('kept out of the baseline and model training while it lasts');
  await request(app).post(BASE).send(falsePositive).expect(201);

  const labels = FeedbackListResponse.parse(
    (await request(app).get(`${BASE}?verdict=true_incident`).expect(200)).body,
  );
  expect(labels.feedback.map((f) => f.episodeStart)).toEqual([NOW]);
  const onB = await request(app)
    .get(`${BASE}?match=${encodeURIComponent('site="fra"')}`)
    .expect(200);
  expect(onB.body.feedback).toEqual([]);
  const onA = await request(app)
    .get(`${BASE}?match=${encodeURIComponent('site="ams"')}`)
    .expect(200);
  expect(onA.body.feedback).toHaveLength(2);
});

describe('refusals: a clear 4xx, nothing stored', () => {
  test.each([
    [400, 'an unknown verdict', { ...falsePositive, verdict: 'maybe' }, 'verdict'],
    [400, 'no labels', { ...falsePositive, labels: undefined }, 'labels'],
    [400, 'an unknown field', { ...falsePositive, severity: 3 }, 'severity'],
    [400, 'a note over 2000 characters', { ...falsePositive, note: 'x'.repeat(2001) }, 'note'],
    [400, 'a start that is not a time', { ...falsePositive, episodeStart: 'yesterday' }, 'episodeStart'],
    // Safe integers past a Date's range were accepted, then written as a Date in the 404's message: a 500.
    [400, 'a start outside 1970–2200', { ...falsePositive, episodeStart: -9e15 }, 'episodeStart'],
    [400, 'an end outside 1970–2200', { ...falsePositive, episodeEnd: 9e15 }, 'episodeEnd'],
    [404, 'a series the job does not have', { ...falsePositive, labels: { site: 'ams' } }, 'has no series'],
    [404, 'no episode starting then', { ...falsePositive, episodeStart: SPIKE + MIN }, 'no retained episode'],
    [
      404,
      'an end that is not the episode’s',
      { ...falsePositive, episodeEnd: SPIKE + MIN },
      'no retained episode',
    ],
    [
      409,
      'a false positive on an episode still open',
      { ...falsePositive, episodeStart: NOW, episodeEnd: undefined },
      'still open',
    ],
  ])('%d: %s', async (status, _name, body, mention) => {
    const { app, table } = await setup();
    const res = await request(app).post(BASE).send(body).expect(status);
    const error = ErrorResponse.parse(res.body).error;
    if (status === 400) expect(error.details.map((d) => d.path)).toContain(mention);
    else expect(error.message).toContain(mention);
    expect(table.list({ includeUndone: true })).toEqual([]);
  });

  test('an unknown job: 404 for POST and GET', async () => {
    const { app } = await setup();
    for (const req of [
      request(app).post('/api/v1/jobs/nope/feedback').send(falsePositive),
      request(app).get('/api/v1/jobs/nope/feedback'),
    ]) {
      expect((await req.expect(404)).body.error.message).toBe(
        'no job named "nope"; GET /api/v1/jobs lists them',
      );
    }
  });

  test('a second verdict on one episode: 409 naming the first, which stays', async () => {
    const { app, table } = await setup();
    const first = (await request(app).post(BASE).send(falsePositive).expect(201)).body.feedback;
    const res = await request(app)
      .post(BASE)
      .send({ ...falsePositive, verdict: 'true_incident' })
      .expect(409);
    expect(res.body.error.message).toContain(`already has feedback ${first.id} (false_positive)`);
    expect(table.list().map((f) => [f.id, f.verdict])).toEqual([[first.id, 'false_positive']]);
  });

  test('bad list queries: 400 naming the parameter; an unknown id: 404', async () => {
    const { app } = await setup();
    const bad = await request(app)
      .get(`${BASE}?match=${encodeURIComponent('site=ams')}`)
      .expect(400);
    expect(bad.body.error.details[0].path).toBe('match.0');
    await request(app).get(`${BASE}?verdict=maybe`).expect(400);
    await request(app).get(`${BASE}?undone=yes`).expect(400);
    await request(app).get('/api/v1/feedback/nope').expect(404);
    await request(app).delete('/api/v1/feedback/nope').expect(404);
  });
});

describe('a store that cannot be used', () => {
  test('its folder is a file: 503 naming the path, the jobs API still answers', async () => {
    writeFileSync(join(dir, 'state'), 'not a folder');
    const path = join(dir, 'state', 'trafficlens.db');
    const { app } = await setup(path);
    const res = await request(app).post(BASE).send(falsePositive).expect(503);
    expect(res.body.error.code).toBe('storage_unavailable');
    expect(res.body.error.message).toContain(path);
    await request(app).get(BASE).expect(503);
    // Scoring goes on: the job's series are served (no feedback applies).
    expect((await seriesA(app)).episodes).toHaveLength(2);
  });

  test('the database refuses writes: 503 on undo, the feedback still in effect', async () => {
    const { app, table } = await setup();
    const { id } = (await request(app).post(BASE).send(falsePositive).expect(201)).body.feedback;
    store.read('test', (db) => db.pragma('query_only = ON'));
    const res = await request(app).delete(`/api/v1/feedback/${id}`).expect(503);
    expect(res.body.error.message).toContain(`the store ${join(dir, 'trafficlens.db')} is read-only`);
    expect(table.get(id)?.undoneAt).toBeNull();
    expect((await seriesA(app)).episodes).toEqual([]);
  });
});
