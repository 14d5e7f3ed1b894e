/**
 * Series capacity: how many series one scorer process keeps scored on a 60 s interval. A continuous
 * job (the real ScoringJob with the engine's streams, the service's code path) scores N synthetic
 * series at a 60 s step; after a warm-up backfill, each tick fetches the one new point of every
 * series and scores it, and a /metrics scrape renders the per-series gauges. A tick must stay well
 * inside the interval (the target: under half of it, on one core, leaving the rest to HTTP, scrapes
 * and the other jobs); the largest N that does is the capacity, and memory per series says where
 * memory rather than time runs out.
 *
 * Why the input looks the way it does: 1-minute series with a daily cycle (period 1,440 points, the
 * largest the engine handles in practice, so the seasonal state is at its most expensive), distinct
 * per series (level, phase, noise), with the period fixed as the memory section does, so each stream
 * is in its steady state (a phase table rather than raw history) after a 400-point warm-up that fills
 * the longest rolling window (300 points). The source is in memory and generates the values on the
 * fly: what is measured is the scorer's own work (job bookkeeping, stream pushes, result rings,
 * episodes, gauges), not a Prometheus round trip.
 */
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { writeMetrics, type TextChunk } from '../../api/metrics.js';
import type { DetectorName } from '../../contract/score.js';
import { parseJobConfig, type JobSpec } from '../../jobs/config.js';
import { ScoringJob } from '../../jobs/job.js';
import { registerJobMetrics } from '../../jobs/metrics.js';
import type { ScrapeAhead } from '../../jobs/scrapeAhead.js';
import type { FetchRequest, Source, SourceSeries } from '../../sources/source.js';
import { SCHEDULE_SPREAD } from '../../jobs/schedule.js';
import { obtainGc } from './memory.js';
import { median, nowMs, seededRandom } from './stats.js';

export interface CapacityOptions {
  sizes: readonly number[];
  detector: DetectorName;
  intervalMs: number;
  warmupPoints: number;
  ticks: number;
  /** The period the detector is given, or null: detected, the checks land in the timed ticks. */
  period: number | null;
}

export const CAPACITY_FULL: CapacityOptions = {
  sizes: [1000, 5000, 10_000, 20_000],
  detector: 'auto',
  intervalMs: 60_000,
  warmupPoints: 400,
  ticks: 5,
  period: 1440,
};

export const CAPACITY_QUICK: CapacityOptions = { ...CAPACITY_FULL, sizes: [200, 1000], ticks: 3 };

/**
 * The period-detection cliff: the period is detected, the warm-up ends 4 points before the check at
 * 3,200 points (the first that costs ~1 ms: its history is 8× the first check's, and the daily period at
 * a 1-minute step is found there) and the timed ticks run through every series' check (offsets 0 to
 * SCHEDULE_SPREAD - 1, jobs/schedule.ts), so the slowest tick is the one with the most checks in it. One
 * scrape at the end.
 */
export const CAPACITY_SCHEDULE: CapacityOptions = {
  ...CAPACITY_FULL,
  sizes: [5000],
  period: null,
  warmupPoints: 3196,
  ticks: 4 + SCHEDULE_SPREAD + 2,
};

export interface CapacityRow {
  series: number;
  warmupMs: number;
  /** Median and slowest of the timed ticks (fetch + score + bookkeeping of one new point per series). */
  tickMs: number;
  tickMaxMs: number;
  /** One /metrics scrape (writeMetrics, as the route renders it) with the job's gauges. */
  scrapeMs: number;
  /** Share of the interval the slowest tick plus a scrape take. */
  shareOfInterval: number;
  /** heapUsed + arrayBuffers after GC, per series. */
  bytesPerSeries: number;
}

export interface CapacityResult {
  options: CapacityOptions;
  rows: CapacityRow[];
  /** Largest measured N whose slowest tick plus scrape takes under half the interval; null if none. */
  largestUnderHalf: number | null;
  /** Per-series cost of a tick (with its scrape) at the largest N, µs. */
  tickUsPerSeries: number;
}

