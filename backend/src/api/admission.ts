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
 *
 * The HTTP server runs the admission as its first 'request' listener, before Express (server.ts): a
 * retry storm of 128 clients was refused at ~0.5 ms of main-thread time per refusal through Express,
 * pino-http and the error handler, enough to hold the event loop ~60 ms per pass over the sockets and
 * delay /healthz behind it; answered here, a refusal is a header check, a counter and one write.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { RequestHandler } from 'express';
import onHeaders from 'on-headers';
import type { Logger } from 'pino';
import { Counter, Gauge, type Registry } from 'prom-client';
import { REFUSAL_LOG_INTERVAL_MS } from './errors.js';
import { requestIdOf } from './logging.js';

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
  res: ServerResponse,
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
          stopReading(req);
          const id = res.getHeader('x-request-id');
          answer(res, 413, {
            code: 'payload_too_large',
            message: `request body exceeds the limit of ${maxBodyBytes} bytes (TRAFFICLENS_MAX_BODY_BYTES)`,
            requestId: typeof id === 'string' ? id : requestIdOf(req),
            close: true,
          });
        });
      }
    }
    return push(chunk, encoding);
  };
}

/**
 * Stops reading the connection of a request whose body will not be read (it is refused, and the
 * connection closes after the answer). Node would otherwise go on reading the body to discard it until
 * the socket is destroyed: libuv reads up to 32 × 64 KiB per readiness, so a refused 1.6 MB upload was
 * ~200 KB read, parsed and thrown away on the main thread. `_paused` is the flag Node's HTTP server sets
 * itself when it pauses a socket (parserOnIncoming); without it, the response's end resumes the request
 * to dump its body (resOnFinish → req._dump), and that resumes the socket.
 */
function stopReading(req: IncomingMessage): void {
  const socket = req.socket as Socket & { _paused?: boolean };
  socket._paused = true;
  socket.pause();
}

interface Refusal {
  code: 'payload_too_large' | 'overloaded';
  message: string;
  requestId: string;
  /** Close the connection after the answer (its body is unread and not worth draining). */
  close: boolean;
  retryAfter?: boolean;
}

/**
 * The answer to a refused request, written on the raw response: the same JSON error body the central
 * error handler writes (contract/api.ts ErrorBody), without Express, an ApiError (whose stack trace
 * alone cost 30 µs) or a pino-http child logger. Headers and body go out in one write: Node joins
 * them when the body is a string.
 */
function answer(res: ServerResponse, status: number, refusal: Refusal): void {
  const body = JSON.stringify({
    error: { code: refusal.code, message: refusal.message, details: [], requestId: refusal.requestId },
  });
  const headers: Record<string, string | number> = {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'X-Request-Id': refusal.requestId,
  };
  if (refusal.retryAfter) headers['Retry-After'] = String(RETRY_AFTER_SECONDS);
  if (refusal.close) headers.Connection = 'close';
  res.writeHead(status, headers);
  res.end(body);
}

/**
 * A retry storm is refused thousands of times a second: a log line for each made the refusals, and
 * the event loop, slow. The first refusal is logged at once, then one line a second at most, with
 * the count since the last line.
 */
