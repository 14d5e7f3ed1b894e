/** Smoke test of the capacity section on tiny sizes: shapes and invariants only, never timings. */
import { CAPACITY_QUICK, formatCapacityReport, measureCapacity } from './capacity.js';
import { table } from './report.js';

test('measures every size with a warm-up, timed ticks and a scrape, and reports the capacity', async () => {
  const result = await measureCapacity({ ...CAPACITY_QUICK, sizes: [5, 20], warmupPoints: 40, ticks: 2 });
  expect(result.rows.map((r) => r.series)).toEqual([5, 20]);
  for (const row of result.rows) {
    expect(row.tickMs).toBeGreaterThan(0);
    expect(row.tickMaxMs).toBeGreaterThanOrEqual(row.tickMs);
    expect(row.scrapeMs).toBeGreaterThan(0);
    expect(row.shareOfInterval).toBeLessThan(0.5);
  }
  expect(result.largestUnderHalf).toBe(20);
  const text = formatCapacityReport(result, (rows) => table(rows));
  expect(text).toContain(
    'largest measured N with tick + scrape < 50 % of the interval on one core: 20 series',
  );
});
