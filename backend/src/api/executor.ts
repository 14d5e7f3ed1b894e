/**
 * Where scoring runs. Small requests are scored on the main thread (a worker round trip costs more
 * than they do); larger ones are split into at most one chunk per worker thread and run in a
 * piscina pool, so a 20 MB request does not stall health checks, metrics scrapes or other requests.
 *
 * The executor is a dependency of the app: tests inject the inline executor or a fake, because
 * jest runs TypeScript sources that a worker thread cannot load. The pool itself is tested against
 * the compiled worker in dist/ (see executor.pool.test.ts).
 */
import { Piscina } from 'piscina';
import type { Logger } from 'pino';
import type { ScoreRequest, SeriesInput } from '../contract/score.js';
import { scoreSeries } from '../engine/index.js';
import {
  estimateGridPoints,
  paramsOf,
  partition,
  pointsOf,
  scoreBatch,
  type BatchResult,
  type ResolvedModel,
  type ScoreFn,
  type ScoreWindow,
  type WorkerTask,
} from './scoring.js';
import { workerExecArgv } from '../config/workerExecArgv.js';
import { logThreadPriorityFailures, type PriorityWorkerData } from '../config/threadPriority.js';
import { scoreBody, type BodyResult } from './scoreBody.js';
import type { CountLimits, QueryTask } from './scoring.js';
import { scoreQuery, type QueryResult } from './queryAnswers.js';

import { ScoringError } from './scoringError.js';
import { engineStreams, runPreview, type PreviewTask } from '../jobs/preview.js';
import type { PreviewResponse } from '../contract/settings.js';

export { ScoringError, type ScoringErrorKind } from './scoringError.js';
export { partition } from './scoring.js';

export interface ExecutorStats {
  mode: 'inline' | 'pool';
  threads: number;
  queuedTasks: number;
  /** 0–1, share of the pool's capacity spent running tasks since it started (piscina's measure). */
  utilization: number;
}

/**
 * A scored POST /api/v1/score body as the route sends it: the response's bytes in pieces, written one
 * after another. Joining a split body's parts into one buffer copied the whole response on the main
 * thread (a 50-series dashboard's 7.7 MB answer: 30–50 ms of page faults and memcpy on this 2-core
 * VM, an event-loop stall that /healthz and every refusal waited behind); the socket takes the
 * pieces as they are.
 */
export type ScoredBody =
  | Exclude<BodyResult, { ok: true }>
  | (Omit<Extract<BodyResult, { ok: true }>, 'body'> & { pieces: readonly Uint8Array[] });

/** A whole-body result as pieces (one, the body itself). */
export function whole(result: BodyResult): ScoredBody {
  if (!result.ok) return result;
  const { body, ...rest } = result;
  return { ...rest, pieces: [body] };
}

const SERIES_OPEN = Buffer.from('{"series":[');
const SERIES_SEPARATOR = Buffer.from(',');
const SERIES_CLOSE = Buffer.from(']}');

/**
 * The parts of a split body (each its series' objects joined by commas, maybe none) as the pieces of
 * one `{"series":[…]}`, in order, without copying them.
 */
export function partsAsPieces(parts: readonly Uint8Array[]): Uint8Array[] {
  const pieces: Uint8Array[] = [SERIES_OPEN];
  for (const part of parts) {
    if (part.byteLength === 0) continue;
    if (pieces.length > 1) pieces.push(SERIES_SEPARATOR);
    pieces.push(part);
  }
  pieces.push(SERIES_CLOSE);
  return pieces;
}

