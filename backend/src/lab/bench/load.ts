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
import { setPriority } from 'node:os';
import { request as httpRequest, type Agent } from 'node:http';
import { fileURLToPath } from 'node:url';
import { dashboardRequest } from './api.js';
import { nowMs, percentile } from './stats.js';

const MAIN = fileURLToPath(new URL('../../../dist/main.js', import.meta.url));
const CLIENT = fileURLToPath(new URL('../../../dist/lab/bench/loadClient.js', import.meta.url));
const FLOOR = fileURLToPath(new URL('../../../dist/lab/bench/peers/httpFloor.js', import.meta.url));

/**
 * The load clients' nice value: below the service's main thread (what the rows measure: admission,
 * refusals, /healthz) and level with its scoring workers (TRAFFICLENS_WORKER_NICE, 10). At 19 the
 * clients were starved by the workers' scoring on 2 cores, and their latencies measured their own wait
 * for a CPU rather than the service.
 */
export const CLIENT_NICE = 10;

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
  /** Flags for the service's node (e.g. `--cpu-prof --cpu-prof-dir=prof`: its main thread's profile). */
  nodeArgs?: readonly string[];
  /** Also run the largest concurrency of each body against the bare HTTP floor (peers/httpFloor.ts). */
  floor?: boolean;
  /** The load clients' nice value (default CLIENT_NICE). */
  clientNice?: number;
  onCell?: (cell: LoadCell) => void;
}

export const LOAD_FULL: Omit<LoadOptions, 'onCell'> = {
  bodies: ['small', 'dashboard'],
  concurrency: [1, 4, 16, 64, 128],
  durationMs: 5000,
  probeIntervalMs: 50,
  floor: true,
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
  /** What the service itself measured during the cell (its /metrics); null for the floor. */
  server: ServerSide | null;
  /**
   * CPU time of the server's main thread (user + system, from /proc) during the cell, divided by the
   * answers it gave (the clients' and the probes'): what one answer costs the thread that also has to
   * answer /healthz, independent of how busy the machine is. Null where /proc is not there.
   */
  mainThreadUsPerAnswer: number | null;
}

/**
 * The service's own view of a cell, read from its /metrics just before and after it: how long the
 * event loop was late (prom-client's nodejs_eventloop_lag_*, reset by each scrape, so the second
 * scrape covers the cell), how long /healthz took from its 'request' event to its answer (the
 * upper bound of the histogram bucket holding the 99th percentile), and the refusals it counted.
 */
export interface ServerSide {
  loopLagP99Ms: number;
  loopLagMaxMs: number;
  /** Upper bound of /healthz's p99 in the request-duration histogram, ms; NaN without probes. */
  healthP99AtMostMs: number;
  shed: number;
}

export interface LoadResult {
  service: { workerThreads: string; maxRequestsInFlight: string; maxBytesInFlight: string };
  rssBeforeBytes: number;
  rssAfterBytes: number;
  /** VmHWM from /proc (Linux); null elsewhere. */
  rssPeakBytes: number | null;
  /** The load clients' nice value. */
  clientNice: number;
  cells: LoadCell[];
  /** The same load against the bare HTTP floor (peers/httpFloor.ts), when asked for. */
  floor: LoadCell[];
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

function metricsText(base: URL): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    httpRequest(new URL('/metrics', base), (res) => {
      let out = '';
      res.setEncoding('utf8').on('data', (c: string) => (out += c));
      res.on('end', () => resolve(out));
    })
      .on('error', reject)
      .end();
  });
}

/** The value of one sample line of the exposition text (name with its labels, as printed); NaN if absent. */
function sample(text: string, series: string): number {
  const at = text.indexOf(`\n${series} `);
  if (at < 0) return NaN;
  const end = text.indexOf('\n', at + 1);
  return Number(text.slice(at + series.length + 2, end < 0 ? undefined : end));
}

async function rssOf(base: URL): Promise<number> {
  return sample(await metricsText(base), 'process_resident_memory_bytes');
}

const HEALTH_BUCKETS =
  /^trafficlens_http_request_duration_seconds_bucket\{le="([^"]+)",route="\/healthz",method="GET",status="200"\} (\d+)$/gm;

/** /healthz's cumulative histogram buckets: upper bound (s) → count. */
function healthBuckets(text: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const m of text.matchAll(HEALTH_BUCKETS))
    out.set(m[1] === '+Inf' ? Infinity : Number(m[1]), Number(m[2]));
  return out;
}

