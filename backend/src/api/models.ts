/**
 * The model lifecycle as the service wires it: a registry on the models directory (loaded, with
 * corrupt versions quarantined), a training pool, and the API mount.
 */
import type { Logger } from 'pino';
import type { PrometheusClient } from '../sources/prometheus/index.js';
import type { ModelsMount } from './app.js';
import { ModelRegistry, type Trainer } from '../models/registry.js';
import { modelsApi, type ModelsRouteLimits } from './routes/models.js';
import { createPoolTrainer } from '../models/trainer.js';
import { TrainingQueue } from '../models/queue.js';
import { LOWEST_NICE } from '../config/threadPriority.js';

export interface ModelsOptions {
  dir: string;
  trainingThreads: number;
  /** TRAFFICLENS_WORKER_NICE: 0 keeps the training threads at the main thread's priority too. */
  workerNice?: number;
  limits: ModelsRouteLimits;
  logger: Logger;
  version: string;
  /** The server's Prometheus, for PromQL training sources. */
  prometheus?: PrometheusClient | null;
  now?: () => number;
  /** Defaults to a pool of `trainingThreads` worker threads. */
  trainer?: Trainer;
}

export interface Models {
  registry: ModelRegistry;
  /** Continuous jobs' trainings wait here, at most `trainingThreads` in the pool at once. */
  queue: TrainingQueue;
  mount: ModelsMount;
  close(): Promise<void>;
}

export async function openModels(options: ModelsOptions): Promise<Models> {
  const trainer =
    options.trainer ??
    createPoolTrainer({
      threads: options.trainingThreads,
      logger: options.logger,
      // Below scoring: training takes the CPU that requests leave idle.
      threadNice: options.workerNice === 0 ? 0 : LOWEST_NICE,
    });
  const registry = new ModelRegistry({
    dir: options.dir,
    trainer,
    logger: options.logger,
    version: options.version,
    // The jobs' queue hands the pool at most trainingThreads trainings: keep room for them.
    reservedForQueue: options.trainingThreads,
  });
  // Never throws for the directory: an unusable one leaves the models unavailable (storage()).
  await registry.load();
  const queue = new TrainingQueue(registry, options.trainingThreads);
  return {
    registry,
    queue,
    mount: {
      api: modelsApi(registry, {
        limits: options.limits,
        prometheus: options.prometheus,
        now: options.now,
      }),
      resolve: (id) => registry.resolve(id),
      health: () => registry.storage(),
    },
    close: () => {
      queue.close();
      return registry.close();
    },
  };
}