const MINUTE = 60_000;
const DAY = 1440 * MINUTE;

/** N distinct 1-minute traffic series, values computed on demand (also the scale bench's, scale.ts). */
export class SyntheticSource implements Source {
  readonly kind = 'bench';
  private readonly level: Float64Array;
  private readonly phase: Float64Array;

  constructor(readonly count: number) {
    const random = seededRandom(4242);
    this.level = Float64Array.from({ length: count }, () => 100 + 10_000 * random());
    this.phase = Float64Array.from({ length: count }, () => DAY * random());
  }

  value(i: number, t: number): number {
    const daily = Math.sin((2 * Math.PI * (t + this.phase[i])) / DAY);
    const h = Math.sin((t / MINUTE) * 12.9898 + i * 78.233) * 43758.5453;
    const noise = h - Math.floor(h) - 0.5;
    return this.level[i] * (1 + 0.4 * daily + 0.06 * noise);
  }

  async fetch({ start, end, step }: FetchRequest): Promise<SourceSeries[]> {
    const first = Math.ceil(start / step) * step;
    const out: SourceSeries[] = [];
    for (let i = 0; i < this.count; i++) {
      const timestamps: number[] = [];
      const values: number[] = [];
      for (let t = first; t <= end; t += step) {
        timestamps.push(t);
        values.push(this.value(i, t));
      }
      out.push({ labels: { series: `s${i}`, site: `site-${i % 7}` }, timestamps, values });
    }
    return out;
  }
}

/** A real ScoringJob over synthetic series on a clock the bench moves, and the registry /metrics renders. */
export interface SyntheticJob {
  spec: JobSpec;
  job: ScoringJob;
  registry: Registry;
  /** The job's clock, ms: the bench advances it a step before each tick. */
  clock: { now: number };
  /** What JobManager asks for after each run: the next scrape's label text and slabs (jobs/scrapeAhead.ts). */
  scrapeAhead: ScrapeAhead;
}

/** Midnight of a Monday: the synthetic jobs' clock starts from it. */
const SYNTHETIC_EPOCH = Date.UTC(2025, 0, 13, 0, 0);

/**
 * One job of `series` SyntheticSource series (the capacity and scale benches), from `config` (a jobs
 * file's entry without its name, source and max_series; parseJobConfig validates it), its clock
 * starting `startAfter(spec)` ms after SYNTHETIC_EPOCH.
 */
export function syntheticJob(
  name: string,
  config: Readonly<Record<string, unknown>>,
  series: number,
  startAfter: (spec: JobSpec) => number,
): SyntheticJob {
  const spec = parseJobConfig({ name, source: { type: 'simulator' }, ...config, max_series: series });
  const clock = { now: SYNTHETIC_EPOCH + startAfter(spec) };
  const job = new ScoringJob(spec, {
    source: new SyntheticSource(series),
    logger: pino({ level: 'silent' }),
    now: () => clock.now,
  });
  const registry = new Registry();
  const scrapeAhead = registerJobMetrics(registry, { jobList: () => [job], list: () => [job.status()] });
  return { spec, job, registry, clock, scrapeAhead };
}