function refusalLog(logger: Logger | undefined) {
  const last = new Map<string, { at: number; count: number }>();
  return (code: string, status: number, stage: string, message: string) => {
    if (!logger) return;
    const now = performance.now();
    const entry = last.get(code) ?? { at: -Infinity, count: 0 };
    entry.count++;
    if (now - entry.at >= REFUSAL_LOG_INTERVAL_MS) {
      logger.warn({ stage, code, status, refused: entry.count }, message);
      entry.at = now;
      entry.count = 0;
    }
    last.set(code, entry);
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

/**
 * Admits or refuses a request on its headers. Returns true when it answered the request (refused
 * it); false when the request goes on to the app.
 */
export type AdmissionFront = (req: IncomingMessage, res: ServerResponse) => boolean;

export interface Admission {
  /**
   * The admission as a raw 'request' listener, run by the HTTP server before Express (server.ts):
   * a refusal then costs no routing, no per-request logger and no response decoration.
   */
  front: AdmissionFront;
  /** The same admission as middleware, for an app served without createHttpServer (supertest). */
  middleware: RequestHandler;
  state(): AdmissionState;
}

/** Requests the front has already looked at: the middleware passes them on. */
const ADMITTED = Symbol('trafficlens.admitted');
type Marked = IncomingMessage & { [ADMITTED]?: true };

const fronts = new WeakMap<object, AdmissionFront>();

/** Lets createHttpServer find the app's admission and run it before the app. */
export function attachAdmission(app: object, admission: Admission): void {
  fronts.set(app, admission.front);
}

export function admissionOf(app: object): AdmissionFront | undefined {
  return fronts.get(app);
}

/** The path of a request target, without its query (all the unmetered check needs). */
function pathOf(url: string | undefined): string {
  const target = url ?? '/';
  const q = target.indexOf('?');
  return q < 0 ? target : target.slice(0, q);
}

export function createAdmission(limits: AdmissionLimits, registry: Registry, logger?: Logger): Admission {
  let requests = 0;
  let bytes = 0;
  const registers = [registry];
  const shed = new Counter({
    name: 'trafficlens_http_requests_shed_total',
    help: 'Requests refused on their headers, before their body was read: too_large (413), overloaded (503: over the budget) or busy (503: the event loop was)',
    labelNames: ['reason'],
    registers,
  });
  // Children resolved once: inc() on a labelled counter hashes its labels every call.
  const shedTooLarge = shed.labels({ reason: 'too_large' });
  const shedOverloaded = shed.labels({ reason: 'overloaded' });
  const shedBusy = shed.labels({ reason: 'busy' });
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
  const logRefusal = refusalLog(logger);
  const release = (cost: number) => () => {
    requests -= 1;
    bytes -= cost;
  };

  const refuse = (
    req: IncomingMessage,
    res: ServerResponse,
    status: 413 | 503,
    message: string,
    close: boolean,
  ): true => {
    const code = status === 413 ? 'payload_too_large' : 'overloaded';
    logRefusal(code, status, status === 413 ? 'limits' : 'overload', message);
    if (close) stopReading(req);
    answer(res, status, { code, message, requestId: requestIdOf(req), close, retryAfter: status === 503 });
    return true;
  };

  const front: AdmissionFront = (req: Marked, res) => {
    if (req[ADMITTED]) return false;
    req[ADMITTED] = true;
    const declared = declaredBodyBytes(req);
    const expectsContinue = awaitingContinue.has(req);
    // A client awaiting 100 Continue sends no body unless told to: an answer without it closes the
    // connection rather than wait for a body that does not come.
    const drained = declared !== null && declared <= DRAIN_MAX_BYTES;
    const closeUnread = !drained || expectsContinue;
    if (declared === null) capChunkedBody(req, res, limits.maxBodyBytes, () => shedTooLarge.inc());
    if (declared !== null && declared > limits.maxBodyBytes) {
      shedTooLarge.inc();
      return refuse(
        req,
        res,
        413,
        `request body exceeds the limit of ${limits.maxBodyBytes} bytes (TRAFFICLENS_MAX_BODY_BYTES): Content-Length is ${declared}`,
        closeUnread,
      );
    }
    if (closeUnread) {
      onHeaders(res, () => {
        if (!req.complete && (!drained || awaitingContinue.has(req))) res.setHeader('Connection', 'close');
      });
    }
    // Only requests with a body are metered: parsing and validating a body is the work that stalls the
    // event loop. A bodiless request (a page's assets, a dashboard's GETs, a probe) is cheap to answer,
    // and a browser sends up to 6 of them at once per host: counted, a quiet service refused a demo
    // page's assets and the panels of a dashboard loading while a job's tick held the loop.
    if (declared === 0 || UNMETERED_PATHS.has(pathOf(req.url))) {
      if (awaitingContinue.delete(req)) res.writeContinue();
      return false;
    }
    const cost = declared ?? limits.maxBodyBytes;
    // The first request is always admitted, whatever its size: a body the byte budget could never
    // hold (but the body limit allows) must not be refused forever.
    // Only a backlog is refused: the first request read after a long stretch of other work (a job's
    // tick, a scrape) is answered, the ones read behind it in the same pass are not.
    const busyMs = clock?.busyMs() ?? 0;
    if (clock && clock.admittedInPass() > 0 && busyMs > limits.maxEventLoopDelayMs) {
      shedBusy.inc();
      return refuse(
        req,
        res,
        503,
        `the service is busy (this request waited ${Math.round(busyMs)} ms for the event loop; TRAFFICLENS_MAX_EVENT_LOOP_DELAY_MS ${limits.maxEventLoopDelayMs}); retry later`,
        closeUnread,
      );
    }
    if (requests >= limits.maxRequestsInFlight || (requests > 0 && bytes + cost > limits.maxBytesInFlight)) {
      shedOverloaded.inc();
      return refuse(
        req,
        res,
        503,
        `the service is at its limit (${requests} requests, ${bytes} body bytes in flight; TRAFFICLENS_MAX_REQUESTS_IN_FLIGHT ${limits.maxRequestsInFlight}, TRAFFICLENS_MAX_BYTES_IN_FLIGHT ${limits.maxBytesInFlight}); retry later`,
        closeUnread,
      );
    }
    requests += 1;
    bytes += cost;
    clock?.admit();
    // 'close' fires once per response, answered or abandoned by the client.
    res.once('close', release(cost));
    if (awaitingContinue.delete(req)) res.writeContinue();
    return false;
  };

  const middleware: RequestHandler = (req, res, next) => {
    if (!front(req, res)) next();
  };

  return { front, middleware, state: () => ({ requestsInFlight: requests, bytesInFlight: bytes }) };
}
