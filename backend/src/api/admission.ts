/**
 * Admission before parsing. A request is admitted or refused on its headers alone, before a byte of
 * its body is read: a declared body over the limit is a 413 at once (not after the upload), and a
 * request that would take the service past its concurrency budget (requests in flight, body bytes in
 * flight) is a 503 + Retry-After at once. Parsing, validating and scoring are what stall the event
 * loop under load; refusing before them keeps /healthz, /readyz and /metrics (never counted, never
 * refused) answering at any load, and makes shedding cost microseconds instead of a parse.
 *
 * A response sent before its request's body was read whole (these refusals, a 413 from the body
 * parser on a chunked body, a 404 to a POST) carries `Connection: close` when that body is chunked or
 * larger than DRAIN_MAX_BYTES: otherwise Node would keep reading and discarding the rest of it on that
 * connection to reuse it, which is exactly what a `Content-Length: 1e12` or a never-ending chunked
 * body wants.
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
  /**
   * A request read after the event loop has been busy this long without a break is refused
   * (TRAFFICLENS_MAX_EVENT_LOOP_DELAY_MS); 0 turns the check off.
   */
  maxEventLoopDelayMs: number;
}

/** How often the loop clock ticks; the busy time it measures is at most this much too long. */
const TICK_MS = 5;

/**
 * How long the event loop has been busy: the time since a timer last got to run. Requests that
 * arrive together are read one after another in one pass of the loop, each parsed, validated and
 * (when small) scored before the next is even looked at; counting requests in flight cannot see
 * that backlog, because each one is finished before the next is admitted. The time since the loop
 * last reached its timers can: a request read 200 ms into such a pass, behind others admitted in the
 * same pass, has waited 200 ms already.
 */
function loopClock() {
  let last = performance.now();
  let admitted = 0;
  setInterval(() => {
    last = performance.now();
    admitted = 0;
  }, TICK_MS).unref();
  return {
    busyMs: () => Math.max(0, performance.now() - last - TICK_MS),
    /** Requests admitted since the timer last ran. */
    admittedInPass: () => admitted,
    admit: () => void admitted++,
  };
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

/**
 * An unread body up to this size is read and dropped after an early answer (Node does so), keeping
 * the connection: a refused client retries on it instead of queueing a new connection behind every
 * other one in the kernel's accept queue, where a probe's new connection would wait too. Larger and
 * chunked bodies close the connection instead.
 */
export const DRAIN_MAX_BYTES = 64 * 1024;

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

/**
 * Requests sent with `Expect: 100-continue` whose 100 Continue has not gone out (the server marks
 * them on 'checkContinue'): the admission sends it once the request is admitted, so a refused client
 * never sends its body.
 */
export const awaitingContinue = new WeakSet<IncomingMessage>();

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
    help: 'Requests refused on their headers, before their body was read: too_large (413), overloaded (503: over the budget) or busy (503: the event loop was)',
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

  const clock = limits.maxEventLoopDelayMs > 0 ? loopClock() : null;

  const middleware: RequestHandler = (req, res, next) => {
    const declared = declaredBodyBytes(req);
    const expectsContinue = awaitingContinue.has(req);
    // A client awaiting 100 Continue sends no body unless told to: an answer without it closes the
    // connection rather than wait for a body that does not come.
    const drained = declared !== null && declared <= DRAIN_MAX_BYTES;
    if (!drained || expectsContinue) {
      onHeaders(res, () => {
        if (!req.complete && (!drained || awaitingContinue.has(req))) res.setHeader('Connection', 'close');
      });
    }
    const admit = () => {
      if (awaitingContinue.delete(req)) res.writeContinue();
      next();
    };
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
    // Only requests with a body are metered: parsing and validating a body is the work that stalls the
    // event loop. A bodiless request (a page's assets, a dashboard's GETs, a probe) is cheap to answer,
    // and a browser sends up to 6 of them at once per host: counted, a quiet service refused a demo
    // page's assets and the panels of a dashboard loading while a job's tick held the loop.
    if (UNMETERED_PATHS.has(req.path) || declared === 0) {
      admit();
      return;
    }
    const cost = declared ?? limits.maxBodyBytes;
    // The first request is always admitted, whatever its size: a body the byte budget could never
    // hold (but the body limit allows) must not be refused forever.
    // Only a backlog is refused: the first request read after a long stretch of other work (a job's
    // tick, a scrape) is answered, the ones read behind it in the same pass are not.
    const busyMs = clock?.busyMs() ?? 0;
    if (clock && clock.admittedInPass() > 0 && busyMs > limits.maxEventLoopDelayMs) {
      shed.inc({ reason: 'busy' });
      throw new ApiError(
        503,
        'overloaded',
        `the service is busy (this request waited ${Math.round(busyMs)} ms for the event loop; TRAFFICLENS_MAX_EVENT_LOOP_DELAY_MS ${limits.maxEventLoopDelayMs}); retry later`,
        'overload',
        [],
        { 'Retry-After': String(RETRY_AFTER_SECONDS) },
      );
    }
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
    clock?.admit();
    // 'close' fires once per response, answered or abandoned by the client.
    res.once('close', () => {
      requests -= 1;
      bytes -= cost;
    });
    admit();
  };

  return { middleware, state: () => ({ requestsInFlight: requests, bytesInFlight: bytes }) };
}
