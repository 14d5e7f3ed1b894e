/**
 * The continuous jobs' training queue, in front of the registry's training pool. A job with a thousand
 * series asks for a thousand models at once; the pool's own queue is short (POST /api/v1/models
 * answers 503 beyond it) and shared with API requests. Here they wait in FIFO order and at most
 * `concurrency` are handed to the registry at a time, so requests made through the API pass ahead of
 * them and the pool's worker threads (at the lowest scheduling priority) never get more than this.
 */
import type { ModelStatus, TrainSpec } from '../contract/models.js';
import type { ModelRegistry } from './registry.js';

/** Called once the training has finished (or could not start): the model as the registry has it. */
export type SettledFn = (model: ModelStatus | null, error: string | null) => void;

interface Pending {
  spec: TrainSpec & { id: string };
  onSettled: SettledFn;
}

export type QueueRegistry = Pick<ModelRegistry, 'startTraining' | 'settled' | 'get'>;

export class TrainingQueue {
  /** Waiting, by model id: a newer request for the same model replaces the older one's data. */
  private readonly waiting = new Map<string, Pending>();
  private readonly running = new Set<string>();
  private closed = false;

  constructor(
    private readonly registry: QueueRegistry,
    readonly concurrency = 1,
  ) {}

  /** Queue a training; `onSettled` runs when it is done (a replaced request's callback never runs). */
  enqueue(spec: TrainSpec & { id: string }, onSettled: SettledFn): void {
    if (this.closed) return;
    this.waiting.delete(spec.id);
    this.waiting.set(spec.id, { spec, onSettled });
    this.pump();
  }

  /** 'waiting' in this queue, 'running' in the registry's pool, or null. */
  stateOf(id: string): 'waiting' | 'running' | null {
    if (this.running.has(id)) return 'running';
    return this.waiting.has(id) ? 'waiting' : null;
  }

  get size(): { waiting: number; running: number } {
    return { waiting: this.waiting.size, running: this.running.size };
  }

  /** Drops what is waiting; trainings already running finish in the registry. */
  close(): void {
    this.closed = true;
    this.waiting.clear();
  }

  private pump(): void {
    while (!this.closed && this.running.size < this.concurrency) {
      // Skip models that are training already (through the API): they wait for their turn.
      const next = [...this.waiting.values()].find((p) => !this.running.has(p.spec.id));
      if (!next) return;
      this.waiting.delete(next.spec.id);
      this.start(next);
    }
  }

  private start({ spec, onSettled }: Pending): void {
    const { id } = spec;
    this.running.add(id);
    let started = true;
    let error: string | null = null;
    try {
      this.registry.startTraining(spec, { queued: true });
    } catch (err) {
      started = false;
      error = err instanceof Error ? err.message : String(err);
    }
    const done = started ? this.registry.settled(id) : Promise.resolve();
    void done.then(() => {
      this.running.delete(id);
      const model = this.registry.get(id);
      if (started && model?.training?.state === 'failed') error = model.training.error;
      onSettled(model, error);
      this.pump();
    });
  }
}
