/**
 * pino JSON logs: one logger for the process, and pino-http for one line per request with its id.
 * Request and response bodies are never logged; neither is the Authorization header, nor the values
 * of query parameters the service does not read (where a token put in the URL would be).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pino, type DestinationStream, type Logger } from 'pino';
import { pinoHttp, type HttpLogger } from 'pino-http';
import type { LogLevel } from '../config/index.js';

export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: 'trafficlens' },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie'], censor: '[redacted]' },
  };
  return destination ? pino(options, destination) : pino(options);
}

/**
 * Query parameters the service reads, logged as sent. Any other parameter's value is replaced: a
 * client that puts its token in the URL (`?token=…`, `?api_key=…`) must not find it in the log.
 */
const LOGGED_PARAMS = new Set([
  'from',
  'to',
  'match',
  'maxDataPoints',
  'mode',
  'theme',
  'job',
  'refresh',
  'kiosk',
]);

/** The URL as logged: the path, and the query with the values of unknown parameters redacted. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const query = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq < 0 ? pair : pair.slice(0, eq);
      let decoded = name;
      try {
        decoded = decodeURIComponent(name.replace(/\+/g, ' '));
      } catch {
        // not valid percent-encoding: not one of ours either
      }
      if (LOGGED_PARAMS.has(decoded)) return pair;
      // A bare `?<secret>` is all value.
      return eq < 0 ? (pair === '' ? pair : '[redacted]') : `${name}=[redacted]`;
    })
    .join('&');
  return `${url.slice(0, q)}?${query}`;
}

/** A client-supplied id is kept when it looks like one, so logs can be joined across proxies. */
const REQUEST_ID = /^[\w.:-]{1,128}$/;

/** The request's id: the client's X-Request-Id when it looks like one, else a new UUID. */
export function requestIdOf(req: IncomingMessage): string {
  const incoming = req.headers['x-request-id'];
  return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

/** A 503 that tells the client when to retry: a request refused under load, not a failure. */
const isRefusal = (res: ServerResponse) => res.statusCode === 503 && res.hasHeader('retry-after');

export function createHttpLogger(logger: Logger): HttpLogger {
  return pinoHttp({
    logger,
    genReqId(req: IncomingMessage, res: ServerResponse) {
      const id = requestIdOf(req);
      res.setHeader('X-Request-Id', id);
      return id;
    },
    customLogLevel(_req, res, err) {
      // Logged by the error handler, once a second at most (errors.ts).
      if (!err && isRefusal(res)) return 'silent';
      if (err || res.statusCode >= 500) return 'error';
      if (res.statusCode >= 400) return 'warn';
      return 'info';
    },
    // Probes and scrapes every few seconds would drown the request log.
    autoLogging: { ignore: (req) => /^\/(healthz|readyz|metrics)(\?|$)/.test(req.url ?? '') },
    serializers: {
      req: (req: { id: unknown; method: string; url: string; remoteAddress?: string }) => ({
        id: req.id,
        method: req.method,
        url: redactUrl(req.url),
        remoteAddress: req.remoteAddress,
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  });
}
