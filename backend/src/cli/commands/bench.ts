/** trafficlens bench: engine throughput vs augurs, stream memory and API latency, as a table (README in src/lab/bench). */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import v8 from 'node:v8';
import { parseDuration } from '../../contract/duration.js';
import { resolve } from 'node:path';
import cliProgress from 'cli-progress';
import { InvalidArgumentError, type Command } from 'commander';
import {
  CAPACITY_FULL,
  CAPACITY_QUICK,
  CAPACITY_SCHEDULE,
  formatCapacityReport,
  measureCapacity,
} from '../../lab/bench/capacity.js';
import { formatScrapeReport, measureScrape, SCRAPE_FULL, SCRAPE_QUICK } from '../../lab/bench/scrape.js';
import {
  formatScaleReport,
  measureScale,
  SCALE_DEFAULTS,
  scaleHeapMiB,
  type ScaleOptions,
} from '../../lab/bench/scale.js';
import {
  formatLoadReport,
  LOAD_BODIES,
  LOAD_FULL,
  LOAD_QUICK,
  measureLoad,
  type LoadBody,
  type LoadResult,
} from '../../lab/bench/load.js';
import {
  formatApiReport,
  formatBenchReport,
  formatBreakdownReport,
  formatMemoryReport,
  table,
} from '../../lab/bench/report.js';
import { BREAKDOWN_FULL, BREAKDOWN_QUICK, measureBreakdown } from '../../lab/bench/memoryBreakdown.js';
import { measureStreamMemory } from '../../lab/bench/memory.js';
import {
  formatShardFetchReport,
  measureShardFetch,
  SHARD_FETCH_FULL,
  SHARD_FETCH_QUICK,
} from '../../lab/bench/shardFetch.js';
import { measureApiLatency } from '../../lab/bench/api.js';
import {
  FORECAST_FULL,
  FORECAST_QUICK,
  FORECAST_WEEK,
  formatForecastReport,
  measureForecasts,
  type ForecastBenchResult,
} from '../../lab/bench/forecast.js';
import {
  formatNetworkReport,
  measureNetwork,
  NETWORK_FULL,
  NETWORK_QUICK,
  type NetworkBenchResult,
} from '../../lab/bench/network.js';
import {
  formatColdStartReport,
  measureColdStart,
  type ColdStartBenchResult,
} from '../../lab/bench/coldStart.js';
import {
  TF_FULL,
  TF_QUICK,
  formatTfjsReport,
  measureTfjs,
  type TfBenchResult,
} from '../../lab/bench/tfjs.js';
import { FULL_PLAN, QUICK_PLAN, runBench, type BenchProgress } from '../../lab/bench/run.js';
import { STATISTICAL_DETECTORS, type DetectorName } from '../../contract/score.js';
import { formatSuiteReport } from '../../lab/scenarios/report.js';
import type { CliIO, CliOutput } from '../io.js';
import { resolveNabRoot } from '../paths.js';

interface BenchOptions {
  quick: boolean;
  tfjs: boolean;
  detectors?: DetectorName[];
  json?: string;
  data?: string;
  workerThreads?: number;
  workerNice?: number;
  apiRequests?: number;
  capacity: boolean;
  capacitySchedule: boolean;
  scrape: boolean;
  scale?: number;
  scalePeriod: number | 'auto';
  scaleRetention?: number;
  scaleFitWindow: string;
  scenarios: boolean;
  network: boolean;
  forecast: boolean;
  onlyForecast: boolean;
  load: boolean;
  onlyLoad: boolean;
  onlyApi: boolean;
  onlyMemory: boolean;
  breakdown: boolean;
  shardFetch: boolean;
  loadService?: string;
  loadNodeArgs?: string;
  loadBodies?: LoadBody[];
  loadClients?: number[];
}

function parseThreads(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n > 256)
    throw new InvalidArgumentError('expected an integer from 0 to 256.');
  return n;
}

/** A whole number from 1 to 1,000,000 (`_` and `,` separators allowed) of `what`. */
function parseCount(what: string) {
  return (text: string): number => {
    const n = Number(text.replace(/[_,]/g, ''));
    if (!Number.isInteger(n) || n < 1 || n > 1_000_000)
      throw new InvalidArgumentError(`expected a number of ${what} from 1 to 1,000,000.`);
    return n;
  };
}

