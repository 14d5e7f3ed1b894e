/**
 * The TensorFlow.js section of `trafficlens bench`:
 *
 * 1. per TF.js backend available here (tfjs-node when it loads, wasm, cpu): training throughput
 *    (windows × epochs per second) of the autoencoder and the LSTM on the same seeded series, and
 *    `model.predict` throughput (windows per second) of the trained network on that backend;
 * 2. scoring throughput of the neural detectors in the engine (a causal batch request with the model):
 *    the JavaScript forward pass (neural/forward.ts), the same on every backend;
 * 3. `/api/v1/score` latency, p50 and p99, with no training running and then while a training job
 *    runs in the training pool, in the same run, against the real app (scoring pool + training pool as
 *    the service sizes them). The ratio must stay under 1.5: training must not stall scoring.
 *
 * Inputs: the bench's seeded synthetic 1-minute traffic (inputs.ts), so every run trains and scores
 * exactly the same points.
 */
import { Agent } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import type { Tensor } from '@tensorflow/tfjs';
import type { NeuralDetector } from '../../contract/models.js';
import { createApp } from '../../api/app.js';
import { createScoringExecutor } from '../../api/executor.js';
import { Lifecycle } from '../../api/lifecycle.js';
import { listen } from '../../api/server.js';
import { loadConfig } from '../../config/index.js';
import { scoreSeries } from '../../engine/index.js';
import { openModels } from '../../api/models.js';
import { loadTf, tfjsBackend, useBackend, TFJS_BACKENDS, type TfjsBackend } from '../../models/runtime.js';
import { trainModel } from '../../models/train.js';
import { dashboardRequest, discardingLogger, post } from './api.js';
import { syntheticTraffic } from './inputs.js';
import { median, nowMs, percentile } from './stats.js';

export interface TfBenchOptions {
  /** Points of the training series (1-minute synthetic traffic). */
  trainPoints: number;
  epochs: number;
  /** Points scored by the engine per detector. */
  scorePoints: number;
  detectors: readonly NeuralDetector[];
  api: { series: number; points: number; requests: number; warmup: number; workerThreads?: number } | null;
  onStep?: (label: string) => void;
}

export interface BackendRun {
  backend: TfjsBackend;
  available: boolean;
  /** Why it is not available here. */
  reason: string | null;
  training: {
    detector: NeuralDetector;
    windows: number;
    epochs: number;
    ms: number;
    windowsPerSec: number;
  }[];
  predict: { detector: NeuralDetector; windows: number; ms: number; windowsPerSec: number }[];
}

export interface LatencyStats {
  requests: number;
  p50Ms: number;
  p99Ms: number;
}

export interface TfBenchResult {
  /** The backend the runtime picks by itself (what the service uses). */
  defaultBackend: TfjsBackend;
  backends: BackendRun[];
  scoring: { detector: NeuralDetector; points: number; ms: number; pointsPerSec: number }[];
  api: {
    series: number;
    pointsPerSeries: number;
    idle: LatencyStats;
    training: LatencyStats;
    /** The training job's backend and how far it got while the requests ran. */
    trainingBackend: string | null;
    trainingEpochsDuring: number;
    /** Wall time of the training blocks, for the epochs' rate. */
    trainingSeconds: number;
    ratioP50: number;
    ratioP99: number;
    met: boolean;
  } | null;
}

export const TF_FULL: TfBenchOptions = {
  trainPoints: 4000,
  epochs: 3,
  scorePoints: 20_000,
  detectors: ['autoencoder', 'lstm', 'classifier'],
  // 100 requests per phase, so p99 (nearest rank) is not simply the slowest request.
  api: { series: 10, points: 1440, requests: 100, warmup: 3 },
};

export const TF_QUICK: TfBenchOptions = {
  trainPoints: 1000,
  epochs: 1,
  scorePoints: 3000,
  detectors: ['autoencoder', 'lstm', 'classifier'],
  api: { series: 5, points: 1440, requests: 8, warmup: 1 },
};

function trafficSeries(points: number) {
  const s = syntheticTraffic({ points, stepMs: 60_000, seed: 4242, start: Date.UTC(2024, 0, 1) });
  return { timestamps: s.timestamps, values: s.values };
}

/**
 * Training options per detector. The classifier only trains with both classes, so it gets one
 * labelled range per 500 points (10 points each); its speed does not depend on what they mark.
 */
function trainOptions(detector: NeuralDetector, train: { timestamps: number[] }, epochs: number) {
  if (detector !== 'classifier') return { epochs };
  const t = train.timestamps;
  const labels = [];
  for (let i = 250; i + 10 < t.length; i += 500) labels.push({ start: t[i], end: t[i + 10] });
  return { epochs, labels };
}

