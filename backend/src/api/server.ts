/**
 * Process lifecycle around the app: listen, and shut down gracefully. Shutdown order matters:
 * mark not-ready, stop accepting and let in-flight requests finish (bounded by a timeout), then
 * stop the jobs and the worker pool that those requests may still have been using.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Server as NetServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import type { Logger } from 'pino';
import { loadConfig, type HttpLimits } from '../config/index.js';
import { admissionOf, awaitingContinue } from './admission.js';
import type { Lifecycle } from './lifecycle.js';

const closing = new WeakSet<Server>();
const inFlight = new WeakMap<Server, Set<ServerResponse>>();
const graceOver = new WeakSet<Server>();

function urlOf(address: AddressInfo): string {
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}

/** Slow-client limits of the HTTP server (TRAFFICLENS_HEADERS_TIMEOUT_MS and friends, config/schema.ts). */
export type ServerLimits = Pick<HttpLimits, 'headersTimeoutMs' | 'requestTimeoutMs' | 'maxConnections'>;

/** What the service uses when the caller gives no limits (tests, the bench): the config defaults. */
export const DEFAULT_SERVER_LIMITS: ServerLimits = loadConfig({ env: {} }).http;

/**
 * The HTTP server for the app, not yet listening (so shutdown can be wired before it is). Node checks
 * the header and request timeouts on a timer (every 30 s by default, so a 10 s timeout could take
 * 40 s); it runs here at a quarter of the shorter timeout.
 */
export function createHttpServer(app: Express, limits: ServerLimits = DEFAULT_SERVER_LIMITS): Server {
  const server = createServer({
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    connectionsCheckingInterval: Math.max(
      100,
      Math.floor(Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) / 4),
    ),
  });
  server.maxConnections = limits.maxConnections;
  const draining = new Set<ServerResponse>();
  server.on('request', (_req: IncomingMessage, res: ServerResponse) => {
    if (closing.has(server)) {
      res.setHeader('Connection', 'close');
      return;
    }
    draining.add(res);
    res.once('close', () => draining.delete(res));
    // A response whose headers had gone out (keep-alive) before shutdown leaves its connection idle
    // when it ends; once the grace is over, idle connections close as soon as they are idle.
    res.once('finish', () => {
      if (graceOver.has(server)) setImmediate(() => server.closeIdleConnections());
    });
  });
  // When shutdown begins, every response not yet started says `Connection: close` (Node then closes
  // its connection after it), so no client reuses a connection the server is about to close.
  inFlight.set(server, draining);
  // The app's admission answers refusals before Express sees them (admission.ts).
  const admit = admissionOf(app);
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (!admit?.(req, res)) app(req, res);
  });
  // Without a listener Node sends 100 Continue before the app sees the request; the admission sends
  // it instead, once the request is admitted, so a refused client does not upload its body.
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    awaitingContinue.add(req);
    server.emit('request', req, res);
  });
  return server;
}

/** Starts listening; resolves to the URL with the port actually bound (PORT=0 picks a free one). */
export async function listenOn(
  server: Server,
  { host, port }: { host: string; port: number },
): Promise<string> {
  server.listen(port, host);
  // 'error' (EADDRINUSE, EACCES, bad host) rejects; 'listening' resolves.
  await once(server, 'listening');
  return urlOf(server.address() as AddressInfo);
}

export interface Listening {
  server: Server;
  url: string;
}

/** createHttpServer + listenOn, for callers that wire no shutdown before listening (tests, bench). */
export async function listen(app: Express, options: { host: string; port: number }): Promise<Listening> {
  const server = createHttpServer(app);
  return { server, url: await listenOn(server, options) };
}

export interface ShutdownStep {
  name: string;
  run: () => Promise<void>;
}

