/**
 * Trainers for the registry: in a piscina pool of worker threads (the service), or in-process (tests,
 * the CLI). Both run `runTrainJob`, so a model trained either way is the same files.
 */
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { join } from 'node:path';
import { Piscina } from 'piscina';
import type { Logger } from 'pino';
import type { ModelMetadata } from '../contract/models.js';
import { writeModelDir } from '../neural/artifacts.js';
import { describeFsError, diagnoseWrite, errnoOf, StorageError, storageStatus } from './storage.js';
import type { TrainJob, Trainer } from './registry.js';
import { reportTfjsBackend, type TfjsBackend } from './runtime.js';
import { trainModel } from './train.js';
import { workerExecArgv } from '../config/workerExecArgv.js';
import { LOWEST_NICE, logThreadPriorityFailures, type PriorityWorkerData } from '../config/threadPriority.js';

export type ProgressFn = (epoch: number, epochs: number, loss: number) => void;

/** Trains and writes `<dir>/<id>/v<version>` atomically. */
export async function runTrainJob(job: TrainJob, onProgress: ProgressFn): Promise<ModelMetadata> {
  const result = await trainModel({
    id: job.id,
    version: job.version,
    detector: job.request.detector,
    series: job.request.series,
    options: job.request.options,
    source: job.request.source ?? null,
    trafficlensVersion: job.trafficlensVersion,
    onEpoch: onProgress,
  });
  try {
    await writeModelDir(join(job.dir, job.id, `v${job.version}`), result.metadata, result.artifacts);
  } catch (err) {
    // A read-only disk answers the recursive mkdir with ENOENT: name the real cause.
    const cause = await diagnoseWrite(job.dir, err);
    throw new StorageError(
      `cannot write model ${job.id} v${job.version} to the models directory: ${describeFsError(cause)}`,
      errnoOf(cause),
      storageStatus(cause),
      { cause: err },
    );
  }
  return result.metadata;
}

export function createInlineTrainer(): Trainer {
  return {
    train: (job, onProgress) => runTrainJob(job, onProgress),
    close: async () => {},
  };
}

export interface TrainTask {
  job: TrainJob;
  port: MessagePort;
}

export const DEFAULT_TRAIN_WORKER = new URL('./trainWorker.js', import.meta.url);

export interface PoolTrainerOptions {
  threads: number;
  /** Jobs waiting for a thread before POST /api/v1/models answers 503. */
  maxQueued?: number;
  workerFile?: URL;
  logger?: Logger;
  /** How much lower than the main thread's the workers' CPU priority is (nice); default the lowest. */
  threadNice?: number;
}

/**
 * Training in worker threads (default one: a job keeps a core busy for its whole run, and scoring must
 * keep the rest). The workers lower their own scheduling priority (trainWorker.ts), so on a busy
 * machine scoring requests win the CPU.
 */
export function createPoolTrainer(options: PoolTrainerOptions): Trainer {
  const maxQueue = options.maxQueued ?? 16;
  const pool = new Piscina<TrainTask, ModelMetadata>({
    filename: (options.workerFile ?? DEFAULT_TRAIN_WORKER).href,
    minThreads: 0,
    maxThreads: options.threads,
    maxQueue,
    execArgv: workerExecArgv(),
    workerData: { threadNice: options.threadNice ?? LOWEST_NICE } satisfies PriorityWorkerData,
    // TF.js takes ~0.4 s to load; keep a worker a while for the next job, then give the memory back.
    idleTimeout: 60_000,
  });
  pool.on('error', (err: unknown) =>
    options.logger?.error({ stage: 'models', err }, 'training worker failed'),
  );
  logThreadPriorityFailures(pool, options.logger, 'training worker');
  return {
    // Piscina rejects a task beyond this later, as a failed training; the registry refuses it up front.
    capacity: options.threads + maxQueue,
    async train(job, onProgress) {
      const channel = new MessageChannel();
      channel.port1.on(
        'message',
        (m: { epoch?: number; epochs?: number; loss?: number; backend?: TfjsBackend }) => {
          if (m.backend) reportTfjsBackend(m.backend);
          if (m.epoch !== undefined && m.epochs !== undefined) onProgress(m.epoch, m.epochs, m.loss ?? NaN);
        },
      );
      try {
        return await pool.run({ job, port: channel.port2 }, { transferList: [channel.port2] });
      } finally {
        channel.port1.close();
      }
    },
    close: () => pool.destroy(),
  };
}
