/**
 * A scripted ScoringExecutor for tests and dry runs: scores like the inline executor with a given
 * function (the real engine by default), or fails, or holds requests until released, and records
 * what it was asked.
 */
import type { PreviewTask } from '../jobs/preview.js';
import type { PreviewResponse } from '../contract/settings.js';
import type { ScoreRequest } from '../contract/score.js';
import { scoreSeries } from '../engine/index.js';
import {
  createInlineExecutor,
  ScoringError,
  type BodyOptions,
  type ExecutorStats,
  type ScoredBody,
  type ScoringExecutor,
} from './executor.js';
import { detectorOf, parseScoreBody } from './scoreBody.js';
import { pointsOf, type QueryTask, type ResolvedModel, type ScoreFn, type ScoreWindow } from './scoring.js';
import { prepareQuery, queryResponseBody, type QueryResult } from './queryAnswers.js';

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

  /** The window of each score() call (POST /api/v1/query cuts the scored series to its range). */
  readonly windows: (ScoreWindow | undefined)[] = [];

  async score(
    request: ScoreRequest,
    signal?: AbortSignal,
    model?: ResolvedModel,
    window?: ScoreWindow,
  ): Promise<string[]> {
    this.windows.push(window);
    await this.#record(request, signal);
    return this.#inline.score(request, signal, model, window);
  }

  /**
   * Parses and validates like the pool's worker, then goes through score() (so what a test scripts
   * there, including a replaced score(), applies to raw bodies too). A body that fails validation is
   * answered without a call.
   */
  async scoreBody(body: Uint8Array, { limits, signal, model }: BodyOptions): Promise<ScoredBody> {
    const parsed = parseScoreBody(body, limits);
    if (!parsed.ok) return { ok: false, kind: 'client', error: parsed.error };
    const { request } = parsed;
    if (request.model !== undefined && model === undefined)
      return { ok: false, kind: 'model', model: request.model, body };
    const detector = detectorOf(request, model);
    let json: string[];
    try {
      json = await this.score(request, signal, model);
    } catch (err) {
      if (err instanceof ScoringError) err.detector ??= detector;
      throw err;
    }
    return {
      ok: true,
      pieces: [new TextEncoder().encode(`{"series":[${json.join(',')}]}`)],
      points: pointsOf(request.series),
      detector,
    };
  }

  /** Parses like the pool's worker, then goes through score() like scoreBody(). */
  async scoreQuery(task: QueryTask, { signal }: { signal?: AbortSignal } = {}): Promise<QueryResult> {
    const prepared = prepareQuery(task);
    if (prepared.ready) return prepared.result;
    const { request, info, window, detector } = prepared;
    const json = await this.score(request, signal, undefined, window);
    return { ok: true, body: queryResponseBody(json, info), points: info.fetchedPoints, detector };
  }

  async #record(request: ScoreRequest, signal?: AbortSignal): Promise<void> {
    this.requests.push(request);
    this.signals.push(signal);
    for (const notify of this.#onCall.splice(0)) notify();
    if (this.#holding) await new Promise<void>((resolve) => this.#held.push(resolve));
    if (this.#error) throw this.#error;
  }

  /** On this thread, as the inline executor does. */
  preview(task: PreviewTask, options?: { signal?: AbortSignal }): Promise<PreviewResponse> {
    return this.#inline.preview(task, options);
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
