import { formatColdStartReport, measureColdStart } from './coldStart.js';

describe('cold start bench', () => {
  const result = measureColdStart();
  const [scratch, primed] = result.rows;

  test('a new link primed with its group profile flags dips sooner and more often, with no more false episodes', () => {
    expect([scratch.mode, primed.mode]).toEqual(['from scratch', 'group profile']);
    expect(primed.hoursToOk!).toBeLessThan(scratch.hoursToOk ?? Infinity);
    expect(primed.hoursToUsefulScore!).toBeLessThan(scratch.hoursToUsefulScore ?? Infinity);
    expect(primed.dipsFound).toBeGreaterThan(scratch.dipsFound);
    expect(primed.falseEpisodes).toBeLessThanOrEqual(scratch.falseEpisodes);
  });

  test('reports both rows as a table', () => {
    const report = formatColdStartReport(result);
    expect(report).toContain('| from scratch |');
    expect(report).toContain('| group profile |');
  });
});
