/**
 * A continuous job with a neural detector: each series starts on the statistical fallback (learning)
 * while its model trains in the background, then scores with it; fit_every retrains from a fresh fit
 * window while the previous version keeps scoring; a failed retrain keeps it too; a failed first training
 * leaves the fallback scoring until fit_every (or fit_window) later, when it is tried again; a restart on
 * the same models directory picks the models up. Training is real (TF.js, two epochs) behind a gate the test
 * opens, so each in-between state can be looked at.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import type { ModelMetadata } from '../contract/models.js';
import { createStream } from '../engine/index.js';
import { TrainingQueue } from '../models/queue.js';
import { ModelRegistry, type TrainJob, type Trainer } from '../models/registry.js';
import { createInlineTrainer } from '../models/trainer.js';
import { FakeSource } from '../sources/fake.js';
import type { SourceSeries } from '../sources/source.js';
import type { JobConfigInput } from './config.js';
import { JobManager } from './manager.js';
import { seriesModelId } from './models.js';
import { captureLogger, points, TestClock } from './testing/helpers.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const T0 = Date.UTC(2025, 0, 13, 12);
const A = { link: 'transit-1' };
const B = { link: 'ix-1' };
const wave = (base: number) => (t: number) => base + 10 * Math.sin(t / (20 * MINUTE));

/** The in-process trainer behind a gate: trainings wait until the test opens it, or fail on demand. */
class GatedTrainer implements Trainer {
  calls: TrainJob[] = [];
  running = 0;
  maxRunning = 0;
  fail: string | null = null;
  private gate: Promise<void> = Promise.resolve();
  private release: () => void = () => {};
  private readonly inner = createInlineTrainer();

  hold(): void {
    this.gate = new Promise((resolve) => (this.release = resolve));
  }

  open(): void {
    this.release();
    this.gate = Promise.resolve();
  }

  async train(job: TrainJob, onProgress: (e: number, n: number, l: number) => void): Promise<ModelMetadata> {
    this.calls.push(job);
    this.maxRunning = Math.max(this.maxRunning, ++this.running);
    try {
      await this.gate;
      if (this.fail) throw new Error(this.fail);
      return await this.inner.train(job, onProgress);
    } finally {
      this.running--;
    }
  }

  async close(): Promise<void> {}
}

const CONFIG = {
  name: 'neural',
  source: { type: 'simulator' as const },
  detector: 'lstm' as const,
  interval: '1m',
  step: '1m',
  fit_window: '6h',
  fit_every: '1h',
  stale_after: '1d',
  training: { epochs: 2, window: 8 },
};

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tl-job-models-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function service(
  trainer: GatedTrainer,
  clock: TestClock,
  config: typeof CONFIG | JobConfigInput = CONFIG,
) {
  const { logger, lines } = captureLogger();
  const models = new ModelRegistry({ dir, trainer, logger, version: 'test' });
  await models.load();
  const queue = new TrainingQueue(models, 1);
  const metrics = new Registry();
  const manager = new JobManager({
    logger,
    now: clock.now,
    registry: metrics,
    models: { registry: models, queue },
  });
  const source = new FakeSource();
  for (const [labels, base] of [
    [A, 100],
    [B, 50],
  ] as const) {
    source.add(labels, points(T0 - 12 * HOUR, T0 + 12 * HOUR, MINUTE, wave(base)));
  }
  const job = manager.addJob(config, source);
  const series = (labels: typeof A) => job.results().find((r) => r.labels.link === labels.link)!;
  const gauge = async (state: string) =>
    (await metrics.getSingleMetric('trafficlens_job_models')!.get()).values.find(
      (v) => v.labels.state === state,
    )?.value;
  const settle = async () => {
    for (const l of [A, B]) await models.settled(seriesModelId(config.name, 'lstm', l));
  };
  return {
    models,
    manager,
    job,
    source,
    lines,
    series,
    gauge,
    settle,
    run: () => manager.runOnce(config.name),
  };
}

/** What an engine stream with this model gives on the job's last fetch: the job must score the same. */
function expectedScore(models: ModelRegistry, id: string, fetched: SourceSeries) {
  const found = models.resolve(id)!;
  const stream = createStream({
    detector: 'lstm',
    sensitivity: 50,
    options: { counter: false, causal: true },
    model: found.bundle,
    trained: found.ref,
  });
  let last = null;
  for (let i = 0; i < fetched.timestamps.length; i++)
    last = stream.push(fetched.timestamps[i], fetched.values[i]);
  // The job's retained results keep the score and band in Float32 (jobs/ring.ts).
  const f32 = (x: number | null) => (x === null ? null : Math.fround(x));
  return { ...last!, score: Math.fround(last!.score), expected: f32(last!.expected) };
}

