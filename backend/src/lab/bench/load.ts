/**
 * The service under load: the built service (`node backend/dist/main.js`, a child process with its
 * defaults: scoring pool, admission budget, info log) on a loopback port, and this process as the
 * load generator. For each body size and concurrency, `c` clients send POST /api/v1/score back to
 * back (closed loop, one kept-alive connection each, retrying at once after a refusal: the harshest
 * client) for a fixed time, while a prober opens a new connection for GET /healthz every
 * `probeIntervalMs` (as a kubelet or a load balancer does). Reported per cell: answers by status,
 * latency of the scored (200) and of the refused (503/413) answers, /healthz p50/p99/max and probe
 * failures; and the service's RSS before and after the whole run (and its peak, where /proc has it).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request as httpRequest, type Agent } from 'node:http';
import { fileURLToPath } from 'node:url';
import { dashboardRequest } from './api.js';
import { nowMs, percentile } from './stats.js';

const MAIN = fileURLToPath(new URL('../../../dist/main.js', import.meta.url));
const CLIENT = fileURLToPath(new URL('../../../dist/lab/bench/loadClient.js', import.meta.url));

/**
 * `small`: one series of a day at 1 minute (a single-series panel, ~32 KB, scored on the main
 * thread); `dashboard`: 50 such series (a 24 h dashboard panel, ~1.6 MB, scored in the pool).
 */
export const LOAD_BODIES = { small: 1, dashboard: 50 } as const;
export type LoadBody = keyof typeof LOAD_BODIES;

export interface LoadOptions {
  bodies: readonly LoadBody[];
  concurrency: readonly number[];
  /** How long each cell's clients send. */
  durationMs: number;
  probeIntervalMs: number;
  /** Extra environment of the service (e.g. TRAFFICLENS_WORKER_THREADS). */
  env?: Record<string, string>;
  /** The service's entry point; default this build's dist/main.js (another build's, to compare). */
  main?: string;
  onCell?: (cell: LoadCell) => void;
}

export const LOAD_FULL: Omit<LoadOptions, 'onCell'> = {
  bodies: ['small', 'dashboard'],
  concurrency: [1, 4, 16, 64, 128],
  durationMs: 5000,
  probeIntervalMs: 50,
};

export const LOAD_QUICK: Omit<LoadOptions, 'onCell'> = {
  ...LOAD_FULL,
  concurrency: [1, 16, 128],
  durationMs: 1500,
};