export interface ScoringExecutor {
  /**
   * Scores every series of a validated request, in request order, and resolves to the JSON text of
   * each SeriesScore. Rejects only with ScoringError. `signal` aborts queued and running pool work
   * (the client went away).
   */
  score(
    request: ScoreRequest,
    signal?: AbortSignal,
    model?: ResolvedModel,
    window?: ScoreWindow,
  ): Promise<string[]>;
  /**
   * Parses, validates and scores a raw POST /api/v1/score body (scoreBody.ts), in a worker when
   * pooled; resolves to the response bytes (in pieces) or the client/engine error. Rejects only with
   * ScoringError (overloaded, aborted, timeout, worker). The bytes are handed over: do not reuse them.
   */
  scoreBody(body: Uint8Array, options: BodyOptions): Promise<ScoredBody>;
  /**
   * Parses Prometheus' answers to a POST /api/v1/query, scores and serializes them (queryAnswers.ts),
   * in a worker when pooled, so a large answer's JSON.parse does not hold up the event loop. Rejects
   * only with ScoringError. The answers' bytes are handed over: do not reuse them.
   */
  scoreQuery(task: QueryTask, options?: { signal?: AbortSignal }): Promise<QueryResult>;
  /**
   * Replays a job's retained points at candidate sensitivities (jobs/preview.ts), in a worker when
   * pooled (one task: a preview is one job's series). Rejects only with ScoringError.
   */
  preview(task: PreviewTask, options?: { signal?: AbortSignal }): Promise<PreviewResponse>;
  /** Resolves once work can be accepted (the pool has loaded its worker module). */
  start(): Promise<void>;
  isReady(): boolean;
  stats(): ExecutorStats;
  /** Stops the workers; work still running is cancelled. Call after in-flight requests finished. */
  close(): Promise<void>;
}

export interface BodyOptions {
  limits: CountLimits;
  signal?: AbortSignal;
  /** The model the request names, once resolved (after a `kind: 'model'` result). */
  model?: ResolvedModel;
}

/** A preview on this thread (inline executors), with the engine's streams as the worker's. */
export async function previewInline(task: PreviewTask, signal?: AbortSignal): Promise<PreviewResponse> {
  if (signal?.aborted) throw new ScoringError('aborted', 'client closed the request before scoring');
  try {
    return await runPreview(task, engineStreams(task), signal);
  } catch (err) {
    if (signal?.aborted) throw new ScoringError('aborted', 'client closed the request during scoring');
    throw err;
  }
}

export function engineError(
  result: Pick<Extract<BatchResult, { ok: false }>, 'index' | 'message' | 'inputError'>,
): ScoringError {
  return result.inputError
    ? new ScoringError('input', `series[${result.index}]: ${result.message}`, result.index)
    : new ScoringError('engine', `scoring series[${result.index}] failed: ${result.message}`, result.index);
}

function scoreInline(
  score: ScoreFn,
  request: ScoreRequest,
  model?: ResolvedModel,
  window?: ScoreWindow,
): string[] {
  const result = scoreBatch(score, request.series, paramsOf(request, model), 0, window);
  if (!result.ok) throw engineError(result);
  return result.json;
}

/** Everything on the main thread: `TRAFFICLENS_WORKER_THREADS=0`, and the default in unit tests. */
export function createInlineExecutor(score: ScoreFn = scoreSeries): ScoringExecutor {
  return {
    score: async (request, signal, model, window) => {
      if (signal?.aborted) throw new ScoringError('aborted', 'client closed the request before scoring');
      return scoreInline(score, request, model, window);
    },
    scoreBody: async (body, { limits, signal, model }) => {
      if (signal?.aborted) throw new ScoringError('aborted', 'client closed the request before scoring');
      return whole(scoreBody(score, body, limits, model));
    },
    scoreQuery: async (task, { signal } = {}) => {
      if (signal?.aborted) throw new ScoringError('aborted', 'client closed the request before scoring');
      return scoreQuery(score, task);
    },
    preview: (task, { signal } = {}) => previewInline(task, signal),
    start: async () => {},
    isReady: () => true,
    stats: () => ({ mode: 'inline', threads: 0, queuedTasks: 0, utilization: 0 }),
    close: async () => {},
  };
}

export interface PoolExecutorOptions {
  threads: number;
  /** Requests with at most this many points in total are scored inline. */
  inlineMaxPoints: number;
  /** Tasks allowed to wait for a free worker; beyond that requests fail fast with 503. */
  maxQueuedTasks: number;
  /** Per-request limit on pool work; 0 disables it. Inline work cannot be interrupted. */
  timeoutMs?: number;
  /** How much lower than the main thread's the workers' CPU priority is (nice); 0 or absent: the same. */
  threadNice?: number;
  /** Bodies from this size on are split between the idle workers (default SPLIT_BODY_BYTES). */
  splitBodyBytes?: number;
  /** The compiled worker; defaults to scoreWorker.js next to this module (i.e. in dist/api). */
  workerFile?: URL;
  /** Inline scoring function (tests inject fakes). */
  score?: ScoreFn;
  logger?: Logger;
}

