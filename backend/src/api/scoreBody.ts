/**
 * A POST /api/v1/score body from raw bytes to the response bytes: decode, parse, check the counts,
 * validate, score, serialize. In the service this runs in a scoring worker, so the main thread never
 * parses or stringifies a large payload: handing a parsed request to a worker costs about as much as
 * parsing it, so the worker is given the bytes. Every client error is the one express.json and the
 * route gave when they ran on the main thread (same status, code, message and details).
 */
import { inEpochMsRange, type ScoreRequest } from '../contract/score.js';
import { ApiError, malformedJson, parseOrThrow, type ErrorDetail, type ErrorStage } from './errors.js';
import { ScoreRequestBody } from '../contract/api.js';
import { Utf8Writer } from './utf8.js';
import {
  paramsOf,
  partition,
  pointsOf,
  scoreEach,
  type BodyPart,
  type CountLimits,
  type ResolvedModel,
  type ScoreFn,
} from './scoring.js';

/** An ApiError as plain data, to cross from a worker. */
export interface ApiErrorData {
  status: number;
  code: string;
  message: string;
  stage: ErrorStage;
  details: ErrorDetail[];
}

export type ParsedBody = { ok: true; request: ScoreRequest } | { ok: false; error: ApiErrorData };

export type BodyResult =
  | {
      ok: true;
      /** `{"series":[…]}` as UTF-8; for a part, its series' objects joined by commas (maybe none). */
      body: Uint8Array;
      points: number;
      detector: string;
    }
  /** A client error found before scoring. */
  | { ok: false; kind: 'client'; error: ApiErrorData }
  /** The request names a model: resolve it and run again with it (`body`: the bytes, handed back). */
  | { ok: false; kind: 'model'; model: string; body: Uint8Array }
  /** The engine refused (inputError) or failed on a series. */
  | {
      ok: false;
      kind: 'engine';
      index: number;
      message: string;
      inputError: boolean;
      detector: string;
    };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/**
 * Count limits are checked on the raw parsed body, before schema validation, so an oversized
 * request is refused without validating millions of points first.
 */
export function checkCountLimits(body: unknown, limits: CountLimits): void {
  if (!isObject(body) || !Array.isArray(body.series)) return;
  const series = body.series;
  if (series.length > limits.maxSeriesPerRequest) {
    throw new ApiError(
      413,
      'too_many_series',
      `request has ${series.length} series; the limit is ${limits.maxSeriesPerRequest} series per request (TRAFFICLENS_MAX_SERIES)`,
      'limits',
      [{ path: 'series', message: `at most ${limits.maxSeriesPerRequest} series` }],
    );
  }
  series.forEach((s: unknown, index) => {
    if (!isObject(s)) return;
    for (const key of ['timestamps', 'values'] as const) {
      const points = s[key];
      if (Array.isArray(points) && points.length > limits.maxPointsPerSeries) {
        throw new ApiError(
          413,
          'too_many_points',
          `series[${index}].${key} has ${points.length} points; the limit is ${limits.maxPointsPerSeries} points per series (TRAFFICLENS_MAX_POINTS_PER_SERIES)`,
          'limits',
          [{ path: `series[${index}].${key}`, message: `at most ${limits.maxPointsPerSeries} points` }],
        );
      }
    }
  });
}

/** Whether zod would accept these as a series' arrays: EpochMs timestamps, finite-or-null values, paired. */
function validPoints(timestamps: unknown, values: unknown): boolean {
  if (!Array.isArray(timestamps) || !Array.isArray(values) || timestamps.length !== values.length)
    return false;
  for (let i = 0; i < timestamps.length; i++) {
    const t: unknown = timestamps[i];
    if (!(typeof t === 'number' && inEpochMsRange(t))) return false;
  }
  for (let i = 0; i < values.length; i++) {
    const v: unknown = values[i];
    if (v !== null && !(typeof v === 'number' && Number.isFinite(v))) return false;
  }
  return true;
}

/**
 * parseOrThrow(ScoreRequestBody, body), with the series' arrays checked here in one loop each: zod runs
 * a schema and allocates a result per element, ~30 ms and 11 MB of a scoring worker's ~250 ms for a
 * dashboard request (issue 15). A series whose arrays pass (validPoints) is validated by zod with empty
 * arrays in their place and then given its own back; any other goes to zod whole, so every answer, an
 * error or not, is zod's (arrays that pass add no issue, and the length check sees equal lengths either way).
 */
export function parseScoreRequest(body: unknown): ScoreRequest {
  if (!isObject(body) || !Array.isArray(body.series)) return parseOrThrow(ScoreRequestBody, body);
  const checked = new Map<number, Pick<ScoreRequest['series'][number], 'timestamps' | 'values'>>();
  const series = body.series.map((s: unknown, i) => {
    if (!isObject(s) || !validPoints(s.timestamps, s.values)) return s;
    checked.set(i, { timestamps: s.timestamps as number[], values: s.values as (number | null)[] });
    return { ...s, timestamps: [], values: [] };
  });
  const request = parseOrThrow(ScoreRequestBody, checked.size > 0 ? { ...body, series } : body);
  for (const [i, arrays] of checked) Object.assign(request.series[i], arrays);
  return request;
}