interface Latencies {
  count: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface LoadCell {
  body: LoadBody;
  bodyBytes: number;
  concurrency: number;
  durationMs: number;
  /** Answers by status; transport errors (a reset, a refused connection) by their code. */
  outcomes: Record<string, number>;
  scored: Latencies;
  /** The 503 and 413 answers: how fast a refusal comes. */
  shed: Latencies;
  health: Latencies;
  /** Probes that got no 200 (an error or a timeout after 10 s). */
  healthFailures: number;
}

export interface LoadResult {
  service: { workerThreads: string; maxRequestsInFlight: string; maxBytesInFlight: string };
  rssBeforeBytes: number;
  rssAfterBytes: number;
  /** VmHWM from /proc (Linux); null elsewhere. */
  rssPeakBytes: number | null;
  cells: LoadCell[];
}

/** What a load client process prints: every answer's status and latency. */
export interface ClientReport {
  bodyBytes: number;
  outcomes: Record<string, number>;
  scored: number[];
  shed: number[];
}

function latencies(samples: readonly number[]): Latencies {
  return {
    count: samples.length,
    p50Ms: percentile(samples, 50),
    p99Ms: percentile(samples, 99),
    maxMs: samples.length ? Math.max(...samples) : NaN,
  };
}

interface Answer {
  status: string;
  ms: number;
}

/** One request, read whole; a transport error resolves as its code rather than rejecting. */
export function send(url: URL, agent: Agent | false, method: 'GET' | 'POST', body?: Buffer): Promise<Answer> {
  const t0 = nowMs();
  return new Promise((resolve) => {
    let settled = false;
    const settle = (status: string) => {
      if (settled) return;
      settled = true;
      resolve({ status, ms: nowMs() - t0 });
    };
    const req = httpRequest(
      url,
      {
        method,
        agent,
        timeout: 10_000,
        headers: body ? { 'content-type': 'application/json', 'content-length': body.length } : {},
      },
      (res) => {
        res.resume();
        res.on('end', () => settle(String(res.statusCode)));
        res.on('error', (err: NodeJS.ErrnoException) => settle(err.code ?? 'error'));
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    req.on('error', (err: NodeJS.ErrnoException) => settle(err.code ?? 'error'));
    req.end(body);
  });
}

async function rssOf(base: URL): Promise<number> {
  const text = await new Promise<string>((resolve, reject) => {
    httpRequest(new URL('/metrics', base), (res) => {
      let out = '';
      res.setEncoding('utf8').on('data', (c: string) => (out += c));
      res.on('end', () => resolve(out));
    })
      .on('error', reject)
      .end();
  });
  const match = /^process_resident_memory_bytes (\d+(?:\.\d+)?(?:e\+\d+)?)$/m.exec(text);
  return match ? Number(match[1]) : NaN;
}

function peakRss(pid: number | undefined): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmHWM:\s+(\d+) kB$/m.exec(status);
    return kb ? Number(kb[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** Starts the built service on a free loopback port; resolves once /readyz says ready. */
async function startService(
  env: Record<string, string>,
  main: string,
): Promise<{ child: ChildProcess; url: URL }> {
  const child = spawn(process.execPath, [main], {
    env: {
      PATH: process.env.PATH ?? '',
      PORT: '0',
      HOST: '127.0.0.1',
      TRAFFICLENS_SIMULATOR: 'false',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const url = await new Promise<URL>((resolve, reject) => {
    let buffered = '';
    const onData = (chunk: string) => {
      buffered += chunk;
      const match = /"msg":"listening on (http:\/\/[^"]+)"/.exec(buffered);
      if (match) {
        // The per-request log lines are the service's cost, not ours: read and drop them.
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        resolve(new URL(match[1]));
      } else if (buffered.length > 1e6) buffered = buffered.slice(-1e5);
    };
    child.stdout?.setEncoding('utf8').on('data', onData);
    child.once('exit', (code) =>
      reject(new Error(`the service exited (${code}) before listening: ${stderr}`)),
    );
  });
  for (;;) {
    if ((await send(new URL('/readyz', url), false, 'GET')).status === '200') break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { child, url };
}

/** Runs `concurrency` closed-loop clients in a child process (loadClient.ts) for the cell's duration. */
function runClients(
  base: URL,
  body: LoadBody,
  concurrency: number,
  durationMs: number,
): Promise<ClientReport> {
  const child = spawn(
    process.execPath,
    [CLIENT, base.href, String(LOAD_BODIES[body]), String(concurrency), String(durationMs)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  child.stdout?.setEncoding('utf8').on('data', (c: string) => (out += c));
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`load client exited ${code}`));
      else resolve(JSON.parse(out) as ClientReport);
    });
  });
}

async function runCell(
  base: URL,
  body: LoadBody,
  concurrency: number,
  options: LoadOptions,
): Promise<LoadCell> {
  const healthUrl = new URL('/healthz', base);
  const health: number[] = [];
  let healthFailures = 0;
  let running = true;
  // The prober runs here, the clients in their own process, so the probes' latency is the
  // service's and not the load generator's event loop.
  const prober = async () => {
    while (running) {
      const next = nowMs() + options.probeIntervalMs;
      const { status, ms } = await send(healthUrl, false, 'GET');
      if (status === '200') health.push(ms);
      else healthFailures++;
      const wait = next - nowMs();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
  };
  const probing = prober();
  const report = await runClients(base, body, concurrency, options.durationMs);
  running = false;
  await probing;
  return {
    body,
    bodyBytes: report.bodyBytes,
    concurrency,
    durationMs: options.durationMs,
    outcomes: report.outcomes,
    scored: latencies(report.scored),
    shed: latencies(report.shed),
    health: latencies(health),
    healthFailures,
  };
}

export async function measureLoad(options: LoadOptions): Promise<LoadResult> {
  const env = options.env ?? {};
  const { child, url } = await startService(env, options.main ?? MAIN);
  try {
    const rssBeforeBytes = await rssOf(url);
    const cells: LoadCell[] = [];
    for (const body of options.bodies) {
      const payload = Buffer.from(JSON.stringify(dashboardRequest(LOAD_BODIES[body], 1440)));
      // One untimed request per body: worker start-up and JIT are not load.
      await send(new URL('/api/v1/score', url), false, 'POST', payload);
      for (const concurrency of options.concurrency) {
        const cell = await runCell(url, body, concurrency, options);
        cells.push(cell);
        options.onCell?.(cell);
      }
    }
    const rssAfterBytes = await rssOf(url);
    return {
      service: {
        workerThreads: env.TRAFFICLENS_WORKER_THREADS ?? 'default (cores − 1)',
        maxRequestsInFlight: env.TRAFFICLENS_MAX_REQUESTS_IN_FLIGHT ?? 'default',
        maxBytesInFlight: env.TRAFFICLENS_MAX_BYTES_IN_FLIGHT ?? 'default',
      },
      rssBeforeBytes,
      rssAfterBytes,
      rssPeakBytes: peakRss(child.pid),
      cells,
    };
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)));
  }
}

/** The load table: one row per cell. */
export function formatLoadReport(r: LoadResult, table: (rows: string[][]) => string): string {
  const ms = (n: number) => (Number.isFinite(n) ? (n >= 100 ? n.toFixed(0) : n.toFixed(1)) : '-');
  const mb = (n: number | null) => (n === null || !Number.isFinite(n) ? '-' : `${(n / 1e6).toFixed(0)} MB`);
  const rows = [
    [
      'body',
      'clients',
      'answers (status: count)',
      'scored/s',
      '200 p50',
      '200 p99',
      'shed p50',
      'shed p99',
      '/healthz p50',
      'p99',
      'max',
      'probes failed',
    ],
    ...r.cells.map((c) => [
      `${c.body} (${(c.bodyBytes / 1e6).toFixed(2)} MB)`,
      String(c.concurrency),
      Object.entries(c.outcomes)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => `${k}: ${v}`)
        .join(', '),
      ((c.scored.count / c.durationMs) * 1000).toFixed(1),
      ms(c.scored.p50Ms),
      ms(c.scored.p99Ms),
      ms(c.shed.p50Ms),
      ms(c.shed.p99Ms),
      ms(c.health.p50Ms),
      ms(c.health.p99Ms),
      ms(c.health.maxMs),
      `${c.healthFailures} of ${c.healthFailures + c.health.count}`,
    ]),
  ];
  const d = r.cells[0]?.durationMs ?? 0;
  return [
    `Load: the built service (child process; worker threads ${r.service.workerThreads}, requests in flight ${r.service.maxRequestsInFlight}, bytes in flight ${r.service.maxBytesInFlight}), ` +
      `closed-loop clients on kept-alive connections for ${(d / 1000).toFixed(1)} s per row, /healthz on a new connection every probe; latencies in ms`,
    table(rows),
    `RSS of the service: ${mb(r.rssBeforeBytes)} before, ${mb(r.rssAfterBytes)} after, peak ${mb(r.rssPeakBytes)}`,
    '',
  ].join('\n');
}
