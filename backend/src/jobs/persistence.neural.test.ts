/**
 * The restart test for a job with a neural detector (lstm): its series score with trained models, whose
 * streams the engine cannot snapshot; they are persisted as the points they were fed and replayed into
 * the same model version (jobs/replay.ts). After a stop and a restart the job's scores, bands and
 * episodes (an open one included) must be identical to those of a job that never stopped; a series
 * whose model version changed meanwhile re-learns from the fit window, with a log line saying why.
 * Training is real (TF.js, two epochs, window 8), once, before the runs.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { TrainingQueue } from '../models/queue.js';
import { ModelRegistry, type Trainer } from '../models/registry.js';
import { createInlineTrainer } from '../models/trainer.js';
import { FakeSource } from '../sources/fake.js';
import type { JobConfigInput } from './config.js';
import type { JobSeriesResult } from './job.js';
import { JobManager } from './manager.js';
import { seriesModelId } from './models.js';
import { JobStateStore } from './persistence.js';
import { captureLogger, points, TestClock } from './testing/helpers.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const T0 = Date.UTC(2025, 0, 13, 12);
const A = { link: 'transit-1' };
const B = { link: 'ix-1' };
/** The runs compared: from T1 (models trained before) to END; the stop and restart in between. */
const T1 = T0 + 2 * HOUR;
const INCIDENT = { start: T1 + 15 * MINUTE, end: T1 + 60 * MINUTE };
const STOP_AT = T1 + 20 * MINUTE + 5_000;
const RESTART_AT = STOP_AT + 7 * MINUTE + 2_000;
// After the last run of both clocks (T1 + k minutes, and RESTART_AT + k minutes: 7 s later).
const END = T1 + 45 * MINUTE + 10_000;

const wave = (base: number) => (t: number) =>
  base +
  10 * Math.sin(t / (20 * MINUTE)) +
  (base === 100 && t >= INCIDENT.start && t < INCIDENT.end ? 120 : 0);

const CONFIG: JobConfigInput = {
  name: 'neural',
  source: { type: 'simulator' },
  detector: 'lstm',
  interval: '1m',
  step: '1m',
  fit_window: '6h',
  stale_after: '1d',
  training: { epochs: 2, window: 8 },
};

/** Training must not happen in the compared runs: the models trained first are on disk. */
class NoTrainer implements Trainer {
  calls = 0;
  async train(): Promise<never> {
    this.calls++;
    throw new Error('no training in this run');
  }
  async close(): Promise<void> {}
}

let modelsDir = '';
let stateDir = '';

async function service(at: number, options: { state: boolean; trainer?: Trainer; name?: string }) {
  const name = options.name ?? 'neural';
  const clock = new TestClock(at);
  const { logger, lines } = captureLogger();
  const trainer = options.trainer ?? new NoTrainer();
  const models = new ModelRegistry({ dir: modelsDir, trainer, logger, version: 'test' });
  await models.load();
  const queue = new TrainingQueue(models, 1);
  const state = options.state ? await JobStateStore.open({ dir: stateDir, intervalMs: 0, logger }) : null;
  const manager = new JobManager({
    logger,
    now: clock.now,
    registry: new Registry(),
    models: { registry: models, queue },
    state,
  });
  const source = new FakeSource();
  for (const [labels, base] of [
    [A, 100],
    [B, 50],
  ] as const) {
    source.add(labels, points(T0 - 12 * HOUR, T0 + 12 * HOUR, MINUTE, wave(base)));
  }
  manager.addJob({ ...CONFIG, name }, source);
  const runUntil = async (until: number) => {
    for (;;) {
      expect(await manager.runOnce(name)).toMatchObject({ ok: true });
      if (clock.t + MINUTE > until) break;
      clock.advance(MINUTE);
    }
  };
  const results = (): JobSeriesResult[] =>
    [...manager.seriesResults(name)!].sort((a, b) => (a.labels.link < b.labels.link ? -1 : 1));
  return { clock, models, manager, lines, trainer, runUntil, results };
}

let reference: JobSeriesResult[];
let referenceOpen = 0;

beforeAll(async () => {
  modelsDir = await mkdtemp(join(tmpdir(), 'tl-neural-models-'));
  // The models: the job's first run backfills and trains them (real training, in process).
  const training = await service(T0, { state: false, trainer: createInlineTrainer() });
  await training.runUntil(T0);
  for (const labels of [A, B]) await training.models.settled(seriesModelId('neural', 'lstm', labels));
  for (const labels of [A, B])
    expect(training.models.get(seriesModelId('neural', 'lstm', labels))).toMatchObject({
      state: 'ready',
      version: 1,
    });

  // The reference: a job that never stops, scoring with those models from T1 on.
  const never = await service(T1, { state: false });
  await never.runUntil(END);
  reference = never.results();
  referenceOpen = never.manager.list()[0].openEpisodes;
}, 120_000);

afterAll(async () => {
  await rm(modelsDir, { recursive: true, force: true });
});