describe('a job with a neural detector', () => {
  const trainer = new GatedTrainer();
  const clock = new TestClock(T0);
  let s: Awaited<ReturnType<typeof service>>;
  const idA = seriesModelId('neural', 'lstm', A);

  beforeAll(async () => {
    s = await service(trainer, clock);
  });

  test('starts on the fallback, learning, while the models train one at a time; then scores with them', async () => {
    trainer.hold();
    expect((await s.run()).ok).toBe(true);
    expect(s.series(A)).toMatchObject({
      state: 'learning',
      detector: 'auto',
      model: { id: idA, state: 'training', version: null, problem: null },
    });
    expect(s.series(B).model).toMatchObject({ state: 'queued', version: null });
    expect(s.job.status().models!.counts).toEqual({
      queued: 1,
      training: 1,
      ready: 0,
      retraining: 0,
      failed: 0,
    });
    expect(await s.gauge('training')).toBe(1);
    // Scoring goes on while the models train.
    clock.advance(MINUTE);
    expect(await s.run()).toMatchObject({ ok: true, points: 2 });
    expect(s.series(A).state).toBe('learning');

    trainer.open();
    await s.settle();
    expect(trainer.maxRunning).toBe(1);
    expect(trainer.calls.map((c) => [c.id, c.version, c.request.series.timestamps.length])).toEqual([
      [idA, 1, 361],
      [seriesModelId('neural', 'lstm', B), 1, 361],
    ]);
    expect(trainer.calls[0].request.source).toEqual({
      type: 'job',
      job: 'neural',
      labels: A,
      start: T0 - 6 * HOUR,
      end: T0,
      stepMs: MINUTE,
      fitWindowMs: 6 * HOUR,
    });

    // The next run fetches the fit window again and rebuilds the series with their models.
    clock.advance(MINUTE);
    expect((await s.run()).ok).toBe(true);
    expect(s.source.requests.at(-1)).toMatchObject({
      start: T0 + 2 * MINUTE - 6 * HOUR,
      end: T0 + 2 * MINUTE,
    });
    const a = s.series(A);
    expect(a).toMatchObject({
      state: 'ok',
      detector: 'lstm',
      model: { id: idA, state: 'ready', version: 1 },
    });
    const fetched = (await s.source.fetch({ ...s.source.requests.at(-1)!, matchers: [] })).find(
      (f) => f.labels.link === A.link,
    )!;
    const want = expectedScore(s.models, idA, fetched);
    expect(a.score.at(-1)).toBe(want.score);
    expect(a.expected.at(-1)).toBe(want.expected);
    expect(s.lines.map((l) => l.msg)).toContainEqual(
      expect.stringMatching(/^\{link=transit-1\} now scores with model .* v1/),
    );
    expect(await s.gauge('ready')).toBe(2);
    // And then it is incremental again.
    clock.advance(MINUTE);
    await s.run();
    expect(s.source.requests.at(-1)).toMatchObject({ start: T0 + 2 * MINUTE + 1, end: T0 + 3 * MINUTE });
  }, 60_000);

  test('fit_every retrains from a fresh window; the previous version scores until the new one is ready', async () => {
    trainer.hold();
    clock.advance(HOUR);
    expect((await s.run()).ok).toBe(true);
    expect(s.series(A)).toMatchObject({
      state: 'ok',
      detector: 'lstm',
      model: { state: 'retraining', version: 1 },
    });
    expect(trainer.calls.at(-1)!.request.source).toMatchObject({
      start: clock.t - 6 * HOUR + 0,
      end: clock.t,
    });
    for (let i = 0; i < 3; i++) {
      clock.advance(MINUTE);
      await s.run();
      expect(s.series(A).model).toMatchObject({ state: 'retraining', version: 1 });
    }
    expect(await s.gauge('retraining')).toBe(2);
    trainer.open();
    await s.settle();
    clock.advance(MINUTE);
    await s.run();
    expect(s.series(A)).toMatchObject({ state: 'ok', model: { state: 'ready', version: 2 } });
    expect(s.models.get(idA)).toMatchObject({ version: 2, versions: [1, 2] });
  }, 60_000);

  test('a failed retrain keeps the version that scores, and says so in the job and the log', async () => {
    trainer.fail = 'out of memory';
    clock.advance(HOUR);
    await s.run();
    await s.settle();
    clock.advance(MINUTE);
    await s.run();
    expect(s.series(A)).toMatchObject({
      state: 'ok',
      detector: 'lstm',
      model: { state: 'ready', version: 2, problem: 'training failed: out of memory' },
    });
    // Both series failed; the job reports the last one.
    expect(s.job.status().models!.counts).toMatchObject({ ready: 2, failed: 0 });
    expect(s.job.status().models!.lastError).toEqual({
      message: `model ${seriesModelId('neural', 'lstm', B)}: out of memory`,
      at: clock.t - MINUTE,
    });
    expect(s.lines.map((l) => l.msg)).toContain(
      'training the lstm model of {link=transit-1} failed, v2 keeps scoring: out of memory',
    );
    expect(s.models.get(idA)).toMatchObject({ state: 'ready', version: 2 });
    trainer.fail = null;
  }, 60_000);

  test('a restart on the same models directory scores with the models at once, without training', async () => {
    const again = new GatedTrainer();
    const restarted = await service(again, new TestClock(clock.t));
    expect((await restarted.run()).ok).toBe(true);
    expect(restarted.series(A)).toMatchObject({
      state: 'ok',
      detector: 'lstm',
      model: { id: idA, state: 'ready', version: 2, problem: null },
    });
    expect(again.calls).toEqual([]);
    const last = restarted.series(A);
    const fetched = (await restarted.source.fetch({ ...restarted.source.requests[0], matchers: [] })).find(
      (f) => f.labels.link === A.link,
    )!;
    expect(last.score.at(-1)).toBe(expectedScore(restarted.models, idA, fetched).score);
  }, 60_000);
});

