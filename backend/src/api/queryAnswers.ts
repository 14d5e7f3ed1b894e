/**
 * POST /api/v1/query from Prometheus' answers (bytes) to the response bytes: parse the answers, check
 * the series count, score, cut to [start, end], serialize. In the service this runs in a scoring
 * worker, so a large answer's JSON.parse never holds up the event loop; the main thread only fetches.
 * Every outcome is what the route answered when it parsed on the main thread (same status and body).
 */
import type { QueryInfo, QueryRequest } from '../contract/query.js';
import type { ScoreRequest } from '../contract/score.js';
import { PrometheusError, type PrometheusErrorKind } from '../sources/prometheus/errors.js';
import { scoreRequestFor } from '../sources/prometheus/promql.js';
import { parseRangeAnswers } from '../sources/prometheus/range.js';
import { ApiError } from './errors.js';
import { Utf8Writer } from './utf8.js';
import { dataOf, type ApiErrorData } from './scoreBody.js';
import {
  paramsOf,
  pointsOf,
  scoreBatchPieces,
  type QueryTask,
  type ScoreFn,
  type ScoreWindow,
} from './scoring.js';

export type { QueryTask } from './scoring.js';

/** A PrometheusError as plain data, to cross from a worker. */
export interface PrometheusErrorData {
  kind: PrometheusErrorKind;
  message: string;
  details: PrometheusError['details'];
}

export type QueryResult =
  | {
      ok: true;
      /** `{"series":[…],"query":{…}}` as UTF-8. */
      body: Uint8Array;
      /** Points fetched and scored; 0 (and nothing scored) when the expression returned no series. */
      points: number;
      detector: string;
    }
  /** An answer from Prometheus that is an error, or not what it sends. */
  | { ok: false; kind: 'upstream'; error: PrometheusErrorData }
  /** More series than a request may have. */
  | { ok: false; kind: 'client'; error: ApiErrorData }
  /** The engine refused (inputError) or failed on a series. */
  | { ok: false; kind: 'engine'; index: number; message: string; inputError: boolean; detector: string };

/** The detector the metrics name for a query. */
export const queryDetector = (query: QueryRequest): string => query.detector ?? 'auto';

export const prometheusErrorOf = (data: PrometheusErrorData): PrometheusError =>
  new PrometheusError(data.kind, data.message, data.details);

/** Either the answer already (an error, no series) or the request to score and how to wrap it. */
export type PreparedQuery =
  | { ready: true; result: QueryResult }
  | { ready: false; request: ScoreRequest; info: QueryInfo; window: ScoreWindow; detector: string };

const encode = (text: string) => new TextEncoder().encode(text);

/** Parses the answers into the request to score (or the answer, when there is nothing to score). */
export function prepareQuery({ query: q, historyStart, answers, maxSeries }: QueryTask): PreparedQuery {
  let fetched;
  try {
    fetched = parseRangeAnswers(answers);
  } catch (err) {
    if (!(err instanceof PrometheusError)) throw err;
    const error = { kind: err.kind, message: err.message, details: err.details };
    return { ready: true, result: { ok: false, kind: 'upstream', error } };
  }
  if (fetched.length > maxSeries) {
    const error = new ApiError(
      413,
      'too_many_series',
      `the expression returned ${fetched.length} series; the limit is ${maxSeries} (TRAFFICLENS_MAX_SERIES): aggregate or filter it`,
      'limits',
      [{ path: 'expr', message: `at most ${maxSeries} series` }],
    );
    return { ready: true, result: { ok: false, kind: 'client', error: dataOf(error) } };
  }
  const info: QueryInfo = {
    expr: q.expr,
    start: q.start,
    end: q.end,
    stepMs: q.step,
    historyStart,
    fetchedSeries: fetched.length,
    fetchedPoints: pointsOf(fetched),
  };
  const detector = queryDetector(q);
  if (fetched.length === 0) {
    const body = encode(JSON.stringify({ series: [], query: info }));
    return { ready: true, result: { ok: true, body, points: 0, detector } };
  }
  const window = { from: q.start, to: q.end };
  return { ready: false, request: scoreRequestFor(q, fetched), info, window, detector };
}

/** The response body around the scored series' JSON (cut to the window where they were scored). */
export const queryResponseBody = (
  json: readonly (string | readonly string[])[],
  info: QueryInfo,
): Uint8Array => Utf8Writer.join('{"series":[', json, `],"query":${JSON.stringify(info)}}`);

/** The whole task: answers in, response bytes (or the error) out. */
export function scoreQuery(score: ScoreFn, task: QueryTask): QueryResult {
  const prepared = prepareQuery(task);
  if (prepared.ready) return prepared.result;
  const { request, info, window, detector } = prepared;
  const result = scoreBatchPieces(score, request.series, paramsOf(request), 0, window);
  if (!result.ok) return { ...result, kind: 'engine', detector };
  return { ok: true, body: queryResponseBody(result.json, info), points: info.fetchedPoints, detector };
}