function parsePeriod(text: string): number | 'auto' {
  if (text === 'auto') return 'auto';
  const n = Number(text);
  if (!Number.isInteger(n) || n < 2)
    throw new InvalidArgumentError('expected "auto" or a period in points (≥ 2).');
  return n;
}

/** Set in the child `--scale` re-runs itself as, so it never re-runs again. */
const SCALE_CHILD_ENV = 'TRAFFICLENS_SCALE_CHILD';

/**
 * `--scale N` needs more old space than V8's default limit (~4 GiB) at large N: the command runs again
 * as a child with enough of it (and --expose-gc), its output straight to ours. Null: this process will do.
 */
async function runScaleInChild(options: ScaleOptions): Promise<number | null> {
  const fitWindowMs = parseDuration(options.fitWindow);
  if (fitWindowMs === null)
    throw new InvalidArgumentError(`--scale-fit-window: ${options.fitWindow} is not a duration`);
  const needMiB = scaleHeapMiB(options.series, Math.ceil(fitWindowMs / 60_000) + 1);
  const limitMiB = v8.getHeapStatistics().heap_size_limit / 2 ** 20;
  if (process.env[SCALE_CHILD_ENV] || limitMiB >= needMiB) return null;
  const child = spawn(
    process.execPath,
    [`--max-old-space-size=${needMiB}`, '--expose-gc', ...process.argv.slice(1)],
    { stdio: 'inherit', env: { ...process.env, [SCALE_CHILD_ENV]: '1' } },
  );
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  if (signal) throw new Error(`the scale bench's child process ended on ${signal}`);
  return code ?? 1;
}

function parseLoadBodies(text: string): LoadBody[] {
  const bodies = text.split(',').map((b) => b.trim());
  for (const b of bodies)
    if (!Object.hasOwn(LOAD_BODIES, b))
      throw new InvalidArgumentError(`expected ${Object.keys(LOAD_BODIES).join(' or ')}, got ${b}.`);
  return bodies as LoadBody[];
}

function parseLoadClients(text: string): number[] {
  const clients = text.split(',').map((c) => Number(c.trim()));
  if (clients.some((c) => !Number.isInteger(c) || c < 1 || c > 1024))
    throw new InvalidArgumentError('expected integers from 1 to 1024, comma-separated.');
  return clients;
}

function parseNice(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n > 19)
    throw new InvalidArgumentError('expected an integer from 0 to 19.');
  return n;
}

function parseDetectors(text: string): DetectorName[] {
  const names = text.split(',').map((s) => s.trim());
  // The neural detectors are measured in their own section (lab/bench/tfjs.ts): they need trained models.
  const unknown = names.filter((n) => !(STATISTICAL_DETECTORS as readonly string[]).includes(n));
  if (unknown.length > 0 || names.length === 0) {
    throw new InvalidArgumentError(`expected a comma-separated list of ${STATISTICAL_DETECTORS.join(', ')}.`);
  }
  return [...new Set(names)] as DetectorName[];
}