describe('a series whose first training fails', () => {
  const { fit_every: _fitEvery, ...withoutFitEvery } = CONFIG;
  test.each([
    ['fit_every', { ...CONFIG, name: 'retry-refit' }, HOUR],
    ['fit_window when there is no fit_every', { ...withoutFitEvery, name: 'retry-window' }, 6 * HOUR],
  ])(
    'stays on the fallback (failed), is tried again after %s, then scores with its model',
    async (_, config, retryAfter) => {
      const trainer = new GatedTrainer();
      trainer.fail = 'loss is NaN';
      const clock = new TestClock(T0);
      const s = await service(trainer, clock, config);
      const id = seriesModelId(config.name, 'lstm', A);
      await s.run();
      await s.settle();
      clock.advance(MINUTE);
      expect((await s.run()).ok).toBe(true);
      expect(s.series(A)).toMatchObject({
        state: 'learning',
        detector: 'auto',
        model: { id, state: 'failed', version: null, problem: 'training failed: loss is NaN' },
      });
      expect(s.lines.map((l) => l.msg)).toContain(
        'training the lstm model of {link=transit-1} failed, the statistical fallback keeps scoring (learning): loss is NaN',
      );
      expect(await s.gauge('failed')).toBe(2);
      trainer.fail = null;

      // Not before its time: every run until then is live and trains nothing.
      clock.advance(retryAfter - 2 * MINUTE);
      await s.run();
      expect(trainer.calls).toHaveLength(2);
      expect(s.series(A).model).toMatchObject({ state: 'failed', version: null });

      clock.advance(MINUTE);
      expect((await s.run()).ok).toBe(true);
      await s.settle();
      expect(trainer.calls.map((c) => [c.id, c.request.series.timestamps.length])).toEqual([
        [id, 361],
        [seriesModelId(config.name, 'lstm', B), 361],
        [id, 361],
        [seriesModelId(config.name, 'lstm', B), 361],
      ]);
      expect(trainer.calls[2].request.source).toMatchObject({ start: clock.t - 6 * HOUR, end: clock.t });

      // The run after the model is ready rebuilds the series with it.
      clock.advance(MINUTE);
      expect((await s.run()).ok).toBe(true);
      const ready = s.models.resolve(id)!.ref.version;
      expect(ready).not.toBeNull();
      const a = s.series(A);
      expect(a).toMatchObject({
        state: 'ok',
        detector: 'lstm',
        model: { id, state: 'ready', version: ready, problem: null },
      });
      const fetched = (await s.source.fetch({ ...s.source.requests.at(-1)!, matchers: [] })).find(
        (f) => f.labels.link === A.link,
      )!;
      expect(a.score.at(-1)).toBe(expectedScore(s.models, id, fetched).score);
      expect(s.job.status().models!.counts).toMatchObject({ ready: 2, failed: 0 });
    },
    60_000,
  );
});

describe('model ids of job series', () => {
  test('stable, within the registry rules, distinct where lowercasing would merge them, hashed when long', () => {
    const id = seriesModelId('Edge', 'lstm', { __name__: 'x', link: 'Transit 1' });
    expect(id).toMatch(/^edge\.lstm\.transit-1-[0-9a-f]{12}$/);
    expect(seriesModelId('Edge', 'lstm', { __name__: 'x', link: 'Transit 1' })).toBe(id);
    expect(seriesModelId('edge', 'lstm', { link: 'transit 1' })).not.toBe(
      seriesModelId('Edge', 'lstm', { link: 'Transit 1' }),
    );
    expect(seriesModelId('j', 'lstm', { a: 'x' })).not.toBe(seriesModelId('j', 'lstm', { b: 'x' }));
    const long = seriesModelId('j', 'autoencoder', { path: '/'.repeat(10) + 'a'.repeat(200) });
    expect(long.length).toBeLessThanOrEqual(64);
    expect(long).toMatch(/^[a-z0-9][a-z0-9._-]{0,63}$/);
  });
});