function shedTotal(text: string): number {
  let total = 0;
  for (const m of text.matchAll(/^trafficlens_http_requests_shed_total\{[^}]*\} (\d+)$/gm))
    total += Number(m[1]);
  return total;
}

/** The service's view of a cell, from its /metrics before and after it. */
function serverSide(before: string, after: string): ServerSide {
  const b = healthBuckets(before);
  const a = [...healthBuckets(after)].sort(([x], [y]) => x - y);
  const delta = a.map(([le, n]) => [le, n - (b.get(le) ?? 0)] as const);
  const total = delta.at(-1)?.[1] ?? 0;
  const p99 = delta.find(([, n]) => n >= 0.99 * total)?.[0];
  return {
    loopLagP99Ms: sample(after, 'nodejs_eventloop_lag_p99_seconds') * 1000,
    loopLagMaxMs: sample(after, 'nodejs_eventloop_lag_max_seconds') * 1000,
    healthP99AtMostMs: total > 0 && p99 !== undefined ? p99 * 1000 : NaN,
    shed: shedTotal(after) - shedTotal(before),
  };
}

/** Clock ticks per second of /proc's CPU times (USER_HZ: 100 on every Linux architecture in use). */
const USER_HZ = 100;

/** User + system CPU time of a process's main thread so far, ms; null where /proc is not there. */
function mainThreadCpuMs(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces), from the 3rd: utime is the 14th, stime the 15th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / USER_HZ;
  } catch {
    return null;
  }
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
  nodeArgs: readonly string[] = [],
): Promise<{ child: ChildProcess; url: URL }> {
  const child = spawn(process.execPath, [...nodeArgs, main], {
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
  nice: number,
): Promise<ClientReport> {
  const child = spawn(
    process.execPath,
    [CLIENT, base.href, String(LOAD_BODIES[body]), String(concurrency), String(durationMs)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  try {
    if (child.pid !== undefined) setPriority(child.pid, nice);
  } catch {
    // Not permitted here: the clients run at the service's priority (the report says which).
  }
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
  pid: number | undefined,
  withMetrics = true,
): Promise<LoadCell> {
  const healthUrl = new URL('/healthz', base);
  const before = withMetrics ? await metricsText(base) : '';
  const cpuBefore = mainThreadCpuMs(pid);
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
  const report = await runClients(
    base,
    body,
    concurrency,
    options.durationMs,
    options.clientNice ?? CLIENT_NICE,
  );
  running = false;
  await probing;
  const cpuAfter = mainThreadCpuMs(pid);
  const answers = Object.values(report.outcomes).reduce((a, b) => a + b, 0) + health.length;
  const server = withMetrics ? serverSide(before, await metricsText(base)) : null;
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
    server,
    mainThreadUsPerAnswer:
      cpuBefore === null || cpuAfter === null || answers === 0
        ? null
        : ((cpuAfter - cpuBefore) * 1000) / answers,
  };
}

async function stop(child: ChildProcess): Promise<void> {
  child.kill('SIGTERM');
  await new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)));
}

/** The largest concurrency of each body against the bare HTTP floor, after the service has stopped. */
async function measureFloor(options: LoadOptions): Promise<LoadCell[]> {
  const { child, url } = await startService({}, FLOOR);
  try {
    const concurrency = Math.max(...options.concurrency);
    const cells: LoadCell[] = [];
    for (const body of options.bodies)
      cells.push(await runCell(url, body, concurrency, options, child.pid, false));
    return cells;
  } finally {
    await stop(child);
  }
}

export async function measureLoad(options: LoadOptions): Promise<LoadResult> {
  const env = options.env ?? {};
  const { child, url } = await startService(env, options.main ?? MAIN, options.nodeArgs);
  let result: Omit<LoadResult, 'floor'>;
  try {
    const rssBeforeBytes = await rssOf(url);
    const cells: LoadCell[] = [];
    for (const body of options.bodies) {
      const payload = Buffer.from(JSON.stringify(dashboardRequest(LOAD_BODIES[body], 1440)));
      // One untimed request per body: worker start-up and JIT are not load.
      await send(new URL('/api/v1/score', url), false, 'POST', payload);
      for (const concurrency of options.concurrency) {
        const cell = await runCell(url, body, concurrency, options, child.pid);
        cells.push(cell);
        options.onCell?.(cell);
      }
    }
    const rssAfterBytes = await rssOf(url);
    result = {
      service: {
        workerThreads: env.TRAFFICLENS_WORKER_THREADS ?? 'default (one per core)',
        maxRequestsInFlight: env.TRAFFICLENS_MAX_REQUESTS_IN_FLIGHT ?? 'default',
        maxBytesInFlight: env.TRAFFICLENS_MAX_BYTES_IN_FLIGHT ?? 'default',
      },
      rssBeforeBytes,
      rssAfterBytes,
      rssPeakBytes: peakRss(child.pid),
      clientNice: options.clientNice ?? CLIENT_NICE,
      cells,
    };
  } finally {
    await stop(child);
  }
  return { ...result, floor: options.floor ? await measureFloor(options) : [] };
}

