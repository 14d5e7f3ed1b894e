/**
 * A scripted ScoringExecutor for tests and dry runs: scores like the inline executor with a given
 * function (the real engine by default), or fails, or holds requests until released, and records
 * what it was asked.
 */
import type { ScoreRequest } from '../contract/score.js';
import { scoreSeries } from '../engine/index.js';
import {
  createInlineExecutor,
  type ExecutorStats,
  type ScoringError,
  type ScoringExecutor,
} from './executor.js';
import type { ResolvedModel, ScoreFn } from './scoring.js';

export class FakeExecutor implements ScoringExecutor {
  readonly requests: ScoreRequest[] = [];
  readonly signals: (AbortSignal | undefined)[] = [];
  closed = false;
  #ready: boolean;
  #error: ScoringError | undefined;
  #held: (() => void)[] = [];
  #holding = false;
  #onCall: (() => void)[] = [];

  readonly #inline: ScoringExecutor;

  constructor(scoreFn: ScoreFn = scoreSeries, { ready = true }: { ready?: boolean } = {}) {
    this.#inline = createInlineExecutor(scoreFn);
    this.#ready = ready;
  }

  /** Make every following score() reject with this error (undefined to succeed again). */
  setError(error: ScoringError | undefined): this {
    this.#error = error;
    return this;
  }

  setReady(ready: boolean): this {
    this.#ready = ready;
    return this;
  }

  /** Following score() calls wait until release(). */
  hold(): this {
    this.#holding = true;
    return this;
  }

  release(): void {
    this.#holding = false;
    for (const resume of this.#held.splice(0)) resume();
  }

  /** Resolves when score() has been called `count` times in total. */
  async called(count = 1): Promise<void> {
    while (this.requests.length < count) await new Promise<void>((resolve) => this.#onCall.push(resolve));
  }

  async score(request: ScoreRequest, signal?: AbortSignal, model?: ResolvedModel): Promise<string[]> {
    this.requests.push(request);
    this.signals.push(signal);
    for (const notify of this.#onCall.splice(0)) notify();
    if (this.#holding) await new Promise<void>((resolve) => this.#held.push(resolve));
    if (this.#error) throw this.#error;
    return this.#inline.score(request, signal, model);
  }

  async start(): Promise<void> {}

  isReady(): boolean {
    return this.#ready && !this.closed;
  }

  stats(): ExecutorStats {
    return { mode: 'pool', threads: 1, queuedTasks: this.#held.length, utilization: 0 };
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
