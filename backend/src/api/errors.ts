/**
 * Every error the API returns goes through here: one error type carrying its HTTP status and the
 * stage that failed, one mapping from foreign errors (body parser, scoring executor), and one
 * Express error handler that logs with the stage and answers `{error: {code, message, details}}`.
 */
import type { ErrorRequestHandler, Request } from 'express';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { PrometheusError } from '../sources/prometheus/errors.js';
import { ScoringError } from './scoringError.js';
import { ApiError, type ErrorDetail } from '../contract/errors.js';

export { ApiError, type ErrorDetail, type ErrorStage } from '../contract/errors.js';

/** A body that is not JSON (body-parser's, or the scoring worker's own parse: the same answer). */
export function malformedJson(reason: string, cause?: unknown): ApiError {
  return new ApiError(
    400,
    'malformed_json',
    `request body is not valid JSON: ${reason}`,
    'parse',
    [],
    {},
    { cause },
  );
}

/** Enough to find the problem; a 200,000-point series of wrong types must not produce a 10 MB error. */
const MAX_DETAILS = 20;

/** `['series', 0, 'values']` → `series[0].values`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}

export function zodDetails(error: z.ZodError): ErrorDetail[] {
  const details: ErrorDetail[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys)
        details.push({ path: formatPath([...issue.path, key]), message: 'unknown field' });
    } else {
      details.push({ path: formatPath(issue.path), message: issue.message });
    }
  }
  return details;
}

/** A 400 naming the first offending field in the message and every one (up to a cap) in details. */
export function validationError(details: ErrorDetail[], what = 'request body'): ApiError {
  const first = details[0];
  const more = details.length > 1 ? ` (and ${details.length - 1} more)` : '';
  const message = first
    ? `invalid ${what}: ${first.path ? `${first.path}: ` : ''}${first.message}${more}`
    : `invalid ${what}`;
  return new ApiError(400, 'invalid_request', message, 'validation', details.slice(0, MAX_DETAILS));
}

/**
 * The path of the first own `__proto__` key in a parsed JSON body, or null. JSON.parse makes it an
 * ordinary key, but zod (and any object copy) drops it silently, so `labels: {"__proto__": "x"}` would
 * be scored as no label at all. Iterative, so a body nested 100,000 deep cannot overflow the stack;
 * numbers in arrays cost one typeof each.
 */
export function findProtoKey(body: unknown): PropertyKey[] | null {
  interface Node {
    value: object;
    key: PropertyKey;
    parent: Node | null;
  }
  const pathOf = (node: Node | null, last: PropertyKey): PropertyKey[] => {
    const path = [last];
    for (let n = node; n && n.parent; n = n.parent) path.unshift(n.key);
    return path;
  };
  if (typeof body !== 'object' || body === null) return null;
  const stack: Node[] = [{ value: body, key: '', parent: null }];
  for (let node = stack.pop(); node; node = stack.pop()) {
    const { value } = node;
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) {
        const item: unknown = value[i];
        if (typeof item === 'object' && item !== null) stack.push({ value: item, key: i, parent: node });
      }
      continue;
    }
    if (Object.prototype.hasOwnProperty.call(value, '__proto__')) return pathOf(node, '__proto__');
    const entries = Object.entries(value);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, item] = entries[i];
      if (typeof item === 'object' && item !== null) stack.push({ value: item as object, key, parent: node });
    }
  }
  return null;
}

export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, what?: string): z.output<S> {
  const proto = findProtoKey(value);
  if (proto) {
    throw validationError([{ path: formatPath(proto), message: '__proto__ is not allowed as a key' }], what);
  }
  const result = schema.safeParse(value);
  if (!result.success) throw validationError(zodDetails(result.error), what);
  return result.data;
}

interface BodyParserError extends Error {
  type: string;
  status?: number;
  limit?: number;
}

function isBodyParserError(err: unknown): err is BodyParserError {
  return err instanceof Error && typeof (err as Partial<BodyParserError>).type === 'string';
}