export interface ShutdownOptions {
  server: Server;
  lifecycle: Lifecycle;
  logger: Logger;
  /** How long in-flight requests get before their connections are closed. */
  timeoutMs: number;
  /**
   * How long an idle keep-alive connection stays open once shutdown has begun, so a request its client
   * was already sending is answered (with `Connection: close`) instead of reset. Default 1 s, at most
   * timeoutMs.
   */
  idleGraceMs?: number;
  /** Run after the HTTP server has closed, in order (stop jobs, destroy the pool). */
  steps: ShutdownStep[];
}

export const DEFAULT_IDLE_GRACE_MS = 1000;

/** Returns an idempotent shutdown: every call resolves when the first one has finished. */
export function gracefulShutdown({
  server,
  lifecycle,
  logger,
  timeoutMs,
  idleGraceMs = DEFAULT_IDLE_GRACE_MS,
  steps,
}: ShutdownOptions) {
  let running: Promise<void> | undefined;

  async function closeServer(): Promise<void> {
    closing.add(server);
    for (const res of inFlight.get(server) ?? []) {
      if (!res.headersSent) res.setHeader('Connection', 'close');
    }
    // Stop accepting, but not through http.Server#close, which also closes the idle keep-alive
    // connections at once: a client that had just sent a request on one would see ECONNRESET.
    const closed = new Promise<void>((resolve) => NetServer.prototype.close.call(server, () => resolve()));
    const timers: NodeJS.Timeout[] = [];
    // Idle connections that carried no request during the grace are closed; every connection that
    // answers a request from now on closes itself after the response.
    timers.push(
      setTimeout(
        () => {
          graceOver.add(server);
          server.closeIdleConnections();
        },
        Math.min(idleGraceMs, timeoutMs),
      ),
    );
    const timedOut = new Promise<'timeout'>((resolve) => {
      timers.push(setTimeout(() => resolve('timeout'), timeoutMs));
    });
    const outcome = await Promise.race([closed.then(() => 'closed' as const), timedOut]);
    for (const timer of timers) clearTimeout(timer);
    if (outcome === 'timeout') {
      logger.warn(
        { stage: 'shutdown', timeoutMs },
        'in-flight requests did not finish in time; closing connections',
      );
      server.closeAllConnections();
      await closed;
    }
  }

  return (reason: string): Promise<void> => {
    running ??= (async () => {
      lifecycle.beginShutdown();
      logger.info({ stage: 'shutdown', reason }, `shutting down (${reason}): not ready, draining requests`);
      await closeServer();
      for (const step of steps) {
        try {
          await step.run();
        } catch (err) {
          logger.error({ stage: 'shutdown', step: step.name, err }, `shutdown step "${step.name}" failed`);
        }
      }
      logger.info({ stage: 'shutdown', reason }, 'shutdown complete');
    })();
    return running;
  };
}

export interface ProcessHandlers {
  shutdown: (reason: string) => Promise<void>;
  lifecycle: Lifecycle;
  logger: Logger;
}

/**
 * SIGTERM/SIGINT shut down gracefully and exit 0; a second signal exits 1 at once. Uncaught errors
 * are logged and exit 1 (the process state is unknown; the orchestrator restarts it). Returns the
 * function the caller uses for its own fatal conditions.
 */
export function exitOnSignals({ shutdown, lifecycle, logger }: ProcessHandlers) {
  const exitAfterShutdown = (reason: string, code: number) =>
    void shutdown(reason).then(() => process.exit(code));
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (lifecycle.shuttingDown) {
        logger.warn({ stage: 'shutdown', signal }, 'second signal during shutdown: exiting now');
        process.exit(1);
      }
      exitAfterShutdown(signal, 0);
    });
  }
  process.on('uncaughtException', (err) => {
    logger.fatal({ stage: 'internal', err }, 'uncaught exception');
    process.exit(1);
  });
  process.on('unhandledRejection', (err) => {
    logger.fatal({ stage: 'internal', err }, 'unhandled promise rejection');
    process.exit(1);
  });
  return exitAfterShutdown;
}
