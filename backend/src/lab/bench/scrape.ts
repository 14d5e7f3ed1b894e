/**
 * One /metrics scrape of a job's per-series gauges at 20,000 and 100,000 series: time and bytes, as the
 * service renders it (api/metrics.ts writeMetrics over the registry the jobs register on).
 *
 * Why the input looks the way it does: the series come from a fake job, not a scored one, because what
 * is measured is the rendering, and scoring 100,000 series first would take minutes. Each series has
 * five labels of realistic length (instance, interface, site, direction, a 12-character id) held in one
 * object per series, as the jobs hold them, and 1 % of them have an open episode with three drivers (a
 * bad hour on a large network), so the episode families are rendered too. Before the first scrape, the
 * scrape is prepared ahead as JobManager does after a run (jobs/scrapeAhead.ts), timed on its own.
 */
import { Registry } from 'prom-client';
import { byteLengthOf, writeMetrics, type TextChunk } from '../../api/metrics.js';
import type { Episode } from '../../contract/score.js';
import type { LatestPoint, ScoringJob } from '../../jobs/job.js';
import { registerJobMetrics } from '../../jobs/metrics.js';
import type { Labels } from '../../sources/source.js';
import { median, nowMs } from './stats.js';

export interface ScrapeOptions {
  sizes: readonly number[];
  repetitions: number;
}

export const SCRAPE_FULL: ScrapeOptions = { sizes: [20_000, 100_000], repetitions: 3 };
export const SCRAPE_QUICK: ScrapeOptions = { sizes: [2_000, 20_000], repetitions: 1 };

export interface ScrapeRow {
  series: number;
  /** Median time of one scrape (writeMetrics, every chunk kept as the route does). */
  scrapeMs: number;
  /** The first scrape's time (after the scrape was prepared ahead). */
  firstScrapeMs: number;
  /** Preparing the first scrape ahead (label text, slabs; in slices between requests). */
  aheadMs: number;
  bytes: number;
  usPerSeries: number;
}

const T = Date.UTC(2025, 0, 13, 12);

function episodeAt(i: number): Episode {
  return {
    start: T - 10 * 60_000,
    end: T,
    open: true,
    peakScore: 3.2,
    severity: 55,
    direction: i % 2 ? 'up' : 'down',
    explanation: {
      kind: 'level_shift',
      summary: 'level shift',
      features: [
        { name: 'level_shift', contribution: 0.6 },
        { name: 'rolling_median', contribution: 0.3 },
        { name: 'ewma', contribution: 0.1 },
      ],
    },
  } as Episode;
}

/** A job that serves `n` series' newest points; enough of ScoringJob for the metrics. */
function fakeJob(n: number): ScoringJob {
  const labels: Labels[] = Array.from({ length: n }, (_, i) => ({
    instance: `router-${(i % 500).toString().padStart(3, '0')}.dc${i % 9}.example.net:9100`,
    interface: `xe-${i % 4}/${(i >> 2) % 48}/${i % 3}`,
    site: `site-${i % 37}`,
    direction: i % 2 ? 'in' : 'out',
    id: `s${i.toString(36).padStart(11, '0')}`,
  }));
  const latest: LatestPoint[] = labels.map((l, i) => ({
    labels: l,
    point: {
      timestamp: T,
      value: 1000 + i,
      score: (i % 100) / 40,
      expected: 1000,
      lower: 800,
      upper: 1200,
      anomaly: i % 100 >= 40,
      direction: i % 100 >= 40 ? 'up' : null,
    },
    suppressed: false,
    quality: 'ok',
  }));
  const open = labels.filter((_, i) => i % 100 === 0).map((l, k) => ({ labels: l, episode: episodeAt(k) }));
  return {
    name: 'edge',
    spec: { detector: 'auto' },
    eachLatest: (visit: (l: LatestPoint) => void) => latest.forEach((l) => visit(l)),
    eachSeriesLabels: () => labels.values(),
    openEpisodes: () => open,
    // The same open episodes as results() shows them (what the scrape read before openEpisodes()).
    results: () =>
      open.map((o) => ({ labels: { ...o.labels }, state: 'ok', quality: 'ok', episodes: [o.episode] })),
  } as unknown as ScoringJob;
}

export async function measureScrape(
  options: ScrapeOptions,
  onSize: (row: ScrapeRow) => void = () => {},
): Promise<ScrapeRow[]> {
  const rows: ScrapeRow[] = [];
  for (const n of options.sizes) {
    const registry = new Registry();
    const job = fakeJob(n);
    const ahead = registerJobMetrics(registry, { jobList: () => [job], list: () => [] });
    const t = nowMs();
    await ahead.prepare();
    const aheadMs = nowMs() - t;
    const times: number[] = [];
    let bytes = 0;
    for (let r = 0; r < options.repetitions; r++) {
      const parts: TextChunk[] = [];
      const t0 = nowMs();
      const written = await writeMetrics(registry, (chunk) => parts.push(chunk));
      times.push(nowMs() - t0);
      bytes = parts.reduce((sum, p) => sum + byteLengthOf(p), 0);
      written();
    }
    const scrapeMs = median(times);
    const row = {
      series: n,
      scrapeMs,
      firstScrapeMs: times[0],
      aheadMs,
      bytes,
      usPerSeries: (scrapeMs * 1000) / n,
    };
    rows.push(row);
    onSize(row);
  }
  return rows;
}

export function formatScrapeReport(rows: ScrapeRow[], table: (rows: string[][]) => string): string {
  return [
    'One /metrics scrape of a job (fake source; 1 % of the series with an open episode)',
    table([
      ['series', 'scrape', 'first scrape', 'prepared ahead', 'bytes', 'µs/series'],
      ...rows.map((r) => [
        r.series.toLocaleString('en-US'),
        `${r.scrapeMs.toFixed(0)} ms`,
        `${r.firstScrapeMs.toFixed(0)} ms`,
        `${r.aheadMs.toFixed(0)} ms`,
        `${(r.bytes / 1e6).toFixed(1)} MB`,
        r.usPerSeries.toFixed(1),
      ]),
    ]),
    '',
  ].join('\n');
}
