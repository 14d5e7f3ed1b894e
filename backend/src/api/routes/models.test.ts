import { openTestModels } from '../testing/models.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { testApp } from '../testApp.js';
import type { Models } from '../models.js';

function series(n: number) {
  const t0 = Date.UTC(2024, 0, 1);
  const timestamps = Array.from({ length: n }, (_, i) => t0 + i * 60_000);
  return { timestamps, values: timestamps.map((_, i) => 10 + Math.sin(i / 5)) };
}

describe('models API', () => {
  let dir = '';
  let models: Models;
  let app: ReturnType<typeof testApp>['app'];
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tl-routes-'));
    models = await openTestModels(dir);
    app = testApp({ models: models.mount }).app;
  });
  afterAll(async () => {
    await models.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('a classifier without labels of both classes is refused at once, saying why', async () => {
    const res = await request(app)
      .post('/api/v1/models')
      .send({ detector: 'classifier', series: series(100) })
      .expect(400);
    expect(res.body.error.message).toBe(
      'classifier needs labels with both classes: 0 of 100 points fall in the labelled anomalous ranges (no options.labels given)',
    );
    const t = series(100).timestamps;
    const all = await request(app)
      .post('/api/v1/models')
      .send({
        detector: 'classifier',
        series: series(100),
        options: { labels: [{ start: t[0], end: t[99] }] },
      })
      .expect(400);
    expect(all.body.error.message).toMatch(/100 of 100 points/);
  });

  test('a series whose values are all null is refused at once, not trained into an unloadable version', async () => {
    const { timestamps } = series(200);
    const res = await request(app)
      .post('/api/v1/models')
      .send({ id: 'nulls', detector: 'lstm', series: { timestamps, values: timestamps.map(() => null) } })
      .expect(400);
    expect(res.body.error.message).toBe('series.values: all 200 values are null; training needs values');
    expect(res.body.error.details[0].path).toBe('series.values');
    await request(app).get('/api/v1/models/nulls').expect(404);
  });

  test('bad requests name the field; unknown models are 404 for GET, DELETE and scoring', async () => {
    const bad = await request(app)
      .post('/api/v1/models')
      .send({ detector: 'magic', series: series(5) })
      .expect(400);
    expect(bad.body.error.details[0].path).toBe('detector');
    const badId = await request(app)
      .post('/api/v1/models')
      .send({ id: '../etc', detector: 'lstm', series: series(5) })
      .expect(400);
    expect(badId.body.error.details[0].path).toBe('id');
    await request(app).get('/api/v1/models/nope').expect(404);
    await request(app).delete('/api/v1/models/nope').expect(404);
    const score = await request(app)
      .post('/api/v1/score')
      .send({ series: [series(10)], model: 'nope' })
      .expect(404);
    expect(score.body.error.code).toBe('model_not_found');
  });

  test('training answers 202 with a status URL; a model that is still training scores with the fallback', async () => {
    const res = await request(app)
      .post('/api/v1/models')
      .send({ id: 'm1', detector: 'lstm', series: series(200), options: { epochs: 2, window: 8 } })
      .expect(202);
    expect(res.headers.location).toBe('/api/v1/models/m1');
    expect(res.body.training.state).toBe('queued');
    const during = await request(app)
      .post('/api/v1/score')
      .send({ series: [series(50)], model: 'm1' })
      .expect(200);
    expect(during.body.series[0]).toMatchObject({ state: 'learning', detector: 'auto' });
    expect(during.body.series[0].model.trained).toEqual({ id: 'm1', version: null, state: 'training' });
    await request(app)
      .post('/api/v1/models')
      .send({ id: 'm1', detector: 'lstm', series: series(200) })
      .expect(409);
    await models.registry.settled('m1');
    const got = await request(app).get('/api/v1/models/m1').expect(200);
    expect(got.body).toMatchObject({
      state: 'ready',
      version: 1,
      training: { state: 'done', epoch: 2, epochs: 2 },
    });
    const list = await request(app).get('/api/v1/models').expect(200);
    expect(list.body.models.map((m: { id: string }) => m.id)).toEqual(['m1']);
    const scored = await request(app)
      .post('/api/v1/score')
      .send({ series: [series(50)], model: 'm1' })
      .expect(200);
    expect(scored.body.series[0]).toMatchObject({ state: 'ok', detector: 'lstm' });
    const wrong = await request(app)
      .post('/api/v1/score')
      .send({ series: [series(50)], model: 'm1', detector: 'autoencoder' })
      .expect(400);
    expect(wrong.body.error.message).toMatch(/is a lstm model/);
  }, 30_000);
});
