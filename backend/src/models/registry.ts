/**
 * The model registry: the models directory, what is in it, and the training jobs that add to it.
 *
 *   <dir>/<id>/v<N>/...        one folder per version (artifacts.ts), written atomically
 *   <dir>/.quarantine/...      versions that failed to load, moved aside with a reason.txt
 *
 * At start every version is read and checked (metadata schema, weights checksum, layers against the
 * input shape); one that fails is logged, moved to the quarantine folder and never crashes the
 * service. The newest good version of a model scores; retraining writes the next version and the
 * previous one keeps scoring until it is ready. Training runs through a `Trainer` (a worker pool in
 * the service, in-process in tests and the CLI), never on the event loop.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import {
  NeuralDetector,
  type ModelMetadata,
  type ModelStatus,
  type TrainSpec,
  type TrainingProgress,
} from '../contract/models.js';
import type { TrainedRef } from '../engine/types.js';
import { readModelDir, type ModelBundle } from '../neural/artifacts.js';
import {
  checkDirectory,
  describeFsError,
  diagnoseWrite,
  errnoOf,
  probeWritable,
  storageStatus,
  type StorageStatus,
} from './storage.js';
import { DEFAULT_EPOCHS } from './train.js';

export interface TrainJob {
  dir: string;
  id: string;
  version: number;
  request: TrainSpec;
  trafficlensVersion: string;
}

/** Trains a model and writes it to `<job.dir>/<job.id>/v<job.version>`; resolves with its metadata. */
export interface Trainer {
  train(
    job: TrainJob,
    onProgress: (epoch: number, epochs: number, loss: number) => void,
  ): Promise<ModelMetadata>;
  close(): Promise<void>;
  /**
   * Trainings it accepts at once, running and waiting (a pool: threads + its queue). Beyond it the
   * registry refuses up front (503) instead of accepting a training the pool would reject later.
   */
  readonly capacity?: number;
}

export interface ModelLookup {
  detector: ModelStatus['detector'];
  bundle: ModelBundle | null;
  ref: TrainedRef;
}

/** What the score route needs of the registry. */
export type ModelResolver = (id: string) => ModelLookup | null;

export class ModelError extends Error {
  constructor(
    /** overloaded: the training pool is full (503 + Retry-After); storage: the disk refused (503/507). */
    readonly kind: 'not_found' | 'invalid' | 'busy' | 'overloaded' | 'storage',
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'ModelError';
  }
}

interface Entry {
  id: string;
  detector: ModelStatus['detector'];
  versions: Map<number, ModelBundle>;
  training: TrainingProgress | null;
  /** Next version number to write (also past quarantined or failed ones, so a folder is never reused). */
  next: number;
  problem: string | null;
  quarantined: boolean;
  job: Promise<void> | null;
}

export const QUARANTINE = '.quarantine';
/** A deleted model's folder is renamed to this prefix first (atomic), then removed. */
const DELETED = '.deleted-';

/** The detector a (possibly corrupt) version's metadata names, if it can still be read. */
async function detectorOf(dir: string): Promise<ModelStatus['detector']> {
  try {
    const raw = JSON.parse(await readFile(join(dir, 'metadata.json'), 'utf8')) as { detector?: unknown };
    const d = NeuralDetector.safeParse(raw.detector);
    if (d.success) return d.data;
  } catch {
    // unreadable: unknown
  }
  return 'autoencoder';
}
const VERSION_DIR = /^v(\d+)$/;

export interface ModelRegistryOptions {
  dir: string;
  trainer: Trainer;
  logger: Logger;
  version: string;
  /** Trainer capacity kept for the continuous jobs' queue (TrainingQueue), which API requests cannot take. */
  reservedForQueue?: number;
}

export interface StartOptions {
  /** From the jobs' TrainingQueue: may use the capacity reserved for it. */
  queued?: boolean;
}

export class ModelRegistry {
  readonly dir: string;
  private readonly entries = new Map<string, Entry>();
  private counter = 0;
  private closed = false;
  /** Trainings handed to the trainer and not yet settled. */
  private inFlight = 0;
  private storageStatus: StorageStatus = { state: 'ready', problem: null };