beforeEach(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'tl-neural-state-'));
});
afterEach(async () => {
  await rm(stateDir, { recursive: true, force: true });
});

describe('a restarted neural job continues as if it had never stopped', () => {
  test('the reference scores with the models and has an episode open at the end; a restart without a snapshot differs', async () => {
    expect(reference.map((r) => [r.detector, r.state, r.model?.version])).toEqual([
      ['lstm', 'ok', 1],
      ['lstm', 'ok', 1],
    ]);
    expect(referenceOpen).toBeGreaterThan(0);
    const control = await service(RESTART_AT, { state: false });
    await control.runUntil(END);
    const differ = control.results().filter((r, i) => JSON.stringify(r) !== JSON.stringify(reference[i]));
    expect(differ.length).toBe(2);
  });

  test('stop mid-incident: the snapshot holds the recorded points; restored, scores and episodes are identical', async () => {
    const first = await service(T1, { state: true });
    await first.runUntil(STOP_AT);
    expect(first.manager.list()[0].openEpisodes).toBeGreaterThan(0);
    const dataUntil = first.manager.list()[0].dataUntil!;
    await first.manager.stop();
    const text = await readFile(join(stateDir, 'neural.state'), 'utf8');
    const body = JSON.parse(text.slice(text.indexOf('\n') + 1)) as {
      series: { stream: unknown; neural?: { model: unknown; count: number; complete: boolean } }[];
    };
    expect(body.series.map((s) => [s.stream, s.neural?.model, s.neural?.complete])).toEqual(
      [A, B].map(() => [null, expect.objectContaining({ version: 1 }), true]),
    );
    // The fit window and the live points since: what the streams were fed.
    expect(body.series[0].neural!.count).toBe(6 * 60 + 1 + 20);

    const second = await service(RESTART_AT, { state: true });
    await second.runUntil(END);
    expect(second.lines.map((l) => l.msg)).toContain(
      `job neural: restored 2 series from snapshot at ${new Date(dataUntil).toISOString()}, backfilling ${Math.floor((RESTART_AT - dataUntil) / MINUTE)} points`,
    );
    expect(second.results()).toEqual(reference);
    expect(second.manager.list()[0].openEpisodes).toBe(referenceOpen);
    // Only the gap and the live points were scored, not the fit window again, and nothing trained.
    expect(second.manager.list()[0].pointsScored).toBeLessThan(2 * 40);
    expect((second.trainer as NoTrainer).calls).toBe(0);
    await second.manager.stop();
  });

  test('a model version that changed meanwhile: that series re-learns from the fit window (logged), the other is restored', async () => {
    const first = await service(T1, { state: true });
    await first.runUntil(STOP_AT);
    await first.manager.stop();
    // Between the stop and the restart the model of A is deleted (its files go too).
    const idA = seriesModelId('neural', 'lstm', A);
    expect(await first.models.delete(idA)).toBe(true);

    const second = await service(RESTART_AT, { state: true });
    await second.runUntil(END);
    expect(second.lines.map((l) => l.msg)).toContain(
      `job neural: series {link=transit-1} not restored: it scored with model ${idA} v1, and no version of it is loaded; it re-learns from the fit window on the next run`,
    );
    const [b, a] = second.results();
    // B continues exactly; A was rebuilt from the fit window on the statistical fallback while its
    // model trains again (here the training fails: NoTrainer).
    expect(b).toEqual(reference[0]);
    expect(a).toMatchObject({ state: 'learning', model: { id: idA, version: null } });
    expect(a.timestamps[0]).toBeLessThanOrEqual(RESTART_AT - 6 * HOUR + MINUTE);
    expect((second.trainer as NoTrainer).calls).toBe(1);
  });

  test('series on the statistical fallback (no model yet) are restored too, still learning, and their failed trainings are not retried at once', async () => {
    // Another job name: other model ids, none on disk; their trainings fail (NoTrainer).
    const never = await service(T1, { state: false, name: 'cold' });
    await never.runUntil(END);
    const coldReference = never.results();
    expect(coldReference.map((r) => [r.state, r.model?.version])).toEqual([
      ['learning', null],
      ['learning', null],
    ]);

    const first = await service(T1, { state: true, name: 'cold' });
    await first.runUntil(STOP_AT);
    await first.manager.stop();
    expect((first.trainer as NoTrainer).calls).toBe(2);
    const second = await service(RESTART_AT, { state: true, name: 'cold' });
    await second.runUntil(END);
    expect(second.lines.map((l) => l.msg)).toContainEqual(
      expect.stringMatching(/^job cold: restored 2 series from snapshot at /),
    );
    expect(second.results()).toEqual(coldReference);
    // The snapshot kept when they failed: the next try is fit_window (6 h) after that, as in the job that
    // never stopped, not at the first run after the restart (before: 2 more failed trainings here).
    expect((second.trainer as NoTrainer).calls).toBe(0);
  });
});