/** The issue's goals (issue 13 item 2), checked against the client-side p99s of each cell. */
export const LOAD_TARGETS = { healthP99Ms: 100, shedP99Ms: 50 } as const;

/** The load table: one row per cell, the floor's rows below the service's, then the ratios. */
export function formatLoadReport(r: LoadResult, table: (rows: string[][]) => string): string {
  const ms = (n: number) => (Number.isFinite(n) ? (n >= 100 ? n.toFixed(0) : n.toFixed(1)) : '-');
  const mb = (n: number | null) => (n === null || !Number.isFinite(n) ? '-' : `${(n / 1e6).toFixed(0)} MB`);
  const row = (c: LoadCell, label: string) => [
    `${label}${c.body} (${(c.bodyBytes / 1e6).toFixed(2)} MB)`,
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
    c.server ? ms(c.server.loopLagP99Ms) : '-',
    c.server ? ms(c.server.loopLagMaxMs) : '-',
    c.server
      ? Number.isFinite(c.server.healthP99AtMostMs)
        ? `≤ ${ms(c.server.healthP99AtMostMs)}`
        : '-'
      : '-',
    c.mainThreadUsPerAnswer === null ? '-' : c.mainThreadUsPerAnswer.toFixed(0),
  ];
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
      'loop lag p99',
      'max',
      '/healthz in service p99',
      'main thread µs/answer',
    ],
    ...r.cells.map((c) => row(c, '')),
    ...r.floor.map((c) => row(c, 'floor: ')),
  ];
  const d = r.cells[0]?.durationMs ?? 0;
  const ratios = r.floor.map((f) => {
    const c = r.cells.find((x) => x.body === f.body && x.concurrency === f.concurrency);
    if (!c) return '';
    const x = (a: number, b: number) => (Number.isFinite(a / b) ? `${(a / b).toFixed(2)}×` : '-');
    return (
      `  ${f.body} × ${f.concurrency}, service ÷ floor: shed p99 ${x(c.shed.p99Ms, f.shed.p99Ms)}, ` +
      `/healthz p99 ${x(c.health.p99Ms, f.health.p99Ms)}, answers/s ${x(c.shed.count + c.scored.count, f.shed.count + f.scored.count)}, ` +
      `main-thread CPU per answer ${x(c.mainThreadUsPerAnswer ?? NaN, f.mainThreadUsPerAnswer ?? NaN)}`
    );
  });
  const worst = (pick: (c: LoadCell) => number) => Math.max(...r.cells.map(pick).filter(Number.isFinite));
  const healthWorst = worst((c) => c.health.p99Ms);
  const shedWorst = worst((c) => c.shed.p99Ms);
  const verdict = (v: number, target: number) =>
    `${ms(v)} ms (target < ${target} ms: ${v < target ? 'met' : 'missed'})`;
  return [
    `Load: the built service (child process; worker threads ${r.service.workerThreads}, requests in flight ${r.service.maxRequestsInFlight}, bytes in flight ${r.service.maxBytesInFlight}), ` +
      `closed-loop clients (own process, nice ${r.clientNice}) on kept-alive connections for ${(d / 1000).toFixed(1)} s per row, /healthz on a new connection every probe; latencies in ms. ` +
      'Loop lag, its max and /healthz in service are what the service measured itself (its /metrics): event-loop lag, and /healthz from its request event to its answer (histogram bucket bound); the last column is the CPU time of its main thread per answer (/proc).',
    table(rows),
    ...(r.floor.length > 0
      ? [
          'floor: a bare node:http server answering the same fixed bodies (peers/httpFloor.ts), same clients, same run:',
          ...ratios,
        ]
      : []),
    `Worst p99 seen by the clients: /healthz ${verdict(healthWorst, LOAD_TARGETS.healthP99Ms)}, refusals ${verdict(shedWorst, LOAD_TARGETS.shedP99Ms)}`,
    `RSS of the service: ${mb(r.rssBeforeBytes)} before, ${mb(r.rssAfterBytes)} after, peak ${mb(r.rssPeakBytes)}`,
    '',
  ].join('\n');
}