/** Maps anything thrown or passed to next() onto the API's error type. Unknown errors become 500s. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof ScoringError) {
    switch (err.kind) {
      case 'overloaded':
        return new ApiError(
          503,
          'overloaded',
          err.message,
          'overload',
          [],
          { 'Retry-After': '1' },
          { cause: err },
        );
      case 'input':
        return new ApiError(
          400,
          'invalid_series',
          err.message,
          'validation',
          err.seriesIndex === undefined ? [] : [{ path: `series[${err.seriesIndex}]`, message: err.message }],
          {},
          { cause: err },
        );
      case 'timeout':
        return new ApiError(503, 'scoring_timeout', err.message, 'scoring', [], {}, { cause: err });
      case 'aborted':
        // nginx's "client closed request"; nobody reads it, but it keeps these out of the 5xx rate.
        return new ApiError(499, 'client_closed_request', err.message, 'scoring', [], {}, { cause: err });
      default:
        return new ApiError(
          500,
          'scoring_failed',
          err.message,
          'scoring',
          err.seriesIndex === undefined ? [] : [{ path: `series[${err.seriesIndex}]`, message: err.message }],
          {},
          { cause: err },
        );
    }
  }
  if (err instanceof PrometheusError) return upstreamError(err);
  if (isBodyParserError(err)) {
    switch (err.type) {
      case 'entity.too.large':
        return new ApiError(
          413,
          'payload_too_large',
          `request body exceeds the limit of ${err.limit} bytes`,
          'limits',
          [],
          {},
          { cause: err },
        );
      case 'entity.parse.failed':
        return malformedJson(err.message, err);
      case 'encoding.unsupported':
      case 'charset.unsupported':
        return new ApiError(415, 'unsupported_media_type', err.message, 'parse', [], {}, { cause: err });
      default:
        if (err.status !== undefined && err.status >= 400 && err.status < 500) {
          return new ApiError(err.status, 'bad_request', err.message, 'parse', [], {}, { cause: err });
        }
    }
  }
  const clientError = fromClientStatus(err);
  if (clientError) return clientError;
  return new ApiError(500, 'internal_error', 'internal error', 'internal', [], {}, { cause: err });
}

/**
 * Errors raised below the routes that already carry a 4xx: a body that does not decompress (the body
 * parser passes zlib's error on with status 400 but no type) and a path parameter that is not valid
 * percent-encoding (the router's URIError, status 400). The client sent them, so they are 4xx here
 * too; everything else without a known type stays a 500.
 */
function fromClientStatus(err: unknown): ApiError | null {
  if (!(err instanceof Error)) return null;
  const { status, code, errno } = err as Error & { status?: unknown; code?: unknown; errno?: unknown };
  if (typeof status !== 'number' || status < 400 || status >= 500) return null;
  if (err instanceof URIError) {
    return new ApiError(
      400,
      'malformed_uri',
      'the URL path is not valid percent-encoding (a % must be followed by two hex digits)',
      'parse',
      [],
      {},
      { cause: err },
    );
  }
  // zlib's errors (Z_DATA_ERROR, Z_BUF_ERROR, brotli's ERR_…) carry errno; the parser keeps only the code.
  if (typeof errno === 'number' && typeof code === 'string') {
    return new ApiError(
      400,
      'malformed_body',
      `request body does not decompress as its Content-Encoding says (${code}); send it compressed that way, or without Content-Encoding`,
      'parse',
      [],
      {},
      { cause: err },
    );
  }
  return new ApiError(status, 'bad_request', err.message, 'parse', [], {}, { cause: err });
}

/**
 * Prometheus' failures: its message is passed on (it is about the operator's own Prometheus, and a
 * client needs it to fix an expression); the status says whose fault it is.
 */
function upstreamError(err: PrometheusError): ApiError {
  const details = err.details.upstreamMessage ? [{ path: 'expr', message: err.details.upstreamMessage }] : [];
  switch (err.kind) {
    case 'bad_query':
      return new ApiError(400, 'invalid_query', err.message, 'upstream', details, {}, { cause: err });
    case 'timeout':
      return new ApiError(504, 'upstream_timeout', err.message, 'upstream', [], {}, { cause: err });
    case 'aborted':
      return new ApiError(499, 'client_closed_request', err.message, 'upstream', [], {}, { cause: err });
    default:
      return new ApiError(502, 'upstream_error', err.message, 'upstream', [], {}, { cause: err });
  }
}

/** Refusals under load are logged at most this often (each is counted in the metrics). */
export const REFUSAL_LOG_INTERVAL_MS = 1000;

export function errorHandler(fallbackLogger: Logger): ErrorRequestHandler {
  let refusedSinceLog = 0;
  let lastRefusalLog = -Infinity;
  return (err, req, res, next) => {
    const apiError = toApiError(err);
    const log = (req as Request & { log?: Logger }).log ?? fallbackLogger;
    const fields = { stage: apiError.stage, code: apiError.code, status: apiError.status };
    if (apiError.stage === 'overload') {
      // A retry storm is refused thousands of times a second: a line (with a stack) for each made
      // the refusals, and the event loop, slow. One warning a second at most, with the count.
      refusedSinceLog++;
      const now = performance.now();
      if (now - lastRefusalLog >= REFUSAL_LOG_INTERVAL_MS) {
        log.warn({ ...fields, refused: refusedSinceLog }, apiError.message);
        refusedSinceLog = 0;
        lastRefusalLog = now;
      }
    } else if (apiError.status >= 500)
      log.error({ ...fields, err: apiError.cause ?? apiError }, apiError.message);
    else log.info(fields, apiError.message);

    if (res.headersSent) {
      // Too late for a JSON error; Express closes the connection so the client sees a truncated reply.
      next(err);
      return;
    }
    res.status(apiError.status).set(apiError.headers);
    const requestId = res.getHeader('x-request-id');
    res.json({
      error: {
        code: apiError.code,
        message: apiError.message,
        details: apiError.details,
        ...(typeof requestId === 'string' ? { requestId } : {}),
      },
    });
  };
}
