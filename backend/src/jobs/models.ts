/**
 * The trained models of a job whose detector is neural: one model per series, in the service's model
 * registry under an id derived from the job and the series, trained through the jobs' training queue
 * from the job's fit window. This class keeps, per series, which version its stream scores with, and
 * answers the job's questions: which model to build a stream with, which series have a newer version
 * to swap in, which failed ones are due another try. Training never blocks a run: it is queued, and a
 * finished model is picked up by the job's next run.
 */
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { ModelSource, NeuralDetector, TrainOptions } from '../contract/models.js';
import type { TrainedRef } from '../engine/types.js';
import type { ModelBundle } from '../neural/artifacts.js';
import type { TrainingQueue } from '../models/queue.js';
import type { ModelRegistry } from '../models/registry.js';
import { seriesKey, type Labels, type SourceSeries } from '../sources/source.js';
import type { JobModelState, JobSeriesModel } from '../contract/jobs.js';
import { formatLabels } from './labels.js';

/** What a job needs of the model side of the service. */
export interface JobModelServices {
  registry: Pick<ModelRegistry, 'resolve' | 'get'>;
  queue: TrainingQueue;
}

const MAX_ID = 64;
const HASH_CHARS = 12;

/**
 * A model id for a series of a job: readable (job, detector, label values, lowercased, anything else
 * replaced by "-") and then a hash of the exact job, detector and label set, since lowercasing and
 * replacing characters can map two series to the same text. Stable across restarts and within the
 * registry's id rules (64 characters, a-z 0-9 . _ -).
 */
export function seriesModelId(job: string, detector: string, labels: Labels): string {
  const hash = createHash('sha256')
    .update(`${job}\n${detector}\n${seriesKey(labels)}`)
    .digest('hex')
    .slice(0, HASH_CHARS);
  const values = Object.keys(labels)
    .sort()
    .filter((k) => k !== '__name__')
    .map((k) => labels[k]);
  const readable = [job, detector, ...values]
    .join('.')
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[^a-z0-9]+/, '');
  const room = MAX_ID - HASH_CHARS - 1;
  const head = readable.slice(0, room).replace(/[._-]+$/, '');
  return head ? `${head}-${hash}` : hash;
}

/** A series' failed model training, as a job's state snapshot keeps it. */
export interface FailedTraining {
  /** When it failed (ms). */
  at: number;
  /** What the series reports until the next try, e.g. "training failed: …". */
  problem: string;
}

interface SeriesModel {
  id: string;
  labels: Labels;
  /** Version the series' stream scores with; null while it scores with the statistical fallback. */
  serving: number | null;
  /** Training was asked for at least once while the job runs. */
  requested: boolean;
  problem: string | null;
  failedAt: number | null;
}

export interface JobModelsOptions {
  job: string;
  detector: NeuralDetector;
  stepMs: number;
  fitWindowMs: number;
  fitEveryMs: number | null;
  training: TrainOptions;
  services: JobModelServices;
  logger: Logger;
  now: () => number;
}

export class JobModels {
  private readonly series = new Map<string, SeriesModel>();
  private lastError: { message: string; at: number } | null = null;

  constructor(private readonly opts: JobModelsOptions) {}

  private entry(key: string, labels: Labels): SeriesModel {
    let e = this.series.get(key);
    if (!e) {
      e = {
        id: seriesModelId(this.opts.job, this.opts.detector, labels),
        labels: { ...labels },
        serving: null,
        requested: false,
        problem: null,
        failedAt: null,
      };
      this.series.set(key, e);
    }
    return e;
  }

  /** The model a new stream of this series scores with (its newest ready version), and how to report it. */
  modelFor(key: string, labels: Labels): { bundle: ModelBundle | null; trained: TrainedRef } {
    const e = this.entry(key, labels);
    const found = this.opts.services.registry.resolve(e.id);
    e.serving = found?.bundle ? found.bundle.metadata.version : null;
    return {
      bundle: found?.bundle ?? null,
      trained: found?.ref ?? { id: e.id, version: null, state: 'missing' },
    };
  }

  /**
   * After a restart (jobs/persistence.ts): the series' stream scored with `version` (null: the fallback).
   * Returns the model when that version is the ready one, so the stream can be rebuilt with it; else
   * null, and due() then answers for the series as for one whose version changed (a swap to the ready
   * version) or that has none (a training), so its next run rebuilds it from the fit window.
   */
  restore(
    key: string,
    labels: Labels,
    version: number | null,
    /** Its last training's failure (the snapshot's), or null: due() retries it fit_every after that. */
    failed: FailedTraining | null = null,
  ): { bundle: ModelBundle; trained: TrainedRef } | null {
    const e = this.entry(key, labels);
    e.serving = version;
    if (failed) {
      e.failedAt = failed.at;
      e.problem = failed.problem;
      e.requested = true;
    }
    if (version === null) return null;
    const found = this.opts.services.registry.resolve(e.id);
    return found?.bundle && found.bundle.metadata.version === version
      ? { bundle: found.bundle, trained: found.ref }
      : null;
  }

