/**
 * Admission before parsing. A request is admitted or refused on its headers alone, before a byte of
 * its body is read: a declared body over the limit is a 413 at once (not after the upload), and a
 * request that would take the service past its concurrency budget (requests in flight, body bytes in
 * flight) is a 503 + Retry-After at once. Parsing, validating and scoring are what stall the event
 * loop under load; refusing before them keeps /healthz, /readyz and /metrics (never counted, never
 * refused) answering at any load, and makes shedding cost microseconds instead of a parse.
 *
 * A response sent before its request's body was read whole (these refusals, a 413 from the body
 * parser on a chunked body, a 404 to a POST) carries `Connection: close`: otherwise Node would keep
 * reading and discarding the rest of the body on that connection to reuse it, which is exactly what a
 * `Content-Length: 1e12` or a never-ending chunked body wants.
 */
import type { IncomingMessage } from 'node:http';
import type { RequestHandler, Response } from 'express';
import onHeaders from 'on-headers';
import { Counter, Gauge, type Registry } from 'prom-client';
import { ApiError } from './errors.js';

export interface AdmissionLimits {
  /** Largest body: a larger Content-Length is refused before reading (TRAFFICLENS_MAX_BODY_BYTES). */
  maxBodyBytes: number;
  /** Requests admitted at once (TRAFFICLENS_MAX_REQUESTS_IN_FLIGHT). */
  maxRequestsInFlight: number;
  /** Declared body bytes admitted at once (TRAFFICLENS_MAX_BYTES_IN_FLIGHT); a chunked body counts as maxBodyBytes. */
  maxBytesInFlight: number;
}

/** Paths that are always answered and never counted: probes and scrapes must work under any load. */
export const UNMETERED_PATHS: ReadonlySet<string> = new Set(['/healthz', '/readyz', '/metrics']);

/** How long a refused client should wait before retrying. */
export const RETRY_AFTER_SECONDS = 1;

/** The body a request declares: its Content-Length, `null` when chunked (unknown), 0 without one. */
export function declaredBodyBytes(req: IncomingMessage): number | null {
  const length = req.headers['content-length'];
  if (length !== undefined) {
    const n = Number(length);
    // Node's parser has already refused malformed or conflicting lengths with a 400.
    return Number.isFinite(n) && n >= 0 ? n : 0;
  }
  return req.headers['transfer-encoding'] !== undefined ? null : 0;
}

function hasBody(req: IncomingMessage): boolean {
  const declared = declaredBodyBytes(req);
  return declared === null || declared > 0;
}

/**
 * A chunked body has no length to refuse up front, and the body parser, once past its limit, reads
 * the rest of the body before answering (forever, for one that never ends). So its bytes are counted
 * as Node's parser hands them over, and the 413 goes out as soon as they pass the limit; the
 * connection then closes (the body is unread). A slow body is bounded by the request timeout.
 */
function capChunkedBody(
  req: IncomingMessage,
  res: Response,
  maxBodyBytes: number,
  onRefused: () => void,
): void {
  let received = 0;
  const push = req.push.bind(req);
  req.push = (chunk: unknown, encoding?: BufferEncoding) => {
    if (chunk && received <= maxBodyBytes) {
      received += (chunk as Buffer).length;
      if (received > maxBodyBytes) {
        onRefused();
        setImmediate(() => {
          if (res.headersSent) return;
          res
            .status(413)
            .set('Connection', 'close')
            .json({
              error: {
                code: 'payload_too_large',
                message: `request body exceeds the limit of ${maxBodyBytes} bytes (TRAFFICLENS_MAX_BODY_BYTES)`,
                details: [],
                requestId: res.getHeader('x-request-id'),
              },
            });
        });
      }
    }
    return push(chunk, encoding);
  };
}

export interface AdmissionState {
  requestsInFlight: number;
  bytesInFlight: number;
}

export interface Admission {
  middleware: RequestHandler;
  state(): AdmissionState;
}

export function createAdmission(limits: AdmissionLimits, registry: Registry): Admission {
  let requests = 0;
  let bytes = 0;
  const registers = [registry];
  const shed = new Counter({
    name: 'trafficlens_http_requests_shed_total',
    help: 'Requests refused on their headers, before their body was read: too_large (413) or overloaded (503)',
    labelNames: ['reason'],
    registers,
  });
  new Gauge({
    name: 'trafficlens_http_requests_in_flight',
    help: 'Admitted requests not yet answered (probes and scrapes are not counted)',
    registers,
    collect() {
      this.set(requests);
    },
  });
  new Gauge({
    name: 'trafficlens_http_body_bytes_in_flight',
    help: 'Declared body bytes of the admitted requests not yet answered',
    registers,
    collect() {
      this.set(bytes);
    },
  });

  const middleware: RequestHandler = (req, res, next) => {
    if (hasBody(req)) {
      onHeaders(res, () => {
        if (!req.complete) res.setHeader('Connection', 'close');
      });
    }
    const declared = declaredBodyBytes(req);
    if (declared === null)
      capChunkedBody(req, res, limits.maxBodyBytes, () => shed.inc({ reason: 'too_large' }));
    if (declared !== null && declared > limits.maxBodyBytes) {
      shed.inc({ reason: 'too_large' });
      throw new ApiError(
        413,
        'payload_too_large',
        `request body exceeds the limit of ${limits.maxBodyBytes} bytes (TRAFFICLENS_MAX_BODY_BYTES): Content-Length is ${declared}`,
        'limits',
      );
    }
    if (UNMETERED_PATHS.has(req.path)) {
      next();
      return;
    }
    const cost = declared ?? limits.maxBodyBytes;
    // The first request is always admitted, whatever its size: a body the byte budget could never
    // hold (but the body limit allows) must not be refused forever.
    if (requests >= limits.maxRequestsInFlight || (requests > 0 && bytes + cost > limits.maxBytesInFlight)) {
      shed.inc({ reason: 'overloaded' });
      throw new ApiError(
        503,
        'overloaded',
        `the service is at its limit (${requests} requests, ${bytes} body bytes in flight; TRAFFICLENS_MAX_REQUESTS_IN_FLIGHT ${limits.maxRequestsInFlight}, TRAFFICLENS_MAX_BYTES_IN_FLIGHT ${limits.maxBytesInFlight}); retry later`,
        'overload',
        [],
        { 'Retry-After': String(RETRY_AFTER_SECONDS) },
      );
    }
    requests += 1;
    bytes += cost;
    // 'close' fires once per response, answered or abandoned by the client.
    res.once('close', () => {
      requests -= 1;
      bytes -= cost;
    });
    next();
  };

  return { middleware, state: () => ({ requestsInFlight: requests, bytesInFlight: bytes }) };
}
