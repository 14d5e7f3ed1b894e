/**
 * One process, one job, N series (`bench --scale N`): what issue 15 asks of a single scorer at 200,000
 * series on a 60 s interval. A real ScoringJob with the job defaults a jobs file gets (fit window,
 * retention, `auto`) backfills N synthetic 1-minute series from an in-memory source, then runs timed
 * ticks of one new point per series, each followed by a /metrics scrape as the route renders it, after
 * what JobManager does between a run and the next scrape (jobs/scrapeAhead.ts; timed on its own).
 * Reported: backfill time, resident memory (RSS, heap, array buffers) after the backfill and after the
 * ticks, the process's peak RSS, the slowest tick, the scrape (time and bytes), and the slowest tick
 * plus the slowest scrape as a share of the interval (the target: under 30 %).
 *
 * Why the input looks the way it does: the capacity bench's series (capacity.ts: distinct level, phase
 * and noise, a daily cycle), generated on demand so the source holds nothing between fetches; the
 * backfill is fetched in one request as the job fetches it, so the fetched arrays are part of the peak.
 * The period is fixed at 1,440 by default, the footprint of a stream that has found its daily period
 * (the steady state; a stream still detecting holds less, docs/performance.md, "Compact storage"); `period: 'auto'`
 * measures the first days instead, when the period checks run (spread over 120 ticks, jobs/schedule.ts).
 */
import { readFileSync } from 'node:fs';
import { byteLengthOf, writeMetrics } from '../../api/metrics.js';
import { pieceSteps } from '../../jobs/fetchPieces.js';
import { syntheticJob } from './capacity.js';
import { obtainGc } from './memory.js';
import { median, nowMs } from './stats.js';

export interface ScaleOptions {
  series: number;
  intervalMs: number;
  /** The job's fit_window (its default: 2 days). */
  fitWindow: string;
  /** Points kept per series; undefined: the job's default (jobs/config.ts). */
  retention?: number;
  period: number | 'auto';
  ticks: number;
}

export const SCALE_DEFAULTS: Omit<ScaleOptions, 'series'> = {
  intervalMs: 60_000,
  fitWindow: '2d',
  period: 1440,
  ticks: 5,
};

/** Share of the interval the slowest tick plus a scrape may take (issue 15). */
export const SCALE_TARGET = 0.3;

export interface MemorySample {
  rss: number;
  heapUsed: number;
  arrayBuffers: number;
}

export interface ScaleResult {
  options: ScaleOptions;
  retentionPoints: number;
  backfillMs: number;
  backfillPoints: number;
  afterBackfill: MemorySample;
  afterTicks: MemorySample;
  /** The process's highest RSS so far (VmHWM), read at the end; null off Linux. */
  peakRss: number | null;
  ticksMs: number[];
  /** The scrape prepared ahead after the backfill, then after each tick (in slices, between requests). */
  aheadMs: number[];
  scrapesMs: number[];
  scrapeBytes: number;
  /** (slowest tick + slowest scrape) / interval. */
  shareOfInterval: number;
}

/** What a long step reports while it runs (the CLI prints it). */
export type ScaleProgress = (message: string) => void;

function sample(): MemorySample {
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, arrayBuffers: m.arrayBuffers };
}

function peakRss(): number | null {
  try {
    const line = readFileSync('/proc/self/status', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('VmHWM:'));
    return line ? Number(line.replace(/\D+/g, '')) * 1024 : null;
  } catch {
    return null;
  }
}

const GIB = 2 ** 30;
const gib = (bytes: number) => `${(bytes / GIB).toFixed(2)} GiB`;

