/**
 * What the Prometheus integration suite runs: a real Prometheus (Debian's package) on a free loopback
 * port with a temporary TSDB backfilled by promtool, a tiny exporter the test controls, and the built
 * scorer (`node backend/dist/main.js`). Every process is started with bounded waits and killed by
 * `stop()`; nothing here talks to anything but 127.0.0.1.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { REPO, requireTool } from '../lib/tools.js';

export const NAB_DATA = join(REPO, '../shared/datasets/nab/data');

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A port free on 127.0.0.1 right now (the OS picks it; released before it is handed out). */
export async function freePort(): Promise<number> {
  const server = createNetServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Polls `probe` until it returns a value (not undefined) or `timeoutMs` passes; then throws `what`. */
export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  everyMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`,
      );
    }
    await sleep(everyMs);
  }
}

export interface NabPoint {
  t: number; // epoch seconds
  v: number;
}

/** A NAB CSV (timestamp,value with "YYYY-MM-DD HH:MM:SS" in UTC). */
export function readNab(relative: string): NabPoint[] {
  const lines = readFileSync(join(NAB_DATA, relative), 'utf8').trim().split('\n').slice(1);
  return lines.map((line) => {
    const [ts, value] = line.split(',');
    return { t: Date.parse(`${ts.replace(' ', 'T')}Z`) / 1000, v: Number(value) };
  });
}

/** Labels rendered for OpenMetrics / PromQL. */
export const labelText = (labels: Record<string, string>) =>
  `{${Object.entries(labels)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(',')}}`;

export interface OpenMetricsFamily {
  name: string;
  series: { labels: Record<string, string>; points: NabPoint[] }[];
}

export function openMetrics(families: OpenMetricsFamily[]): string {
  const out: string[] = [];
  for (const family of families) {
    out.push(`# TYPE ${family.name} gauge`);
    for (const s of family.series) {
      const labels = labelText(s.labels);
      for (const p of s.points) out.push(`${family.name}${labels} ${p.v} ${p.t}`);
    }
  }
  out.push('# EOF', '');
  return out.join('\n');
}

/** `promtool tsdb create-blocks-from openmetrics`: history into TSDB blocks before Prometheus starts. */
export function createBlocks(file: string, tsdbDir: string): void {
  const run = spawnSync(
    requireTool('promtool'),
    ['tsdb', 'create-blocks-from', 'openmetrics', file, tsdbDir],
    {
      encoding: 'utf8',
      timeout: 120_000,
    },
  );
  if (run.status !== 0) throw new Error(`promtool create-blocks-from failed:\n${run.stdout}${run.stderr}`);
}

/** A process whose output is kept (for the failure message) and that is killed on stop(). */
export class Proc {
  readonly child: ChildProcess;
  output = '';
  readonly exited: Promise<number | null>;
  private waiters: (() => void)[] = [];

