/**
 * /api/v1/score latency for a dashboard-sized request, against the real app (createApp with the
 * service's own executor: the worker pool, sized as the service sizes it) listening on a loopback
 * port, and the floor any JSON-over-HTTP scorer pays for the same request: parsing the request body
 * and serializing a response of the same size. latency ÷ floor says how much the scoring adds.
 */
import { Agent, request as httpRequest } from 'node:http';
import { loadavg } from 'node:os';
import { Writable } from 'node:stream';
import { Registry } from 'prom-client';
import { createApp } from '../../api/app.js';
import { createScoringExecutor } from '../../api/executor.js';
import { Lifecycle } from '../../api/lifecycle.js';
import { createLogger } from '../../api/logging.js';
import { listen } from '../../api/server.js';
import { loadConfig } from '../../config/index.js';
import type { DetectorName, ScoreRequest } from '../../contract/score.js';
import { syntheticTraffic } from './inputs.js';
import { median, nowMs, percentile } from './stats.js';

export interface ApiOptions {
  series: number;
  points: number;
  stepMs?: number;
  requests: number;
  /** Requests sent first and not counted (worker start, JIT). */
  warmup: number;
  /** Scoring worker threads; default: what the service would use on this machine. 0 = inline. */
  workerThreads?: number;
  /**
   * The workers' nice increment (TRAFFICLENS_WORKER_NICE); default: the service's. At 10 they yield to
   * every other process at nice 0, so on a machine shared with other work 0 shows what the code does.
   */
  workerNice?: number;
  detector?: DetectorName;
  onRequest?: (label: string) => void;
}

export interface ApiResult {
  series: number;
  pointsPerSeries: number;
  requests: number;
  requestBytes: number;
  responseBytes: number;
  executor: { mode: string; threads: number; nice: number };
  /** Request sent → last byte of the response received (what the server and the loopback cost). */
  p50Ms: number;
  p99Ms: number;
  minMs: number;
  maxMs: number;
  /**
   * The client's UTF-8 decode of each response into a string, after the last byte (not in the
   * latency: client work, like the parse it would do next). The latency included it before (issue 15, third round).
   */
  decode: { p50Ms: number; p99Ms: number };
  floor: { parseP50Ms: number; stringifyP50Ms: number; p50Ms: number };
  /** p50 latency ÷ p50 floor (p50 = median; p99 = nearest rank, the maximum of 30 requests). */
  ratioP50: number;
  /** p99 latency ÷ p50 floor. */
  ratioP99: number;
  /** The 1-minute load average before and after the requests: other work on the machine shows here. */
  loadAverage: { before: number; after: number };
}

/** Issue 15: a dashboard request within 3× what parsing and serializing its JSON costs, p50 and p99. */
export const API_FLOOR_TARGET = 3;

/**
 * What a dashboard panel sends: `series` one-minute series of one day each (a Grafana panel over
 * 24 h), distinct seeds so every series differs; no options, i.e. the default non-causal request.
 */
export function dashboardRequest(series: number, points: number, stepMs = 60_000): ScoreRequest {
  const end = Date.UTC(2024, 1, 1);
  return {
    series: Array.from({ length: series }, (_, k) => {
      const s = syntheticTraffic({ points, stepMs, seed: 1000 + k, start: end - points * stepMs });
      return { labels: { instance: `edge-${k}`, job: 'bench' }, timestamps: s.timestamps, values: s.values };
    }),
  };
}

/** One JSON POST over a keep-alive agent, the body read whole (the benches time the full exchange). */
export async function post(agent: Agent, url: URL, body: Buffer): Promise<{ status: number; body: string }> {
  const res = await postBytes(agent, url, body);
  return { status: res.status, body: res.bytes.toString('utf8') };
}