  /** Series whose last training failed: when and why (for the job's state snapshot). */
  failedTrainings(): Map<string, FailedTraining> {
    const out = new Map<string, FailedTraining>();
    for (const [key, e] of this.series) {
      if (e.failedAt !== null) out.set(key, { at: e.failedAt, problem: e.problem ?? 'training failed' });
    }
    return out;
  }

  /** The id and ready version of the series' model (null: none ready), for log lines. */
  ready(key: string, labels: Labels): { id: string; version: number | null } {
    const e = this.entry(key, labels);
    return { id: e.id, version: this.opts.services.registry.resolve(e.id)?.ref.version ?? null };
  }

  /**
   * Series whose model needs data: those without a model, and on a refit all of them. A model found on
   * disk (a restart) is kept unless it is older than fit_every.
   */
  needsTraining(key: string, refit: boolean): boolean {
    const e = this.series.get(key);
    if (!e) return false;
    if (refit || this.queued(e)) return refit;
    const meta = this.opts.services.registry.get(e.id)?.metadata;
    if (!meta) return true;
    const { fitEveryMs } = this.opts;
    return fitEveryMs !== null && this.opts.now() - Date.parse(meta.createdAt) >= fitEveryMs;
  }

  /**
   * Series that want the fit window fetched: a newer version to swap in, or data for a training (a
   * series that appeared after the backfill, or a failed training due another try).
   */
  due(): { swap: Set<string>; retry: Set<string> } {
    const swap = new Set<string>();
    const retry = new Set<string>();
    const retryAfter = this.opts.fitEveryMs ?? this.opts.fitWindowMs;
    for (const [key, e] of this.series) {
      const ready = this.opts.services.registry.resolve(e.id)?.ref.version ?? null;
      if (ready !== null && ready !== e.serving) swap.add(key);
      else if (!e.requested && ready === null && !this.queued(e)) retry.add(key);
      else if (
        e.failedAt !== null &&
        !this.queued(e) &&
        this.opts.now() - e.failedAt >= retryAfter &&
        ready === null
      ) {
        retry.add(key);
      }
    }
    return { swap, retry };
  }

  /** Queue training of the series' model on this data (the job's fit window). */
  train(key: string, data: SourceSeries): void {
    const e = this.entry(key, data.labels);
    const source: ModelSource = {
      type: 'job',
      job: this.opts.job,
      labels: { ...data.labels },
      start: data.timestamps[0],
      end: data.timestamps[data.timestamps.length - 1],
      stepMs: this.opts.stepMs,
      fitWindowMs: this.opts.fitWindowMs,
    };
    e.failedAt = null;
    e.requested = true;
    this.opts.services.queue.enqueue(
      {
        id: e.id,
        detector: this.opts.detector,
        series: { labels: data.labels, timestamps: data.timestamps, values: data.values },
        options: this.opts.training,
        source,
      },
      (model, error) => this.settled(e, model?.version ?? null, error),
    );
  }

  private settled(e: SeriesModel, ready: number | null, error: string | null): void {
    if (error === null) {
      e.problem = null;
      return;
    }
    const keeps =
      ready !== null ? `v${ready} keeps scoring` : 'the statistical fallback keeps scoring (learning)';
    e.problem = `training failed: ${error}`;
    e.failedAt = this.opts.now();
    this.lastError = { message: `model ${e.id}: ${error}`, at: e.failedAt };
    this.opts.logger.warn(
      { stage: 'models', labels: e.labels, model: e.id, err: error },
      `training the ${this.opts.detector} model of ${formatLabels(e.labels)} failed, ${keeps}: ${error}`,
    );
  }

  private queued(e: SeriesModel): boolean {
    if (this.opts.services.queue.stateOf(e.id) !== null) return true;
    const t = this.opts.services.registry.get(e.id)?.training?.state;
    return t === 'queued' || t === 'training';
  }

  /** A series dropped from the job: its model stays on disk (the series may come back). */
  forget(key: string): void {
    this.series.delete(key);
  }

  state(key: string): JobSeriesModel | null {
    const e = this.series.get(key);
    if (!e) return null;
    const inFlight = this.queued(e);
    const ready = this.opts.services.registry.resolve(e.id)?.ref.version ?? null;
    const pendingSwap = ready !== null && ready !== e.serving;
    let state: JobModelState;
    if (e.serving !== null) state = inFlight || pendingSwap ? 'retraining' : 'ready';
    else if (inFlight || pendingSwap)
      state = this.opts.services.queue.stateOf(e.id) === 'waiting' ? 'queued' : 'training';
    else state = e.problem ? 'failed' : 'queued';
    return { id: e.id, state, version: e.serving, problem: e.problem };
  }

  summary(): { counts: Record<JobModelState, number>; lastError: { message: string; at: number } | null } {
    const counts: Record<JobModelState, number> = {
      queued: 0,
      training: 0,
      ready: 0,
      retraining: 0,
      failed: 0,
    };
    for (const key of this.series.keys()) {
      const s = this.state(key);
      if (s) counts[s.state]++;
    }
    return { counts, lastError: this.lastError };
  }
}
