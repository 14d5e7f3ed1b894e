/**
 * The unit of scoring work, shared by the inline path and the worker threads so both behave the
 * same. Results are serialized to JSON where they are computed: in a worker that keeps the
 * (large) stringify off the event loop and makes the hop back to the main thread a string copy.
 */
import type { QueryRequest } from '../contract/query.js';
import type { ScoreRequest, SeriesInput, SeriesScore } from '../contract/score.js';
import type { RangeAnswer } from '../sources/prometheus/range.js';
import { EngineError, scoreSeries, scoreSeriesJsonPieces, type ScoreParams } from '../engine/index.js';
import { gridShape } from '../series/clean.js';
import { sliceScore } from '../sources/prometheus/promql.js';
import type { Config } from '../config/index.js';
import type { PreviewTask } from '../jobs/preview.js';

/** The request-size limits a score body is checked against before it is parsed. */
export type CountLimits = Pick<Config['limits'], 'maxSeriesPerRequest' | 'maxPointsPerSeries'>;

export type ScoreFn = (input: SeriesInput, params: ScoreParams) => SeriesScore;

export type WorkerTask =
  | { kind: 'ping' }
  /** `offset` is the index of series[0] in the request, so errors name the request's series index. */
  | { kind: 'score'; offset: number; series: SeriesInput[]; params: ScoreParams; window?: ScoreWindow }
  /** A raw POST /api/v1/score body (scoreBody.ts). */
  | { kind: 'body'; body: Uint8Array; limits: CountLimits; model?: ResolvedModel; part?: BodyPart }
  /** Prometheus' answers to a POST /api/v1/query (queryAnswers.ts). */
  | ({ kind: 'query' } & QueryTask)
  /** A job's retained points to replay at candidate sensitivities (jobs/preview.ts). */
  | { kind: 'preview'; task: PreviewTask };

/**
 * One of `of` contiguous shares of a request's series (partition below), when several workers score
 * one POST /api/v1/score body: each parses the whole body, scores its share and answers its series'
 * JSON objects separated by commas, without the `{"series":[…]}` around them (the executor joins them).
 */
export interface BodyPart {
  index: number;
  of: number;
}

/** POST /api/v1/query once its answers are fetched: what the route knows before they are parsed. */
export interface QueryTask {
  query: QueryRequest;
  historyStart: number;
  /** query_range's answers, in order (bytes handed over to the worker: do not reuse them). */
  answers: RangeAnswer[];
  /** TRAFFICLENS_MAX_SERIES. */
  maxSeries: number;
}

/** Keep only the points in [from, to] (and the episodes overlapping it), as POST /api/v1/query answers. */
export interface ScoreWindow {
  from: number;
  to: number;
}

/** `inputError`: the engine rejected the series itself (EngineError stage "input"), a client error. */
export type BatchResult<Text = string> =
  { ok: true; json: Text[] } | { ok: false; index: number; message: string; inputError: boolean };

/** What the route resolved beyond the request itself: the trained model named by `request.model`. */
export type ResolvedModel = Pick<ScoreParams, 'model' | 'trained' | 'detector'>;

export function paramsOf(request: ScoreRequest, resolved: ResolvedModel = {}): ScoreParams {
  const params: ScoreParams = { ...resolved };
  if (request.detector !== undefined) params.detector = request.detector;
  if (request.sensitivity !== undefined) params.sensitivity = request.sensitivity;
  if (request.options !== undefined) params.options = request.options;
  return params;
}

export function pointsOf(series: readonly SeriesInput[]): number {
  let total = 0;
  for (const s of series) total += s.timestamps.length;
  return total;
}

/**
 * Points the engine will actually score for a series: the cleaner resamples onto a regular grid at
 * the median step, so a few irregular timestamps can become up to ~100,000 grid points (the cap in
 * series/clean.ts; scoring.test.ts checks this estimate against cleanSeries). O(n log n): only
 * used to keep such requests off the main thread, on requests small enough to score inline.
 */
export function estimateGridPoints(timestamps: readonly number[]): number {
  return gridShape([...new Set(timestamps)].sort((a, b) => a - b)).points;
}

/**
 * One scored series as JSON text in pieces. The engine's own scorer writes its text without the
 * intermediate nullable arrays (scoreSeriesJsonPieces: the same text as JSON.stringify of scoreSeries).
 */
function jsonOf(score: ScoreFn, input: SeriesInput, params: ScoreParams, window?: ScoreWindow): string[] {
  if (score === scoreSeries && !window) return scoreSeriesJsonPieces(input, params);
  const scored = score(input, params);
  return [JSON.stringify(window ? sliceScore(scored, window.from, window.to) : scored)];
}

/** Why a batch failed: the series (by its index in the request) and the engine's message. */
export type BatchFailure = Extract<BatchResult, { ok: false }>;

/**
 * Scores a batch in order, handing each series' text in pieces (scoreSeriesJsonPieces) to `each` as
 * soon as it is scored; the first engine exception becomes a value naming the series, never a thrown
 * error (null: every series scored).
 */
export function scoreEach(
  score: ScoreFn,
  series: readonly SeriesInput[],
  params: ScoreParams,
  each: (pieces: string[]) => void,
  offset = 0,
  window?: ScoreWindow,
): BatchFailure | null {
  for (let i = 0; i < series.length; i++) {
    let pieces: string[];
    try {
      pieces = jsonOf(score, series[i], params, window);
    } catch (err) {
      return {
        ok: false,
        index: offset + i,
        message: err instanceof Error ? err.message : String(err),
        inputError: err instanceof EngineError && err.stage === 'input',
      };
    }
    each(pieces);
  }
  return null;
}

/** scoreBatch with each series' text in pieces, for Utf8Writer.join. */
export function scoreBatchPieces(
  score: ScoreFn,
  series: readonly SeriesInput[],
  params: ScoreParams,
  offset = 0,
  window?: ScoreWindow,
): BatchResult<string[]> {
  const json: string[][] = [];
  return (
    scoreEach(score, series, params, (pieces) => json.push(pieces), offset, window) ?? { ok: true, json }
  );
}

/** Scores a batch; an engine exception becomes a value naming the series, never a thrown error. */
export function scoreBatch(
  score: ScoreFn,
  series: readonly SeriesInput[],
  params: ScoreParams,
  offset = 0,
  window?: ScoreWindow,
): BatchResult {
  const json: string[] = [];
  const each = (pieces: string[]) => json.push(pieces.join(''));
  return scoreEach(score, series, params, each, offset, window) ?? { ok: true, json };
}

/**
 * Contiguous chunks (so order is kept by concatenation) of roughly equal point counts: each cut is
 * placed where the running total is closest to the next multiple of total/parts.
 */
export function partition(
  series: readonly SeriesInput[],
  parts: number,
): { offset: number; series: SeriesInput[] }[] {
  const total = pointsOf(series);
  const chunks: { offset: number; series: SeriesInput[] }[] = [];
  let start = 0;
  let acc = 0;
  for (let i = 0; i < series.length - 1 && chunks.length < parts - 1; i++) {
    acc += series[i].timestamps.length;
    const target = (total * (chunks.length + 1)) / parts;
    const withNext = acc + series[i + 1].timestamps.length;
    if (Math.abs(target - acc) <= Math.abs(withNext - target)) {
      chunks.push({ offset: start, series: series.slice(start, i + 1) });
      start = i + 1;
    }
  }
  chunks.push({ offset: start, series: series.slice(start) });
  return chunks;
}