async function measureSize(n: number, options: CapacityOptions, gc: () => void): Promise<CapacityRow> {
  gc();
  const before = process.memoryUsage();
  const step = MINUTE;
  const { job, registry, clock, scrapeAhead } = syntheticJob(
    'capacity',
    {
      detector: options.detector,
      options: { period: options.period ?? 'auto', counter: false },
      interval: options.intervalMs,
      step,
      fit_window: (options.warmupPoints - 1) * step,
      retention: 60,
      stale_after: '1d',
    },
    n,
    () => options.warmupPoints * step,
  );

  let t0 = nowMs();
  const warm = await job.run();
  if (!warm.ok) throw new Error(`capacity warm-up failed: ${warm.error}`);
  const warmupMs = nowMs() - t0;

  const ticks: number[] = [];
  const scrapes: number[] = [];
  for (let k = 0; k < options.ticks; k++) {
    clock.now += step;
    t0 = nowMs();
    const run = await job.run();
    ticks.push(nowMs() - t0);
    if (!run.ok || run.points !== n)
      throw new Error(`capacity tick scored ${run.points} of ${n}: ${run.error}`);
    // Detection runs: the ticks are what is measured, one scrape at the end is enough.
    if (options.period !== null || k === options.ticks - 1) {
      // As JobManager does after a run, between the tick and the scrape (not part of either).
      await scrapeAhead.prepare();
      t0 = nowMs();
      const parts: TextChunk[] = [];
      const written = await writeMetrics(registry, (chunk) => parts.push(chunk));
      scrapes.push(nowMs() - t0);
      written();
    }
  }
  gc();
  const after = process.memoryUsage();
  const bytes = after.heapUsed + after.arrayBuffers - (before.heapUsed + before.arrayBuffers);
  const tickMs = median(ticks);
  const tickMaxMs = Math.max(...ticks);
  const scrapeMs = median(scrapes);
  // Keep the job alive until memory was read.
  if (job.status().series !== n) throw new Error('series lost');
  return {
    series: n,
    warmupMs,
    tickMs,
    tickMaxMs,
    scrapeMs,
    shareOfInterval: (tickMaxMs + scrapeMs) / options.intervalMs,
    bytesPerSeries: bytes / n,
  };
}

export async function measureCapacity(
  options: CapacityOptions,
  onSize: (row: CapacityRow) => void = () => {},
): Promise<CapacityResult> {
  const { gc } = obtainGc();
  const rows: CapacityRow[] = [];
  for (const n of options.sizes) {
    const row = await measureSize(n, options, gc);
    rows.push(row);
    onSize(row);
  }
  const under = rows.filter((r) => r.shareOfInterval < 0.5).map((r) => r.series);
  const last = rows[rows.length - 1];
  return {
    options,
    rows,
    largestUnderHalf: under.length > 0 ? Math.max(...under) : null,
    tickUsPerSeries: last ? ((last.tickMaxMs + last.scrapeMs) * 1000) / last.series : NaN,
  };
}

export function formatCapacityReport(r: CapacityResult, table: (rows: string[][]) => string): string {
  const { intervalMs, detector, period, warmupPoints, ticks } = r.options;
  const ms = (x: number) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));
  const rows = [
    ['series', 'warm-up', 'tick p50', 'tick max', 'scrape', '% of interval', 'KiB/series'],
    ...r.rows.map((row) => [
      row.series.toLocaleString('en-US'),
      `${(row.warmupMs / 1000).toFixed(1)} s`,
      `${ms(row.tickMs)} ms`,
      `${ms(row.tickMaxMs)} ms`,
      `${ms(row.scrapeMs)} ms`,
      `${(100 * row.shareOfInterval).toFixed(2)} %`,
      (row.bytesPerSeries / 1024).toFixed(1),
    ]),
  ];
  const budget = (0.5 * intervalMs * 1000) / r.tickUsPerSeries;
  return [
    `Series capacity: one job, ${detector} (period ${period ?? 'detected'}), ${intervalMs / 1000} s interval and step, ` +
      `${warmupPoints}-point warm-up, ${ticks} timed ticks per size`,
    table(rows),
    r.largestUnderHalf === null
      ? '  no measured size keeps a tick under 50 % of the interval'
      : `  largest measured N with tick + scrape < 50 % of the interval on one core: ${r.largestUnderHalf.toLocaleString('en-US')} series`,
    `  at ${r.tickUsPerSeries.toFixed(1)} µs per series and tick, half the interval would fit ~${Math.floor(budget).toLocaleString('en-US')} series ` +
      '(extrapolated; memory per series above is then the limit)',
    '',
  ].join('\n');
}