/** A bar per phase on a terminal; one summary line per phase otherwise (CI logs, pipes). */
function benchProgress(out: CliOutput): BenchProgress {
  if (!out.isTTY) {
    return { phase: () => {}, tick: () => {}, done: (summary) => out.write(`[bench] ${summary}\n`) };
  }
  let bar: cliProgress.SingleBar | null = null;
  let value = 0;
  return {
    phase(name, steps) {
      value = 0;
      bar = new cliProgress.SingleBar(
        {
          stream: out as unknown as NodeJS.WritableStream,
          format: `${name.padEnd(18)} {bar} {value}/{total} | {detail} | {duration_formatted}`,
          hideCursor: true,
          clearOnComplete: true,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(steps, 0, { detail: '' });
    },
    tick(detail) {
      bar?.update(++value, { detail });
    },
    done(summary) {
      bar?.stop();
      bar = null;
      out.write(`[bench] ${summary}\n`);
    },
  };
}

export function registerBenchCommand(program: Command, io: CliIO): void {
  program
    .command('bench')
    .description(
      'measure causal throughput (vs augurs), stream memory, /api/v1/score latency and the service under load',
    )
    .option('--quick', 'a smaller run (shorter series, 1 repetition, fewer streams and requests)', false)
    .option(
      '--no-tfjs',
      'skip the TensorFlow.js section (training/scoring per backend, latency while training)',
    )
    .option('--no-scenarios', 'skip the labelled scenario suite (random seeds; `trafficlens scenarios`)')
    .option(
      '--no-network',
      'skip the network-wide (PCA) section: traffic moving between links, PCA vs per-series auto, cost per group size; and the cold start of a new series from its group',
    )
    .option(
      '--no-forecast',
      'skip the forecast section: MASE and 80/95 % interval coverage on held-out days of NAB and the simulator, per method, and the cost per forecast',
    )
    .option('--only-forecast', 'instead: only the forecast section (~1 min)', false)
    .option('--json <file>', 'also write every number to <file> as JSON')
    .option(
      '--detectors <list>',
      'only these detectors in the throughput table (default: all)',
      parseDetectors,
    )
    .option('--data <dir>', 'NAB root (default: ../shared/datasets/nab next to the repository)')
    .option(
      '--worker-threads <n>',
      'scoring worker threads for the API latency run (default: what the service uses here; 0 = inline)',
      parseThreads,
    )
    .option(
      '--api-requests <n>',
      'requests the API latency run times (default 30, after 3 warm-up ones; p99 is the nearest rank, so at 30 it is the slowest)',
      parseCount('requests'),
    )
    .option(
      '--worker-nice <n>',
      "the scoring workers' nice increment for the API latency run (default: the service's, 10)",
      parseNice,
    )
    .option(
      '--capacity',
      'instead: how many series one process keeps scored on a 60 s interval (1k–20k series; ~2 min)',
      false,
    )
    .option(
      '--capacity-schedule',
      "instead: the ticks of one job through its series' period check at 3,200 points (5k series; ~5 min)",
      false,
    )
    .option('--scrape', 'instead: one /metrics scrape of a job at 20k and 100k series (fake source)', false)
    .option(
      '--scale <series>',
      'instead: one job of this many series (fake source, 60 s interval, job defaults): backfill time, memory, slowest tick and scrape (200,000 with --scale-fit-window 400m: ~20 min, ~18 GiB)',
      parseCount('series'),
    )
    .option('--scale-period <p>', "with --scale: the streams' period, in points or auto", parsePeriod, 1440)
    .option(
      '--scale-fit-window <duration>',
      "with --scale: the job's fit_window, i.e. the backfill (default 2d, the job default)",
      '2d',
    )
    .option(
      '--scale-retention <points>',
      "with --scale: points kept per series (default: the job's default)",
      parseCount('points'),
    )
    .option(
      '--no-load',
      'skip the load section (the built service under 1–128 concurrent clients, /healthz meanwhile)',
    )
    .option('--only-load', 'instead: only the load section (~1.5 min; ~20 s with --quick)', false)
    .option(
      '--shard-fetch',
      "instead: a sharded replica's work on a Prometheus answer of every series, converting all vs only its own (~30 s)",
      false,
    )
    .option(
      '--only-memory',
      'instead: only the memory section (a live stream, and a job slot at the default retention; ~1 min)',
      false,
    )
    .option(
      '--breakdown',
      'with --only-memory: also where the bytes go (each part of a stream, its typed arrays, the retention ring alone at 2,880 / 1,440 / 720 points) and the job slot at 2,880 and 1,440',
      false,
    )
    .option(
      '--only-api',
      'instead: only the /api/v1/score latency section and its JSON floor (~1 min)',
      false,
    )
    .option(
      '--load-service <main.js>',
      "the service the load section starts (default: this build's dist/main.js; another build's to compare)",
    )
    .option(
      '--load-node-args <flags>',
      "flags for the load section's service's node, space-separated (e.g. '--cpu-prof --cpu-prof-dir=prof': a profile of its main thread, written when it stops)",
    )
    .option(
      '--load-bodies <list>',
      "the load section's bodies, comma-separated (small, dashboard; default both)",
      parseLoadBodies,
    )
    .option(
      '--load-clients <list>',
      "the load section's concurrencies, comma-separated (default 1,4,16,64,128; 1,16,128 with --quick)",
      parseLoadClients,
    )
    .action(async (opts: BenchOptions) => {
      const runLoad = async (): Promise<LoadResult> => {
        const preset = opts.quick ? LOAD_QUICK : LOAD_FULL;
        const base = {
          ...preset,
          bodies: opts.loadBodies ?? preset.bodies,
          concurrency: opts.loadClients ?? preset.concurrency,
        };
        const env: Record<string, string> =
          opts.workerThreads === undefined ? {} : { TRAFFICLENS_WORKER_THREADS: String(opts.workerThreads) };
        const result = await measureLoad({
          ...base,
          env,
          main: opts.loadService && resolve(opts.loadService),
          nodeArgs: opts.loadNodeArgs?.split(/\s+/).filter((a) => a.length > 0),
          onCell: (c) =>
            io.stderr.write(
              `[bench] load: ${c.body} × ${c.concurrency}: /healthz p99 ${c.health.p99Ms.toFixed(1)} ms, ${c.scored.count} scored, ${c.shed.count} shed\n`,
            ),
        });
        io.stdout.write('\n' + formatLoadReport(result, (rows) => table(rows)));
        return result;
      };
      /** The day-ahead table, then (full runs) the week-ahead one on the series long enough for it. */
      const runForecast = async (
        nabRoot: string | null,
        progress: BenchProgress,
      ): Promise<ForecastBenchResult[]> => {
        const plans = opts.quick ? [FORECAST_QUICK] : [FORECAST_FULL, FORECAST_WEEK];
        const results: ForecastBenchResult[] = [];
        for (const base of plans) {
          const plan = { ...base, nabRoot };
          const label = `forecast ${plan.horizonMs / 3_600_000} h`;
          progress.phase(
            label,
            (nabRoot ? plan.groups.flatMap((g) => g.files).length : 0) + (plan.simulator?.series ?? 0),
          );
          const result = await measureForecasts(plan, (series) => progress.tick(series));
          const all = result.rows.filter((r) => r.group === 'all');
          progress.done(
            `${label}: MASE ${all.map((r) => `${r.method} ${r.maseMean.toFixed(2)}`).join(', ')}`,
          );
          io.stdout.write(formatForecastReport(result, (rows) => table(rows)));
          results.push(result);
        }
        return results;
      };
      if (opts.onlyForecast) {
        const forecast = await runForecast(resolveNabRoot(opts.data), benchProgress(io.stderr));
        if (opts.json) await writeFile(resolve(opts.json), JSON.stringify({ forecast }, null, 2) + '\n');
        return;
      }
      if (opts.onlyLoad) {
        const load = await runLoad();
        if (opts.json) await writeFile(resolve(opts.json), JSON.stringify({ load }, null, 2) + '\n');
        return;
      }
      if (opts.scrape) {
        const rows = await measureScrape(opts.quick ? SCRAPE_QUICK : SCRAPE_FULL, (row) =>
          io.stderr.write(`[bench] scrape: ${row.series} series, ${row.scrapeMs.toFixed(0)} ms\n`),
        );
        io.stdout.write(formatScrapeReport(rows, (r) => table(r)));
        if (opts.json) await writeFile(resolve(opts.json), JSON.stringify(rows, null, 2) + '\n');
        return;
      }
      if (opts.scale !== undefined) {
        const options: ScaleOptions = {
          ...SCALE_DEFAULTS,
          series: opts.scale,
          period: opts.scalePeriod,
          fitWindow: opts.scaleFitWindow,
          ...(opts.scaleRetention !== undefined ? { retention: opts.scaleRetention } : {}),
        };
        const code = await runScaleInChild(options);
        if (code !== null) {
          if (code !== 0) throw new Error(`the scale bench's child process exited with ${code}`);
          return;
        }
        const result = await measureScale(options, (message) =>
          io.stderr.write(`[bench] scale: ${message}\n`),
        );
        io.stdout.write(formatScaleReport(result, (rows) => table(rows)));
        if (opts.json) await writeFile(resolve(opts.json), JSON.stringify(result, null, 2) + '\n');
        return;
      }
      if (opts.capacity || opts.capacitySchedule) {
        const plan = opts.capacitySchedule ? CAPACITY_SCHEDULE : opts.quick ? CAPACITY_QUICK : CAPACITY_FULL;
        const result = await measureCapacity(plan, (row) =>
          io.stderr.write(
            `[bench] capacity: ${row.series} series, tick ${row.tickMaxMs.toFixed(1)} ms, scrape ${row.scrapeMs.toFixed(1)} ms\n`,
          ),
        );
        io.stdout.write(formatCapacityReport(result, (rows) => table(rows)));
        if (opts.json) await writeFile(resolve(opts.json), JSON.stringify(result, null, 2) + '\n');
        return;
      }
      const base = opts.quick ? QUICK_PLAN : FULL_PLAN;
      if (opts.shardFetch) {
        const result = measureShardFetch(opts.quick ? SHARD_FETCH_QUICK : SHARD_FETCH_FULL);
        io.stdout.write(formatShardFetchReport(result, (rows) => table(rows)));
        if (opts.json) await writeFile(resolve(opts.json), JSON.stringify(result, null, 2) + '\n');
        return;
      }
      if (opts.onlyMemory) {
        const plan = opts.quick ? BREAKDOWN_QUICK : BREAKDOWN_FULL;
        // With --breakdown, the job slot also at the breakdown's other retentions.
        const slot = base.memory.find((m) => m.retention);
        const more = opts.breakdown && slot ? plan.retentions.filter((r) => r !== slot.retention) : [];
        const memory = [...base.memory, ...more.map((retention) => ({ ...slot!, retention }))].map((m) =>
          measureStreamMemory(m),
        );
        for (const m of memory) io.stdout.write(formatMemoryReport(m) + '\n');
        const breakdown = opts.breakdown ? measureBreakdown(plan) : null;
        if (breakdown) io.stdout.write(formatBreakdownReport(breakdown));
        if (opts.json)
          await writeFile(resolve(opts.json), JSON.stringify({ memory, breakdown }, null, 2) + '\n');
        return;
      }
      if (opts.onlyApi) {
        const api = await measureApiLatency({
          ...base.api!,
          ...(opts.apiRequests ? { requests: opts.apiRequests } : {}),
          workerThreads: opts.workerThreads,
          workerNice: opts.workerNice,
        });
        io.stdout.write(formatApiReport(api));
        if (opts.json) await writeFile(resolve(opts.json), JSON.stringify({ api }, null, 2) + '\n');
        return;
      }
      const plan = {
        ...base,
        nabRoot: resolveNabRoot(opts.data),
        detectors: opts.detectors ?? base.detectors,
        api: base.api && {
          ...base.api,
          ...(opts.apiRequests ? { requests: opts.apiRequests } : {}),
          workerThreads: opts.workerThreads,
          workerNice: opts.workerNice,
        },
        scenarios: opts.scenarios ? base.scenarios : null,
      };
      const progress = benchProgress(io.stderr);
      const result = await runBench(plan, progress);
      io.stdout.write(formatBenchReport(result));
      if (result.scenarios) io.stdout.write('\n' + formatSuiteReport(result.scenarios, { legend: false }));
      let network: NetworkBenchResult | null = null;
      let coldStart: ColdStartBenchResult | null = null;
      if (opts.network) {
        progress.phase('network (pca)', 2);
        network = measureNetwork(opts.quick ? NETWORK_QUICK : NETWORK_FULL, (label) => progress.tick(label));
        const [pca, auto] = network.detection.rows;
        progress.done(
          `network (pca): recall ${(100 * pca.recall).toFixed(0)} % vs auto ${(100 * auto.recall).toFixed(0)} %`,
        );
        io.stdout.write(formatNetworkReport(network));
        // Groups' other use: a new series starting from its group's profile (~1 s).
        coldStart = measureColdStart();
        io.stdout.write('\n' + formatColdStartReport(coldStart) + '\n');
      }
      const forecast = opts.forecast ? await runForecast(plan.nabRoot, progress) : null;
      const load = opts.load ? await runLoad() : null;
      let tfjs: TfBenchResult | null = null;
      if (opts.tfjs) {
        const tf = opts.quick ? TF_QUICK : TF_FULL;
        progress.phase('tensorflow.js', 1);
        tfjs = await measureTfjs({
          ...tf,
          api: tf.api && { ...tf.api, workerThreads: opts.workerThreads },
          onStep: (label) => progress.tick(label),
        });
        progress.done(
          `tensorflow.js: ${tfjs.defaultBackend} by default` +
            (tfjs.api ? `; /api/v1/score p99 while training ${tfjs.api.ratioP99.toFixed(2)}× idle` : ''),
        );
        io.stdout.write(formatTfjsReport(tfjs));
      }
      if (opts.json) {
        const path = resolve(opts.json);
        await writeFile(
          path,
          JSON.stringify({ ...result, network, coldStart, forecast, load, tfjs }, null, 2) + '\n',
        );
        io.stderr.write(`[bench] wrote ${path}\n`);
      }
    });
}