/**
 * Small enough to score on the main thread: few input points, and few grid points once the cleaner
 * has resampled them (irregular timestamps can turn 3 points into 100,000).
 */
function inlineWorthy(series: readonly SeriesInput[], maxPoints: number): boolean {
  if (pointsOf(series) > maxPoints) return false;
  let grid = 0;
  for (const s of series) {
    grid += estimateGridPoints(s.timestamps);
    if (grid > maxPoints) return false;
  }
  return true;
}

/**
 * Bytes that can be moved to a worker rather than copied: they must own their whole buffer (a small
 * Buffer is a view of a pool shared with other Buffers, and a Buffer's slice() is another view).
 */
function transferable(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
    ? bytes
    : new Uint8Array(bytes);
}

/**
 * POST /api/v1/score bodies from this size on are scored by every idle worker together (about 8
 * series of a day at a 1-minute step; the repeated parse costs ~2 ms per worker at this size).
 */
export const SPLIT_BODY_BYTES = 256 * 1024;

export const DEFAULT_WORKER_FILE = new URL('./scoreWorker.js', import.meta.url);

export function createPoolExecutor(options: PoolExecutorOptions): ScoringExecutor {
  if (options.threads < 1) throw new RangeError(`threads must be at least 1, got ${options.threads}`);
  const score = options.score ?? scoreSeries;
  const workerFile = options.workerFile ?? DEFAULT_WORKER_FILE;
  const pool = new Piscina<WorkerTask, BatchResult | BodyResult | QueryResult | PreviewResponse | 'pong'>({
    filename: workerFile.href,
    minThreads: options.threads,
    maxThreads: options.threads,
    maxQueue: options.maxQueuedTasks,
    execArgv: workerExecArgv(),
    workerData: { threadNice: options.threadNice ?? 0 } satisfies PriorityWorkerData,
    // Workers are kept: model state and JIT warm-up are worth more than the idle memory.
    idleTimeout: 2 ** 31 - 1,
  });
  // Without a listener an 'error' from an idle worker would crash the process.
  pool.on('error', (err: unknown) =>
    options.logger?.error({ stage: 'scoring', err }, 'scoring worker failed'),
  );
  logThreadPriorityFailures(pool, options.logger, 'scoring worker');

  let ready = false;
  let closed = false;

  // Tasks wait here, in order, and piscina is given at most one per thread: a task it cannot start
  // at once and that has an AbortSignal waits in its skip queue, where tasks submitted later overtook
  // it whenever they found the worker free (under steady load some requests waited until the load
  // stopped).
  const waiting: { start: () => void; fail: (err: ScoringError) => void }[] = [];
  let running = 0;
  const release = () => {
    const next = waiting.shift();
    if (next) next.start();
    else running--;
  };
  async function slot(signal: AbortSignal): Promise<void> {
    if (running < options.threads && waiting.length === 0) {
      running++;
      return;
    }
    signal.throwIfAborted();
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        const i = waiting.indexOf(entry);
        if (i >= 0) waiting.splice(i, 1);
        reject(signal.reason);
      };
      const entry = {
        start: () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        },
        fail: (err: ScoringError) => {
          signal.removeEventListener('abort', onAbort);
          reject(err);
        },
      };
      signal.addEventListener('abort', onAbort, { once: true });
      waiting.push(entry);
    });
  }
  async function runInSlot(task: WorkerTask, signal: AbortSignal, transferList?: ArrayBuffer[]) {
    await slot(signal);
    try {
      return await pool.run(task, { signal, transferList });
    } finally {
      release();
    }
  }

  async function runChunk(
    chunk: { offset: number; series: SeriesInput[] },
    request: ScoreRequest,
    signal: AbortSignal,
    model?: ResolvedModel,
    window?: ScoreWindow,
  ) {
    const params = paramsOf(request, model);
    const result = await runInSlot(
      { kind: 'score', offset: chunk.offset, series: chunk.series, params, window },
      signal,
    );
    if (result === 'pong' || !('json' in result || 'index' in result))
      throw new ScoringError('worker', 'scoring worker answered a score task with something else');
    if (!result.ok) throw engineError(result);
    return result.json;
  }

  /** Pool failures (abort, timeout, queue, crash) as ScoringErrors; `signal` is the caller's. */
  function poolError(err: unknown, signal: AbortSignal | undefined, timeout: AbortSignal | undefined) {
    if (err instanceof ScoringError) return err;
    if (signal?.aborted) return new ScoringError('aborted', 'client closed the request during scoring');
    if (timeout?.aborted) {
      return new ScoringError(
        'timeout',
        `scoring took longer than ${options.timeoutMs} ms and was cancelled`,
      );
    }
    const message = err instanceof Error ? err.message : String(err);
    if (/queue is at limit/i.test(message)) {
      return new ScoringError('overloaded', 'scoring queue is full; retry later', undefined, { cause: err });
    }
    return new ScoringError('worker', `scoring worker failed: ${message}`, undefined, { cause: err });
  }

  function refuseWhenQueueFull(tasks: number): void {
    if (closed) throw new ScoringError('overloaded', 'scoring pool is shut down');
    if (waiting.length + Math.max(0, tasks - (options.threads - running)) > options.maxQueuedTasks) {
      throw new ScoringError(
        'overloaded',
        `scoring queue is full (${waiting.length} tasks waiting for ${options.threads} workers); retry later`,
      );
    }
  }

  return {
    async score(request, signal, model, window) {
      if (inlineWorthy(request.series, options.inlineMaxPoints)) {
        if (signal?.aborted) throw new ScoringError('aborted', 'client closed the request before scoring');
        return scoreInline(score, request, model, window);
      }
      const chunks = partition(request.series, options.threads);
      // Refuse up front rather than half-submit a request whose later chunks would be rejected.
      refuseWhenQueueFull(chunks.length);
      // One failed chunk cancels its siblings; the caller's signal and the timeout cancel them all.
      const siblings = new AbortController();
      const timeout = options.timeoutMs ? AbortSignal.timeout(options.timeoutMs) : undefined;
      const combined = AbortSignal.any(
        [siblings.signal, signal, timeout].filter((s): s is AbortSignal => s !== undefined),
      );
      try {
        const parts = await Promise.all(
          chunks.map((chunk) =>
            runChunk(chunk, request, combined, model, window).catch((err: unknown) => {
              siblings.abort();
              throw err;
            }),
          ),
        );
        return parts.flat();
      } catch (err) {
        throw poolError(err, signal, timeout);
      }
    },
    // Parsing in a worker is what keeps the event loop free, and the request's series only exist
    // there (sending them to other workers would cost about a parse each). So a large body is given
    // whole to every idle worker, each parses it and scores its share of the series (BodyPart), and
    // their bytes are joined here: the parse is repeated, the scoring (~10× the parse) is split.
    async scoreBody(body, { limits, signal, model }) {
      if (signal?.aborted) throw new ScoringError('aborted', 'client closed the request before scoring');
      const idle = waiting.length === 0 ? options.threads - running : 0;
      const parts = body.byteLength >= (options.splitBodyBytes ?? SPLIT_BODY_BYTES) ? Math.max(1, idle) : 1;
      refuseWhenQueueFull(parts);
      const timeout = options.timeoutMs ? AbortSignal.timeout(options.timeoutMs) : undefined;
      const siblings = new AbortController();
      const combined = AbortSignal.any(
        [siblings.signal, signal, timeout].filter((s): s is AbortSignal => s !== undefined),
      );
      // The first part takes the caller's bytes; the others a copy each (a copy costs ~1 ms a MB).
      const owned = [transferable(body)];
      for (let i = 1; i < parts; i++) owned.push(new Uint8Array(body));
      const runPart = async (index: number): Promise<BodyResult> => {
        const bytes = owned[index];
        const part = parts > 1 ? { index, of: parts } : undefined;
        const result = await runInSlot({ kind: 'body', body: bytes, limits, model, part }, combined, [
          bytes.buffer as ArrayBuffer,
        ]);
        if (result === 'pong' || !('kind' in result || 'body' in result))
          throw new ScoringError('worker', 'scoring worker answered a body task with something else');
        return result as BodyResult;
      };
      try {
        const results = await Promise.all(
          owned.map((_, index) =>
            runPart(index).catch((err: unknown) => {
              siblings.abort();
              throw err;
            }),
          ),
        );
        // Every part parsed the same body: a client error or a model to resolve is the same in
        // each; an engine error is the first series that failed, i.e. the first failing part's.
        const failed = results.find((r) => !r.ok);
        if (failed || results.length === 1) return whole(failed ?? results[0]);
        const ok = results as Extract<BodyResult, { ok: true }>[];
        const { points, detector } = ok[0];
        return { ok: true, points, detector, pieces: partsAsPieces(ok.map((r) => r.body)) };
      } catch (err) {
        throw poolError(err, signal, timeout);
      }
    },
    // One task per query, like a body: the answers are parsed only there.
    async scoreQuery(task, { signal } = {}) {
      if (signal?.aborted) throw new ScoringError('aborted', 'client closed the request before scoring');
      refuseWhenQueueFull(1);
      const timeout = options.timeoutMs ? AbortSignal.timeout(options.timeoutMs) : undefined;
      const combined = AbortSignal.any([signal, timeout].filter((s): s is AbortSignal => s !== undefined));
      const answers = task.answers.map(({ status, bytes }) => ({ status, bytes: transferable(bytes) }));
      try {
        const result = await runInSlot(
          { kind: 'query', ...task, answers },
          combined,
          answers.map((a) => a.bytes.buffer as ArrayBuffer),
        );
        if (result === 'pong' || !('kind' in result || 'body' in result))
          throw new ScoringError('worker', 'scoring worker answered a query task with something else');
        return result as QueryResult;
      } catch (err) {
        throw poolError(err, signal, timeout);
      }
    },
    async preview(task, { signal } = {}) {
      if (signal?.aborted) throw new ScoringError('aborted', 'client closed the request before scoring');
      refuseWhenQueueFull(1);
      const timeout = options.timeoutMs ? AbortSignal.timeout(options.timeoutMs) : undefined;
      const combined = AbortSignal.any([signal, timeout].filter((s): s is AbortSignal => s !== undefined));
      try {
        const result = await runInSlot({ kind: 'preview', task }, combined);
        if (result === 'pong' || !('candidates' in result))
          throw new ScoringError('worker', 'scoring worker answered a preview task with something else');
        return result;
      } catch (err) {
        throw poolError(err, signal, timeout);
      }
    },
    async start() {
      try {
        await pool.run({ kind: 'ping' });
      } catch (err) {
        throw new ScoringError(
          'worker',
          `scoring worker ${workerFile.pathname} could not start: ${err instanceof Error ? err.message : String(err)}`,
          undefined,
          { cause: err },
        );
      }
      ready = !closed;
    },
    isReady: () => ready && !closed,
    stats: () => ({
      mode: 'pool',
      threads: pool.threads.length,
      queuedTasks: waiting.length + pool.queueSize,
      utilization: pool.utilization,
    }),
    async close() {
      if (closed) return;
      closed = true;
      ready = false;
      // Requests waiting for a worker get the 503 that requests arriving after close get.
      for (const entry of waiting.splice(0)) {
        entry.fail(new ScoringError('overloaded', 'scoring pool is shut down'));
      }
      await pool.destroy();
    },
  };
}

export interface ExecutorConfig {
  workerThreads: number;
  inlineMaxPoints: number;
  maxQueuedTasks: number;
  timeoutMs?: number;
  /** TRAFFICLENS_WORKER_NICE: the scoring workers' nice increment. */
  workerNice?: number;
}

/** The executor main.ts uses: a pool unless the operator asked for zero worker threads. */
export function createScoringExecutor(config: ExecutorConfig, logger?: Logger): ScoringExecutor {
  if (config.workerThreads === 0) return createInlineExecutor();
  return createPoolExecutor({
    threads: config.workerThreads,
    inlineMaxPoints: config.inlineMaxPoints,
    maxQueuedTasks: config.maxQueuedTasks,
    timeoutMs: config.timeoutMs,
    threadNice: config.workerNice,
    logger,
  });
}