export async function measureTfjs(opts: TfBenchOptions): Promise<TfBenchResult> {
  const rt = await loadTf();
  const defaultBackend = rt.backend;
  const train = trafficSeries(opts.trainPoints);
  const backends: BackendRun[] = [];
  for (const backend of TFJS_BACKENDS) {
    const run: BackendRun = { backend, available: false, reason: null, training: [], predict: [] };
    backends.push(run);
    if (!(await useBackend(backend))) {
      run.reason =
        rt.skipped.find((s) => s.startsWith(`${backend}:`))?.slice(backend.length + 2) ??
        'did not initialise';
      continue;
    }
    run.available = true;
    for (const detector of opts.detectors) {
      opts.onStep?.(`${backend}: training ${detector}`);
      const r = await trainModel({
        id: 'bench',
        version: 1,
        detector,
        series: train,
        options: trainOptions(detector, train, opts.epochs),
      });
      const { windows } = r.metadata.training;
      // The training time alone (the result also includes cleaning and calibration, which are small).
      const ms = r.metadata.training.durationMs;
      run.training.push({
        detector,
        windows,
        epochs: opts.epochs,
        ms,
        windowsPerSec: (windows * opts.epochs * 1000) / ms,
      });

      opts.onStep?.(`${backend}: predict ${detector}`);
      const { tf } = rt;
      const model = await tf.loadLayersModel(
        tf.io.fromMemory({
          modelTopology: r.artifacts.modelTopology as object,
          weightSpecs: r.artifacts.weightSpecs,
          weightData: r.artifacts.weightData,
        }),
      );
      const f = r.metadata.features;
      const x = tf.randomNormal([windows, ...f.inputShape], 0, 1, 'float32', 7);
      (model.predict(x) as Tensor).dataSync(); // warm-up
      const t0 = nowMs();
      (model.predict(x) as Tensor).dataSync();
      const pms = nowMs() - t0;
      run.predict.push({ detector, windows, ms: pms, windowsPerSec: (windows * 1000) / pms });
      x.dispose();
      model.dispose();
    }
  }
  await useBackend(defaultBackend);

  const scoring: TfBenchResult['scoring'] = [];
  const score = trafficSeries(opts.scorePoints);
  for (const detector of opts.detectors) {
    opts.onStep?.(`engine: scoring with ${detector}`);
    const { bundle } = await trainModel({
      id: 'bench',
      version: 1,
      detector,
      series: train,
      options: trainOptions(detector, train, 1),
    });
    scoreSeries(
      { timestamps: score.timestamps.slice(0, 2000), values: score.values.slice(0, 2000) },
      { detector, model: bundle, options: { causal: true } },
    );
    const t0 = nowMs();
    scoreSeries(score, { detector, model: bundle, options: { causal: true } });
    const ms = nowMs() - t0;
    scoring.push({ detector, points: opts.scorePoints, ms, pointsPerSec: (opts.scorePoints * 1000) / ms });
  }

  const api = opts.api ? await measureApiDuringTraining(opts.api, opts.onStep) : null;
  return { defaultBackend, backends, scoring, api };
}