  constructor(private readonly opts: ModelRegistryOptions) {
    this.dir = resolve(opts.dir);
  }

  /** Reads every model in the directory; corrupt versions are quarantined. Never throws for bad files. */
  async load(): Promise<{ models: number; quarantined: number }> {
    const log = this.opts.logger;
    // An unusable directory (a file, missing on a read-only file system, unreadable) costs the
    // models only: statistical scoring needs none, so the service starts and says so.
    let ids: string[];
    try {
      // A recursive mkdir on a read-only file system answers ENOENT: diagnose the real cause.
      await mkdir(this.dir, { recursive: true }).catch(async (err: unknown) => {
        throw await diagnoseWrite(this.dir, err);
      });
      const notDir = await checkDirectory(this.dir);
      if (notDir) throw notDir;
      ids = await readdir(this.dir);
    } catch (err) {
      const problem = `the models directory cannot be used: ${describeFsError(err)}`;
      this.storageStatus = { state: 'unavailable', problem };
      log.error(
        { stage: 'models', dir: this.dir, code: errnoOf(err), err: describeFsError(err) },
        `models unavailable: ${this.dir} cannot be used (${describeFsError(err)}); statistical scoring works, model routes answer 503 until TRAFFICLENS_MODELS_DIR is fixed and the service restarted`,
      );
      return { models: 0, quarantined: 0 };
    }
    const probe = await probeWritable(this.dir);
    this.storageStatus = probe
      ? { state: 'read_only', problem: `the models directory is not writable: ${describeFsError(probe)}` }
      : { state: 'ready', problem: null };
    if (probe) {
      log.warn(
        { stage: 'models', dir: this.dir, code: errnoOf(probe), err: describeFsError(probe) },
        `models directory ${this.dir} is not writable (${describeFsError(probe)}): models load and score, training and deleting answer 503`,
      );
    }
    const removeLeftover = (path: string) =>
      rm(path, { recursive: true, force: true }).catch((err: unknown) =>
        log.warn(
          { stage: 'models', path, err: describeFsError(err) },
          `could not remove the leftover ${path}: ${describeFsError(err)}`,
        ),
      );
    let quarantined = 0;
    for (const id of ids) {
      // A model deleted while its files could not all be removed at once: finish the job.
      if (id.startsWith(DELETED)) await removeLeftover(join(this.dir, id));
      if (id.startsWith('.')) continue;
      const modelDir = join(this.dir, id);
      let names: string[];
      try {
        names = await readdir(modelDir);
      } catch {
        continue;
      }
      for (const name of names) {
        // Leftovers of a write that never finished (a crash mid-save): never complete, never loaded.
        if (name.startsWith('.tmp-')) await removeLeftover(join(modelDir, name));
      }
      const versions = names
        .map((n) => VERSION_DIR.exec(n))
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => Number(m[1]))
        .sort((a, b) => a - b);
      for (const v of versions) {
        const versionDir = join(modelDir, `v${v}`);
        try {
          const bundle = await readModelDir(versionDir);
          if (bundle.metadata.id !== id || bundle.metadata.version !== v) {
            throw new Error(`metadata.json names ${bundle.metadata.id} v${bundle.metadata.version}`);
          }
          const e = this.entry(id, bundle.metadata.detector);
          e.versions.set(v, bundle);
          e.next = Math.max(e.next, v + 1);
        } catch (err) {
          quarantined++;
          await this.quarantine(id, v, versionDir, err instanceof Error ? err.message : String(err));
        }
      }
    }
    const models = [...this.entries.values()].filter((e) => e.versions.size > 0).length;
    log.info(
      { stage: 'models', dir: this.dir, models, quarantined },
      `models: ${models} loaded from ${this.dir}${quarantined ? `, ${quarantined} corrupt version(s) quarantined` : ''}`,
    );
    return { models, quarantined };
  }

  private entry(id: string, detector: ModelStatus['detector']): Entry {
    let e = this.entries.get(id);
    if (!e) {
      e = {
        id,
        detector,
        versions: new Map(),
        training: null,
        next: 1,
        problem: null,
        quarantined: false,
        job: null,
      };
      this.entries.set(id, e);
    }
    return e;
  }

  private async quarantine(id: string, version: number, versionDir: string, reason: string): Promise<void> {
    const target = join(this.dir, QUARANTINE, `${id}-v${version}-${Date.now()}`);
    const log = this.opts.logger;
    let movedTo: string | null = null;
    try {
      await mkdir(join(this.dir, QUARANTINE), { recursive: true });
      await rename(versionDir, target);
      movedTo = target;
      await writeFile(join(target, 'reason.txt'), `${reason}\n`);
    } catch (err) {
      const why = describeFsError(movedTo ? err : await diagnoseWrite(this.dir, err));
      if (movedTo) {
        log.warn(
          { stage: 'models', id, version, err: why },
          `could not write reason.txt in ${movedTo}: ${why}`,
        );
      } else {
        // Say what happened: the version is skipped, and stays where it was.
        log.warn(
          { stage: 'models', id, version, reason, movedTo: null, moveError: why },
          `model ${id} v${version} is corrupt and was not loaded; it could not be moved to ${QUARANTINE} (${why}) and stays in ${versionDir}: ${reason}`,
        );
      }
    }
    if (movedTo) {
      log.warn(
        { stage: 'models', id, version, reason, movedTo },
        `model ${id} v${version} is corrupt and was quarantined (moved to ${movedTo}): ${reason}`,
      );
    }
    // The id stays known (its state says what happened) and is retrainable under the same id.
    const e = this.entries.get(id) ?? this.entry(id, await detectorOf(movedTo ?? versionDir));
    e.quarantined = e.versions.size === 0;
    e.problem = `v${version} quarantined: ${reason}`;
    e.next = Math.max(e.next, version + 1);
  }

  private current(e: Entry): ModelBundle | null {
    let best: ModelBundle | null = null;
    for (const b of e.versions.values()) if (!best || b.metadata.version > best.metadata.version) best = b;
    return best;
  }

  private status(e: Entry): ModelStatus {
    const cur = this.current(e);
    const state: ModelStatus['state'] = cur
      ? 'ready'
      : e.training && (e.training.state === 'queued' || e.training.state === 'training')
        ? 'training'
        : e.quarantined
          ? 'quarantined'
          : 'failed';
    return {
      id: e.id,
      detector: cur?.metadata.detector ?? e.detector,
      state,
      version: cur?.metadata.version ?? null,
      versions: [...e.versions.keys()].sort((a, b) => a - b),
      training: e.training ? { ...e.training } : null,
      metadata: cur?.metadata ?? null,
      problem: cur ? null : e.problem,
    };
  }

  list(): ModelStatus[] {
    return [...this.entries.values()].map((e) => this.status(e)).sort((a, b) => a.id.localeCompare(b.id));
  }

  get(id: string): ModelStatus | null {
    const e = this.entries.get(id);
    return e ? this.status(e) : null;
  }

  /** What scoring with `model: id` uses: the ready bundle (null while none is) and how to report it. */
  resolve(id: string): ModelLookup | null {
    const e = this.entries.get(id);
    if (!e) return null;
    const s = this.status(e);
    return {
      detector: s.detector,
      bundle: this.current(e),
      ref: { id, version: s.version, state: s.state },
    };
  }

  /**
   * Starts training (a new model, or the next version of `request.id`); returns at once. The previous
   * version keeps scoring until the new one is written and checked.
   */
  startTraining(
    request: TrainSpec,
    { queued = false }: StartOptions = {},
  ): { id: string; version: number; training: TrainingProgress } {
    this.assertAccepting(queued);
    const id = request.id ?? this.newId(request.detector);
    const existing = this.entries.get(id);
    if (existing?.job) {
      throw new ModelError(
        'busy',
        `model ${id} is already training (v${existing.next - 1}); wait for it to finish`,
      );
    }
    const cur = existing ? this.current(existing) : null;
    if (cur && cur.metadata.detector !== request.detector) {
      throw new ModelError(
        'invalid',
        `model ${id} is a ${cur.metadata.detector} model; retrain it with that detector or use another id`,
      );
    }
    const e = existing ?? this.entry(id, request.detector);
    e.detector = request.detector;
    const version = e.next++;
    const training: TrainingProgress = {
      state: 'queued',
      epoch: 0,
      epochs: request.options?.epochs ?? DEFAULT_EPOCHS[request.detector],
      loss: null,
      startedAt: null,
      finishedAt: null,
      error: null,
    };
    e.training = training;
    const job: TrainJob = { dir: this.dir, id, version, request, trafficlensVersion: this.opts.version };
    const log = this.opts.logger;
    log.info({ stage: 'models', id, version, detector: request.detector }, `training ${id} v${version}`);
    this.inFlight++;
    e.job = this.opts.trainer
      .train(job, (epoch, epochs, loss) => {
        training.state = 'training';
        training.startedAt ??= new Date().toISOString();
        training.epoch = epoch;
        training.epochs = epochs;
        training.loss = Number.isFinite(loss) ? loss : null;
      })
      .then(async (metadata) => {
        if (this.entries.get(id) !== e) {
          // Deleted while training: the version it just wrote must not bring the model back at the
          // next start. Removed the way DELETE removes (renamed aside, then removed).
          await this.discard(id, version);
          return;
        }
        const bundle = await readModelDir(join(this.dir, id, `v${version}`));
        e.versions.set(version, bundle);
        e.problem = null;
        e.quarantined = false;
        training.state = 'done';
        training.finishedAt = new Date().toISOString();
        log.info(
          {
            stage: 'models',
            id,
            version,
            tfjsBackend: metadata.tfjs.backend,
            loss: metadata.metrics.loss,
            ms: metadata.training.durationMs,
          },
          `trained ${id} v${version} on the TensorFlow.js ${metadata.tfjs.backend} backend in ${metadata.training.durationMs} ms`,
        );
      })
      .catch((err: unknown) => {
        const message = err instanceof Error ? err.message : String(err);
        training.state = 'failed';
        training.error = message;
        training.finishedAt = new Date().toISOString();
        e.problem = `training v${version} failed: ${message}`;
        log.warn(
          { stage: 'models', id, version, err: message },
          `training ${id} v${version} failed: ${message}`,
        );
      })
      .finally(() => {
        this.inFlight--;
        e.job = null;
      });
    return { id, version, training: { ...training } };
  }

  /** Resolves when the model's current training job (if any) has finished, successfully or not. */
  async settled(id: string): Promise<void> {
    await this.entries.get(id)?.job;
  }

  /**
   * Removes a model: its files first, then the registry entry, so a model whose files cannot be
   * removed stays (and says why) instead of vanishing until the next restart brings it back. The
   * folder is renamed aside in one atomic step; removing the renamed folder may fail halfway without
   * harm (the next start finishes it).
   */
  async delete(id: string): Promise<boolean> {
    const e = this.entries.get(id);
    if (!e) return false;
    this.assertStorage('delete');
    const log = this.opts.logger;
    const modelDir = join(this.dir, id);
    const aside = join(this.dir, `${DELETED}${id}-${Date.now()}-${randomBytes(3).toString('hex')}`);
    let moved = true;
    try {
      await rename(modelDir, aside);
    } catch (err) {
      if (errnoOf(err) === 'ENOENT' && !(await checkDirectory(this.dir))) {
        moved = false; // no files (a training that never wrote one): nothing on disk to remove
      } else {
        const cause = await diagnoseWrite(this.dir, err);
        const why = describeFsError(cause);
        log.warn(
          { stage: 'models', id, code: errnoOf(cause), err: why },
          `could not delete model ${id}: its files in ${modelDir} cannot be removed (${why}); the model is kept`,
        );
        throw new ModelError(
          'storage',
          `model ${id} was not deleted: its files cannot be removed from the models directory: ${why}; the model is kept and still scores`,
          storageStatus(cause),
        );
      }
    }
    this.entries.delete(id);
    if (moved) {
      await rm(aside, { recursive: true, force: true }).catch((err: unknown) =>
        log.warn(
          { stage: 'models', id, path: aside, err: describeFsError(err) },
          `model ${id} is deleted; removing its renamed folder ${aside} failed (${describeFsError(err)}); the next start removes it`,
        ),
      );
    }
    log.info({ stage: 'models', id }, `deleted model ${id}`);
    return true;
  }

  private async discard(id: string, version: number): Promise<void> {
    const versionDir = join(this.dir, id, `v${version}`);
    const aside = join(
      this.dir,
      `${DELETED}${id}-v${version}-${Date.now()}-${randomBytes(3).toString('hex')}`,
    );
    try {
      await rename(versionDir, aside);
      await rm(aside, { recursive: true, force: true });
      // The model's folder, if the training recreated it and nothing else is in it.
      if (!this.entries.has(id)) await rmdir(join(this.dir, id)).catch(() => {});
      this.opts.logger.info(
        { stage: 'models', id, version },
        `model ${id} was deleted while v${version} trained: its files were removed`,
      );
    } catch (err) {
      const why = describeFsError(err);
      this.opts.logger.warn(
        { stage: 'models', id, version, err: why },
        `model ${id} was deleted while v${version} trained, and its files in ${versionDir} could not be removed (${why}): the model returns at the next start`,
      );
    }
  }

  /** The directory's state, as /healthz and the model routes report it. */
  storage(): StorageStatus {
    return { ...this.storageStatus };
  }

  /**
   * Probes the directory again before a write (a disk can be remounted read-only, or fixed, while the
   * service runs), updating the state. An unusable directory stays so until a restart re-reads it.
   */
  async refreshStorage(): Promise<StorageStatus> {
    if (this.storageStatus.state === 'unavailable') return this.storage();
    const probe = await probeWritable(this.dir).then(async (err) =>
      err ? diagnoseWrite(this.dir, err) : null,
    );
    this.storageStatus = probe
      ? { state: 'read_only', problem: `the models directory is not writable: ${describeFsError(probe)}` }
      : { state: 'ready', problem: null };
    return this.storage();
  }

  /**
   * Throws the ModelError startTraining would throw for want of room or storage, so a request is
   * refused before its data is fetched or parsed: a full training pool (503 + Retry-After), a models
   * directory that cannot be written, the service shutting down.
   */
  assertAccepting(queued = false): void {
    if (this.closed) throw new ModelError('busy', 'the service is shutting down');
    this.assertStorage('train');
    const capacity = this.capacityFor(queued);
    if (this.inFlight >= capacity) {
      throw new ModelError(
        'overloaded',
        `the training queue is full: ${this.inFlight} trainings are running or waiting and ${capacity} are accepted at once (TRAFFICLENS_TRAINING_THREADS threads and their queue); retry later`,
      );
    }
  }

  private capacityFor(queued: boolean): number {
    const capacity = this.opts.trainer.capacity ?? Infinity;
    return queued ? capacity : Math.max(1, capacity - (this.opts.reservedForQueue ?? 0));
  }

  /** Training and deleting write: both need a `ready` directory. */
  private assertStorage(action: 'train' | 'delete'): void {
    const { state, problem } = this.storageStatus;
    if (state === 'ready') return;
    const what = action === 'train' ? 'cannot train' : 'cannot delete models';
    throw new ModelError('storage', `${what}: ${problem}`, 503);
  }

  private newId(detector: string): string {
    for (;;) {
      const id = `${detector}-${Date.now().toString(36)}${(this.counter++).toString(36)}`;
      if (!this.entries.has(id)) return id;
    }
  }

  /** Stops the trainer; running jobs are abandoned (their temporary folders are removed at next start). */
  async close(): Promise<void> {
    this.closed = true;
    await this.opts.trainer.close();
  }
}
