/** Smoke test of `bench --scale` on a tiny job: shapes and invariants only, never timings. */
import { DEFAULT_RETENTION_POINTS } from '../../jobs/config.js';
import { table } from './report.js';
import { formatScaleReport, measureScale, SCALE_DEFAULTS, scaleHeapMiB } from './scale.js';

test('backfills one job, runs timed ticks and scrapes, and reports memory and the share of the interval', async () => {
  const progress: string[] = [];
  const result = await measureScale({ ...SCALE_DEFAULTS, series: 20, fitWindow: '60m', ticks: 2 }, (line) =>
    progress.push(line),
  );
  // The job's own default retention, a 61-point backfill of every series, then one point each a tick.
  expect(result.retentionPoints).toBe(DEFAULT_RETENTION_POINTS);
  expect(result.backfillPoints).toBe(20 * 61);
  expect(result.ticksMs).toHaveLength(2);
  expect(result.scrapesMs).toHaveLength(2);
  expect(result.scrapeBytes).toBeGreaterThan(0);
  for (const m of [result.afterBackfill, result.afterTicks]) expect(m.rss).toBeGreaterThan(m.heapUsed);
  expect(result.shareOfInterval).toBeCloseTo(
    (Math.max(...result.ticksMs) + Math.max(...result.scrapesMs)) / 60_000,
    9,
  );
  expect(progress.at(-1)).toMatch(/^tick 2\/2: \d+ ms, scrape \d+ ms$/);
  const text = formatScaleReport(result, (rows) => table(rows));
  expect(text).toContain('One process, one job: 20 series, auto (period 1440), 60 s interval and step');
  expect(text).toContain('backfill ');
  expect(text).toMatch(/slowest tick \+ slowest scrape: [\d.]+ % of the interval \(target < 30 %\)/);
});

test('the old space it asks for grows with the series and with the backfill up to one fetched piece', () => {
  expect(scaleHeapMiB(200_000, 401)).toBeGreaterThan(scaleHeapMiB(100_000, 401));
  expect(scaleHeapMiB(1_000, 2881)).toBeGreaterThan(scaleHeapMiB(1_000, 401));
  // At 100,000 series a piece is MIN_PIECE_STEPS (360) steps, whatever the window.
  expect(scaleHeapMiB(100_000, 2881)).toBe(scaleHeapMiB(100_000, 361));
  expect(scaleHeapMiB(100_000, 361)).toBeGreaterThan(scaleHeapMiB(100_000, 101));
});