  constructor(
    readonly name: string,
    command: string,
    args: string[],
    env: Record<string, string> = {},
  ) {
    this.child = spawn(command, args, {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (chunk: Buffer) => {
      this.output += chunk.toString('utf8');
      if (this.output.length > 4_000_000) this.output = this.output.slice(-2_000_000);
      for (const wake of this.waiters.splice(0)) wake();
    };
    this.child.stdout?.on('data', keep);
    this.child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** JSON log lines (the scorer logs pino JSON on stdout). */
  jsonLines(): { msg: string; [k: string]: unknown }[] {
    return this.output
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .flatMap((l) => {
        try {
          return [JSON.parse(l)];
        } catch {
          return [];
        }
      });
  }

  async kill(signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000): Promise<void> {
    if (!this.running) return;
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  tail(chars = 3000): string {
    return this.output.slice(-chars);
  }
}

/**
 * The provisioned alert rules with every `for:` set to `forDuration`, so a suite sees them fire in
 * seconds; the expressions, labels and annotations are the provisioned ones.
 */
export function provisionedRulesForTest(forDuration: string): string {
  const rules = readFileSync(join(REPO, 'provisioning/prometheus/rules/trafficlens.rules.yml'), 'utf8');
  const fast = rules.replace(/^(\s+)for: \S+/gm, `$1for: ${forDuration}`);
  if (fast === rules) throw new Error('no for: found in the provisioned rules');
  return fast;
}

export interface PrometheusOptions {
  port: number;
  configFile: string;
  tsdbDir: string;
}

export function startPrometheus({ port, configFile, tsdbDir }: PrometheusOptions): Proc {
  return new Proc('prometheus', requireTool('prometheus'), [
    `--config.file=${configFile}`,
    `--storage.tsdb.path=${tsdbDir}`,
    '--storage.tsdb.retention.time=60d',
    `--web.listen-address=127.0.0.1:${port}`,
    '--log.level=warn',
  ]);
}

export async function waitReady(proc: Proc, url: string, timeoutMs = 60_000): Promise<void> {
  await until(
    `${proc.name} at ${url} to be ready`,
    async () => {
      if (!proc.running) throw new Error(`${proc.name} exited:\n${proc.tail()}`);
      const res = await fetch(url);
      return res.status === 200 ? true : undefined;
    },
    timeoutMs,
    100,
  );
}

/** An exporter of one gauge whose value the test sets (a spike is pushed by changing it). */
export class Exporter {
  value: (nowSec: number) => number;
  private server: Server;

  constructor(
    readonly metric: string,
    value: (nowSec: number) => number,
  ) {
    this.value = value;
    this.server = createServer((req, res) => {
      if (req.url !== '/metrics') {
        res.writeHead(404).end();
        return;
      }
      const v = this.value(Date.now() / 1000);
      res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' });
      res.end(`# TYPE ${metric} gauge\n${metric} ${v}\n`);
    });
  }

  async listen(port: number): Promise<void> {
    this.server.listen(port, '127.0.0.1');
    await once(this.server, 'listening');
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

/** GET a Prometheus API path and return `data`, failing on anything but success. */
export async function promApi<T>(
  base: string,
  path: string,
  params: Record<string, string> = {},
): Promise<T> {
  const url = `${base}${path}?${new URLSearchParams(params)}`;
  const res = await fetch(url);
  const body = (await res.json()) as { status: string; data: T; error?: string };
  if (body.status !== 'success') throw new Error(`${url}: ${body.error}`);
  return body.data;
}

export interface AlertmanagerOptions {
  port: number;
  configFile: string;
  storageDir: string;
  /** `debug` logs each aggregation group's flush (see `flushes`); `warn` by default. */
  logLevel?: 'debug' | 'warn';
}

/** Debian's Alertmanager on a loopback port, alone (no cluster port: it would wait to settle and need 9094). */
export function startAlertmanager({
  port,
  configFile,
  storageDir,
  logLevel = 'warn',
}: AlertmanagerOptions): Proc {
  return new Proc('alertmanager', requireTool('prometheus-alertmanager'), [
    `--config.file=${configFile}`,
    `--storage.path=${storageDir}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--cluster.listen-address=',
    `--log.level=${logLevel}`,
  ]);
}

/**
 * How many times Alertmanager (started with `logLevel: 'debug'`) has flushed the aggregation group
 * whose labels are `groupLabels`: each flush runs the group's whole notification pipeline (inhibition,
 * silences, the receivers' sends) before the next one starts, so after two flushes whatever the first
 * one would send has been sent. A muted group is flushed (and logged) like any other.
 */
export function flushes(alertmanager: Proc, groupLabels: Record<string, string>): number {
  const wanted = Object.entries(groupLabels).map(([k, v]) => `${k}=\\"${v}\\"`);
  return alertmanager.output
    .split('\n')
    .filter((line) => line.includes('msg=flushing'))
    .map((line) => /aggrGroup="(?:[^"\\]|\\.)*:\{((?:[^"\\]|\\.)*)\}"/.exec(line)?.[1] ?? '')
    .filter((group) => {
      const labels = group.split(', ');
      return labels.length === wanted.length && wanted.every((l) => labels.includes(l));
    }).length;
}

/** An exporter of one gauge with several labelled series, each value set by the test. */
export class SeriesExporter {
  private server: Server;

  constructor(
    readonly metric: string,
    readonly series: { labels: Record<string, string>; value: (nowSec: number) => number }[],
  ) {
    this.server = createServer((req, res) => {
      if (req.url !== '/metrics') {
        res.writeHead(404).end();
        return;
      }
      const now = Date.now() / 1000;
      const lines = this.series.map((s) => `${metric}${labelText(s.labels)} ${s.value(now)}`);
      res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' });
      res.end(`# TYPE ${metric} gauge\n${lines.join('\n')}\n`);
    });
  }

  async listen(port: number): Promise<void> {
    this.server.listen(port, '127.0.0.1');
    await once(this.server, 'listening');
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

export interface Received {
  path: string;
  at: number; // epoch ms
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

/** A loopback HTTP server keeping every JSON body POSTed to it (a webhook receiver), answering 200. */
export class Receiver {
  readonly received: Received[] = [];
  private server: Server;

  constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // kept as text: the test's assertion on it says what was wrong
        }
        this.received.push({ path: req.url ?? '', at: Date.now(), body });
        res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
      });
    });
  }

  async listen(port: number): Promise<void> {
    this.server.listen(port, '127.0.0.1');
    await once(this.server, 'listening');
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

/** The built scorer every suite starts (`npm run build -w backend`). */
export const SCORER_MAIN = join(REPO, 'backend/dist/main.js');

/** A sharded fleet's suite: Prometheus' tools and the built scorer must be there (it fails, not skips). */
export function requireFleetTools(): void {
  for (const tool of ['promtool', 'prometheus'] as const) requireTool(tool);
  if (!existsSync(SCORER_MAIN)) {
    throw new Error(`${SCORER_MAIN} is missing: run \`npm run build -w backend\` first`);
  }
}

export interface BackfilledPrometheus {
  proc: Proc;
  url: string;
}

/**
 * Prometheus on `port` whose TSDB (in `dir`/tsdb) already holds `families`, written as OpenMetrics and
 * turned into blocks by promtool before it starts; `config` is its prometheus.yml.
 */
export async function startBackfilledPrometheus({
  dir,
  port,
  families,
  config,
}: {
  dir: string;
  port: number;
  families: OpenMetricsFamily[];
  config: string;
}): Promise<BackfilledPrometheus> {
  const omFile = join(dir, 'history.om');
  writeFileSync(omFile, openMetrics(families));
  const tsdbDir = join(dir, 'tsdb');
  mkdirSync(tsdbDir);
  createBlocks(omFile, tsdbDir);
  const configFile = join(dir, 'prometheus.yml');
  writeFileSync(configFile, config);
  const proc = startPrometheus({ port, configFile, tsdbDir });
  const url = `http://127.0.0.1:${port}`;
  await waitReady(proc, `${url}/-/ready`);
  return { proc, url };
}

/** A jobs file of one job (`name`, then its fields in order, as the YAML the operators write). */
export function writeJobsFile(path: string, job: { name: string } & Record<string, string | number>): void {
  const { name, ...fields } = job;
  const lines = ['jobs:', `  - name: ${name}`, ...Object.entries(fields).map(([k, v]) => `    ${k}: ${v}`)];
  writeFileSync(path, `${lines.join('\n')}\n`);
}

export interface ShardScorerOptions {
  name: string;
  /** The suite's temporary folder: the scorer's models folder goes there. */
  dir: string;
  jobsFile: string;
  shard: number;
  shards: number;
  port: number;
  promUrl: string;
  stateDir: string;
  /** More of the scorer's environment (e.g. its snapshot interval). */
  env?: Record<string, string>;
}

/**
 * One built scorer of a sharded fleet (`--shard shard/shards`), with its own models and state folders,
 * no simulator and scoring on its main thread (several run on the suite's 2 cores).
 */
export function startShardScorer(o: ShardScorerOptions): Proc {
  return new Proc(
    o.name,
    process.execPath,
    [SCORER_MAIN, '--config', o.jobsFile, '--shard', `${o.shard}/${o.shards}`],
    {
      PORT: String(o.port),
      TRAFFICLENS_PROMETHEUS_URL: o.promUrl,
      TRAFFICLENS_SIMULATOR: 'false',
      TRAFFICLENS_WORKER_THREADS: '0',
      TRAFFICLENS_MODELS_DIR: join(o.dir, `models-${o.name.replace(/\W+/g, '-')}`),
      TRAFFICLENS_STATE_DIR: o.stateDir,
      ...o.env,
    },
  );
}