// body-parser 2's strict JSON parse (lib/types/json.js), so malformed bodies get the same message.
const FIRST_NON_WHITESPACE = /^[\x20\x09\x0a\x0d]*([^\x20\x09\x0a\x0d]|$)/; // eslint-disable-line no-control-regex
const JSON_SYNTAX_CHAR = '#';
const JSON_SYNTAX = /#+/g;

function strictViolationMessage(text: string, char: string | undefined): string {
  const index = char === undefined ? -1 : text.indexOf(char);
  const partial = index === -1 ? '' : text.substring(0, index) + JSON_SYNTAX_CHAR.repeat(text.length - index);
  try {
    JSON.parse(partial);
    return 'strict violation';
  } catch (e) {
    return (e as Error).message.replace(JSON_SYNTAX, (p) => text.substring(index, index + p.length));
  }
}

/** JSON.parse as express.json({ strict: true }) does it: `{}` for an empty body, objects and arrays only. */
export function parseJsonStrict(text: string): unknown {
  if (text.length === 0) return {};
  if (text[0] !== '{' && text[0] !== '[') {
    const first = FIRST_NON_WHITESPACE.exec(text)?.[1] || undefined;
    if (first !== '{' && first !== '[') throw new SyntaxError(strictViolationMessage(text, first));
  }
  return JSON.parse(text);
}

const utf8 = new TextDecoder('utf-8');

/** An ApiError as data a worker can send back. */
export const dataOf = (e: ApiError): ApiErrorData => ({
  status: e.status,
  code: e.code,
  message: e.message,
  stage: e.stage,
  details: e.details,
});

/** Bytes to a validated request, or the client error express.json and the route answered. */
export function parseScoreBody(bytes: Uint8Array, limits: CountLimits): ParsedBody {
  // Like iconv-lite under body-parser: a UTF-8 BOM is dropped, invalid bytes become U+FFFD.
  const text = utf8.decode(bytes);
  let body: unknown;
  try {
    body = parseJsonStrict(text);
  } catch (err) {
    return { ok: false, error: dataOf(malformedJson(err instanceof Error ? err.message : String(err))) };
  }
  try {
    checkCountLimits(body, limits);
    return { ok: true, request: parseScoreRequest(body) };
  } catch (err) {
    if (err instanceof ApiError) return { ok: false, error: dataOf(err) };
    throw err;
  }
}

/** The detector the metrics name for a request. */
export const detectorOf = (request: ScoreRequest, model?: ResolvedModel): string =>
  request.detector ?? model?.detector ?? 'auto';

/**
 * About what a scored point takes in the answer (a dashboard request's: 7.7 MB for 72,000 points), so
 * the answer's buffer is allocated once; it grows (a copy) past that.
 */
const ANSWER_BYTES_PER_POINT = 128;

/**
 * Scores a parsed request into the response body. `model` is what the route resolved for
 * `request.model` (undefined: the request names none, or it has not been resolved yet).
 */
export function scoreParsed(
  score: ScoreFn,
  request: ScoreRequest,
  model: ResolvedModel | undefined,
  bytes: Uint8Array,
  part?: BodyPart,
): BodyResult {
  if (request.model !== undefined && model === undefined)
    return { ok: false, kind: 'model', model: request.model, body: bytes };
  const detector = detectorOf(request, model);
  const points = pointsOf(request.series);
  const params = paramsOf(request, model);
  const share = part
    ? (partition(request.series, part.of)[part.index] ?? { offset: 0, series: [] })
    : { offset: 0, series: request.series };
  // Every worker parses the whole body; the other workers' series are let go before scoring, or they
  // live through it and are promoted with the answer's garbage (~2.3 MB of a dashboard request a worker).
  if (part) request.series = share.series;
  // Each series' text is written as soon as it is scored: kept until the end, the texts of the series
  // before it were copied by every scavenge meanwhile (a few MB each time, most of a worker's GC pauses).
  // Its own ArrayBuffer (not Buffer's shared pool), so it can be transferred rather than copied.
  const out = new Utf8Writer(ANSWER_BYTES_PER_POINT * pointsOf(share.series));
  if (!part) out.write('{"series":[');
  let first = true;
  const failed = scoreEach(
    score,
    share.series,
    params,
    (pieces) => {
      if (!first) out.write(',');
      first = false;
      for (const piece of pieces) out.write(piece);
    },
    share.offset,
  );
  if (failed) return { ...failed, kind: 'engine', detector };
  if (!part) out.write(']}');
  return { ok: true, body: out.bytes(), points, detector };
}

/** The whole task: bytes in, response bytes (or the error) out. */
export function scoreBody(
  score: ScoreFn,
  bytes: Uint8Array,
  limits: CountLimits,
  model?: ResolvedModel,
  part?: BodyPart,
): BodyResult {
  const parsed = parseScoreBody(bytes, limits);
  if (!parsed.ok) return { ok: false, kind: 'client', error: parsed.error };
  return scoreParsed(score, parsed.request, model, bytes, part);
}