/** `post` with the response's bytes, not decoded. */
export function postBytes(agent: Agent, url: URL, body: Buffer): Promise<{ status: number; bytes: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': body.length },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Logs at the service's default level into a sink: the per-request log line is part of the cost. */
export function discardingLogger() {
  return createLogger('info', new Writable({ write: (_chunk, _enc, done) => done() }));
}

export async function measureApiLatency({
  series,
  points,
  stepMs = 60_000,
  requests,
  warmup,
  workerThreads,
  workerNice,
  detector,
  onRequest,
}: ApiOptions): Promise<ApiResult> {
  const env: Record<string, string> = {};
  if (workerThreads !== undefined) env.TRAFFICLENS_WORKER_THREADS = String(workerThreads);
  if (workerNice !== undefined) env.TRAFFICLENS_WORKER_NICE = String(workerNice);
  const config = loadConfig({ env });
  const logger = discardingLogger();
  const executor = createScoringExecutor(config.scoring, logger);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  let server: Awaited<ReturnType<typeof listen>>['server'] | undefined;
  try {
    await executor.start();
    const app = createApp({
      config,
      logger,
      registry: new Registry(),
      executor,
      version: 'bench',
      lifecycle: new Lifecycle(),
    });
    const listening = await listen(app, { host: '127.0.0.1', port: 0 });
    server = listening.server;
    const url = new URL('/api/v1/score', listening.url);

    const request = dashboardRequest(series, points, stepMs);
    if (detector) request.detector = detector;
    const bodyText = JSON.stringify(request);
    const body = Buffer.from(bodyText);

    const latencies: number[] = [];
    const decodes: number[] = [];
    const loadBefore = loadavg()[0];
    let responseText = '';
    for (let r = 0; r < warmup + requests; r++) {
      const t0 = nowMs();
      const res = await postBytes(agent, url, body);
      const t1 = nowMs();
      responseText = res.bytes.toString('utf8');
      const decodeMs = nowMs() - t1;
      if (res.status !== 200)
        throw new Error(`POST /api/v1/score answered ${res.status}: ${responseText.slice(0, 300)}`);
      if (r >= warmup) {
        latencies.push(t1 - t0);
        decodes.push(decodeMs);
      }
      onRequest?.(
        r < warmup ? `warm-up request ${r + 1}/${warmup}` : `request ${r - warmup + 1}/${requests}`,
      );
    }

    // The floor, measured as often as the requests so its p50 is as stable as theirs.
    const responseObject: unknown = JSON.parse(responseText);
    const parses: number[] = [];
    const stringifies: number[] = [];
    const floors: number[] = [];
    for (let r = 0; r < Math.max(requests, 3); r++) {
      const t0 = nowMs();
      JSON.parse(bodyText);
      const t1 = nowMs();
      const out = JSON.stringify(responseObject);
      const t2 = nowMs();
      if (out.length !== responseText.length)
        throw new Error('floor: re-serialized response differs in size');
      parses.push(t1 - t0);
      stringifies.push(t2 - t1);
      floors.push(t2 - t0);
    }
    const stats = executor.stats();
    const p50 = median(latencies);
    const floorP50 = median(floors);
    return {
      series,
      pointsPerSeries: points,
      requests: latencies.length,
      requestBytes: body.length,
      responseBytes: Buffer.byteLength(responseText),
      executor: { mode: stats.mode, threads: stats.threads, nice: config.scoring.workerNice },
      p50Ms: p50,
      p99Ms: percentile(latencies, 99),
      minMs: Math.min(...latencies),
      maxMs: Math.max(...latencies),
      decode: { p50Ms: median(decodes), p99Ms: percentile(decodes, 99) },
      floor: { parseP50Ms: median(parses), stringifyP50Ms: median(stringifies), p50Ms: floorP50 },
      ratioP50: p50 / floorP50,
      ratioP99: percentile(latencies, 99) / floorP50,
      loadAverage: { before: loadBefore, after: loadavg()[0] },
    };
  } finally {
    agent.destroy();
    if (server) {
      const s = server;
      await new Promise<void>((resolve) => s.close(() => resolve()));
    }
    await executor.close();
  }
}