export async function measureScale(
  options: ScaleOptions,
  progress: ScaleProgress = () => {},
): Promise<ScaleResult> {
  const { gc } = obtainGc();
  const { series: n, intervalMs } = options;
  const step = 60_000;
  const { spec, job, registry, clock, scrapeAhead } = syntheticJob(
    'scale',
    {
      detector: 'auto',
      options: { period: options.period, counter: false },
      interval: intervalMs,
      step,
      fit_window: options.fitWindow,
      ...(options.retention !== undefined ? { retention: options.retention } : {}),
    },
    n,
    (s) => s.fitWindowMs,
  );

  // The backfill is one call, fetched in pieces of time (jobs/fetchPieces.ts): its progress is the
  // series it has slots for and the end of its last piece scored.
  const started = nowMs();
  const windowStart = clock.now - spec.fitWindowMs;
  const watch = setInterval(() => {
    const { series: done, scoredUntil } = job.status();
    const share = scoredUntil === null ? 0 : (scoredUntil - windowStart) / spec.fitWindowMs;
    progress(
      `backfill: ${done.toLocaleString('en-US')} of ${n.toLocaleString('en-US')} series, ` +
        `${(100 * share).toFixed(0)} % of the window scored, ` +
        `${((nowMs() - started) / 1000).toFixed(0)} s, rss ${gib(process.memoryUsage().rss)}`,
    );
  }, 10_000);
  let backfill;
  try {
    backfill = await job.run();
  } finally {
    clearInterval(watch);
  }
  const backfillMs = nowMs() - started;
  if (!backfill.ok) throw new Error(`scale backfill failed: ${backfill.error}`);
  const aheadMs: number[] = [];
  const prepareAhead = async () => {
    const t0 = nowMs();
    await scrapeAhead.prepare();
    aheadMs.push(nowMs() - t0);
  };
  await prepareAhead();
  gc();
  const afterBackfill = sample();
  progress(`backfill done: ${(backfillMs / 1000).toFixed(0)} s, rss ${gib(afterBackfill.rss)}`);

  const ticksMs: number[] = [];
  const scrapesMs: number[] = [];
  let scrapeBytes = 0;
  for (let k = 0; k < options.ticks; k++) {
    clock.now += step;
    let t0 = nowMs();
    const run = await job.run();
    ticksMs.push(nowMs() - t0);
    if (!run.ok || run.points !== n) throw new Error(`scale tick scored ${run.points} of ${n}: ${run.error}`);
    await prepareAhead();
    t0 = nowMs();
    let bytes = 0;
    const written = await writeMetrics(registry, (chunk) => {
      bytes += byteLengthOf(chunk);
    });
    written();
    scrapesMs.push(nowMs() - t0);
    scrapeBytes = bytes;
    progress(
      `tick ${k + 1}/${options.ticks}: ${ticksMs[k].toFixed(0)} ms, scrape ${scrapesMs[k].toFixed(0)} ms`,
    );
  }
  gc();
  const afterTicks = sample();
  // Keep the job alive until memory was read.
  if (job.status().series !== n) throw new Error('series lost');
  return {
    options,
    retentionPoints: spec.retentionPoints,
    backfillMs,
    backfillPoints: backfill.points,
    afterBackfill,
    afterTicks,
    peakRss: peakRss(),
    ticksMs,
    aheadMs,
    scrapesMs,
    scrapeBytes,
    shareOfInterval: (Math.max(...ticksMs) + Math.max(...scrapesMs)) / intervalMs,
  };
}

/**
 * Old space a run of N series needs, MiB: heap objects (18 KiB a series measured at 100,000 series,
 * doubled for the scrapes' garbage and GC headroom) and the fetched arrays of one backfill piece.
 */
export function scaleHeapMiB(series: number, fitWindowPoints: number): number {
  const perSeries = 36 * 1024 + 2 * 8 * Math.min(fitWindowPoints, pieceSteps(series));
  return Math.ceil((series * perSeries) / 2 ** 20) + 1024;
}

export function formatScaleReport(r: ScaleResult, table: (rows: string[][]) => string): string {
  const { series, intervalMs, period, fitWindow, ticks } = r.options;
  const ms = (x: number) => `${x.toFixed(0)} ms`;
  const mem = (m: MemorySample) => [gib(m.rss), gib(m.heapUsed), gib(m.arrayBuffers)];
  const slowestTick = Math.max(...r.ticksMs);
  const slowestScrape = Math.max(...r.scrapesMs);
  const met = r.shareOfInterval < SCALE_TARGET;
  return [
    `One process, one job: ${series.toLocaleString('en-US')} series, auto (period ${period}), ` +
      `${intervalMs / 1000} s interval and step, fit window ${fitWindow}, retention ${r.retentionPoints.toLocaleString('en-US')} points, ${ticks} ticks`,
    table([
      ['', 'rss', 'heap used', 'array buffers'],
      ['after backfill', ...mem(r.afterBackfill)],
      ['after ticks', ...mem(r.afterTicks)],
    ]),
    `  peak rss ${r.peakRss === null ? 'n/a' : gib(r.peakRss)}; per series after the ticks ` +
      `${((r.afterTicks.heapUsed + r.afterTicks.arrayBuffers) / series / 1024).toFixed(1)} KiB (heap + array buffers)`,
    `  backfill ${(r.backfillMs / 1000).toFixed(1)} s (${r.backfillPoints.toLocaleString('en-US')} points)`,
    `  ticks ${r.ticksMs.map(ms).join(', ')} (p50 ${ms(median(r.ticksMs))}, slowest ${ms(slowestTick)})`,
    `  scrape prepared ahead (after the backfill, then each tick; in slices) ${r.aheadMs.map(ms).join(', ')}`,
    `  scrape ${r.scrapesMs.map(ms).join(', ')} (slowest ${ms(slowestScrape)}), ${(r.scrapeBytes / 1e6).toFixed(1)} MB`,
    `  slowest tick + slowest scrape: ${(100 * r.shareOfInterval).toFixed(1)} % of the interval ` +
      `(target < ${100 * SCALE_TARGET} %): ${met ? 'met' : 'MISSED'}`,
    '',
  ].join('\n');
}