async function measureApiDuringTraining(
  o: NonNullable<TfBenchOptions['api']>,
  onStep?: (label: string) => void,
): Promise<TfBenchResult['api']> {
  const env: Record<string, string> = {};
  if (o.workerThreads !== undefined) env.TRAFFICLENS_WORKER_THREADS = String(o.workerThreads);
  const config = loadConfig({ env });
  const logger = discardingLogger();
  const executor = createScoringExecutor(config.scoring, logger);
  const dir = await mkdtemp(join(tmpdir(), 'tl-bench-models-'));
  const agent = new Agent({ keepAlive: true, maxSockets: 2 });
  let server: Awaited<ReturnType<typeof listen>>['server'] | undefined;
  let models: Awaited<ReturnType<typeof openModels>> | null = null;
  try {
    await executor.start();
    const app = createApp({
      config,
      logger,
      registry: new Registry(),
      executor,
      version: 'bench',
      lifecycle: new Lifecycle(),
    });
    const listening = await listen(app, { host: '127.0.0.1', port: 0 });
    server = listening.server;
    const scoreUrl = new URL('/api/v1/score', listening.url);
    const body = Buffer.from(JSON.stringify(dashboardRequest(o.series, o.points)));

    // Paced like dashboards refreshing, not back to back: after each answer the client waits as long as
    // the request took, so the service is busy about half the time. Back to back, the scoring threads
    // would hold both cores and the training thread (lowest priority) would get no CPU at all, and the
    // comparison would not be "while a model trains".
    const measure = async (label: string, count: number, into: number[]): Promise<void> => {
      for (let r = 0; r < count; r++) {
        const t0 = nowMs();
        const res = await post(agent, scoreUrl, body);
        if (res.status !== 200) {
          throw new Error(`POST /api/v1/score answered ${res.status}: ${res.body.slice(0, 200)}`);
        }
        const took = nowMs() - t0;
        into.push(took);
        onStep?.(`${label} ${r + 1}/${count}`);
        await new Promise((resolve) => setTimeout(resolve, took));
      }
    };
    await measure('api warm-up', o.warmup, []);

    // Idle and training blocks alternate, so load from other processes on a shared machine falls on
    // both alike. Each training block starts a training pool and an LSTM job on 1 day of 1-minute data
    // (epochs short enough that progress shows within a block; 100,000 of them, so the job outlasts
    // the block) and destroys the pool afterwards, killing the job.
    const blocks = Math.min(4, o.requests);
    const idle: number[] = [];
    const training: number[] = [];
    let epochsDuring = 0;
    let trainingMs = 0;
    const job = trafficSeries(1440);
    for (let b = 0; b < blocks; b++) {
      const count = Math.floor(o.requests / blocks) + (b < o.requests % blocks ? 1 : 0);
      await measure(`api idle (block ${b + 1}/${blocks})`, count, idle);
      models = await openModels({
        dir,
        trainingThreads: config.models.trainingThreads,
        limits: config.limits,
        logger: pino({ level: 'silent' }),
        version: 'bench',
      });
      const started = models.registry.startTraining({
        id: `bench-load-${b}`,
        detector: 'lstm',
        series: job,
        options: { epochs: 100_000 },
      });
      for (;;) {
        const s = models.registry.get(started.id);
        if (s?.training?.state === 'training') break;
        if (s?.training?.state === 'failed')
          throw new Error(`bench training job failed: ${s.training.error}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const before = models.registry.get(started.id)?.training?.epoch ?? 0;
      const blockStart = nowMs();
      await measure(`api while training (block ${b + 1}/${blocks})`, count, training);
      trainingMs += nowMs() - blockStart;
      const status = models.registry.get(started.id);
      if (status?.training?.state !== 'training') {
        throw new Error('the bench training job finished before the requests did; give it more epochs');
      }
      epochsDuring += status.training.epoch - before;
      await models.close().catch(() => {});
      models = null;
    }
    const stats = (xs: number[]): LatencyStats => ({
      requests: xs.length,
      p50Ms: median(xs),
      p99Ms: percentile(xs, 99),
    });
    const a = stats(idle);
    const t = stats(training);
    const ratioP50 = t.p50Ms / a.p50Ms;
    const ratioP99 = t.p99Ms / a.p99Ms;
    return {
      series: o.series,
      pointsPerSeries: o.points,
      idle: a,
      training: t,
      // The training worker runs the same selection as this thread (models/runtime.ts).
      trainingBackend: tfjsBackend(),
      trainingEpochsDuring: epochsDuring,
      trainingSeconds: trainingMs / 1000,
      ratioP50,
      ratioP99,
      met: ratioP50 < 1.5 && ratioP99 < 1.5,
    };
  } finally {
    agent.destroy();
    if (server) {
      const s = server;
      await new Promise<void>((resolve) => s.close(() => resolve()));
    }
    await executor.close();
    await models?.close().catch(() => {});
    await rm(dir, { recursive: true, force: true });
  }
}

const n = (x: number) => Math.round(x).toLocaleString('en-US');

export function formatTfjsReport(r: TfBenchResult): string {
  const lines: string[] = [];
  lines.push('', `TensorFlow.js (the service picks: ${r.defaultBackend})`, '');
  lines.push('backend      detector      training windows×epochs/s   model.predict windows/s');
  for (const b of r.backends) {
    if (!b.available) {
      lines.push(`${b.backend.padEnd(12)} not available here: ${b.reason ?? ''}`);
      continue;
    }
    for (const t of b.training) {
      const p = b.predict.find((x) => x.detector === t.detector);
      lines.push(
        `${b.backend.padEnd(12)} ${t.detector.padEnd(13)} ${n(t.windowsPerSec).padStart(24)}   ${(p ? n(p.windowsPerSec) : '').padStart(23)}`,
      );
    }
  }
  lines.push('', 'scoring in the engine (JavaScript forward pass, any backend), causal points/s:');
  for (const s of r.scoring) lines.push(`  ${s.detector.padEnd(13)} ${n(s.pointsPerSec)}`);
  if (r.api) {
    const a = r.api;
    lines.push(
      '',
      `/api/v1/score (${a.series} series × ${a.pointsPerSeries} points, paced: a pause as long as each request), idle vs while an LSTM trains on 1 day of data (${a.trainingBackend ?? '?'}; ${a.trainingEpochsDuring} epochs in the ${a.trainingSeconds.toFixed(0)} s of requests; alternating blocks):`,
      `  idle       p50 ${a.idle.p50Ms.toFixed(0)} ms   p99 ${a.idle.p99Ms.toFixed(0)} ms   (${a.idle.requests} requests)`,
      `  training   p50 ${a.training.p50Ms.toFixed(0)} ms   p99 ${a.training.p99Ms.toFixed(0)} ms   (${a.training.requests} requests)`,
      `  ratio      p50 ${a.ratioP50.toFixed(2)}×   p99 ${a.ratioP99.toFixed(2)}×   target < 1.5: ${a.met ? 'met' : 'NOT MET'}`,
    );
  }
  return lines.join('\n') + '\n';
}
