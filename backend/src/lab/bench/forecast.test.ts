import {
  formatForecastReport,
  measureForecasts,
  simulatorSeries,
  type ForecastBenchPlan,
} from './forecast.js';
import { table } from './report.js';

const small: ForecastBenchPlan = {
  nabRoot: null,
  groups: [],
  simulator: { series: 2, days: 7, stepMs: 5 * 60_000, seed: 3 },
  horizonMs: 86_400_000,
  origins: 1,
  methods: ['seasonal_trend', 'seasonal_naive', 'mstl', 'ets'],
};

describe('forecast bench', () => {
  test('the simulator gives a link and its byte counter', () => {
    const [link, counter] = simulatorSeries({ ...small.simulator!, series: 2 });
    expect(link.name).toBe('ams/transit-1/in');
    expect(counter.name).toBe('counter ams/transit-1/in');
    expect(counter.values[100]!).toBeGreaterThan(counter.values[99]!);
  });

  test('every method forecasts the same held-out day, side by side in one table', async () => {
    const r = await measureForecasts(small);
    expect(r.cases).toHaveLength(2 * 4);
    for (const c of r.cases) {
      expect(c.state).toBe('ok');
      expect(c.counter).toBe(c.series.startsWith('counter'));
      // A day at 5 min: 288 points held out; a counter's rate is missing across each reset (1–3 a day).
      if (c.counter) expect(c.points).toBeGreaterThanOrEqual(285);
      else expect(c.points).toBe(288);
      expect(c.mase).toBeGreaterThan(0);
      expect(c.coverage95).toBeGreaterThanOrEqual(c.coverage80);
    }
    // The counter is forecast as its rate: errors on the scale of the link's, not of the byte total.
    const counter = r.cases.filter((c) => c.series.startsWith('counter') && c.method === 'seasonal_naive');
    expect(counter[0].mase).toBeLessThan(5);
    const all = r.rows.filter((row) => row.group === 'all');
    expect(all.map((row) => row.method)).toEqual(small.methods);
    const text = formatForecastReport(r, (rows) => table(rows));
    for (const m of small.methods) expect(text).toContain(m);
    expect(text).toContain('MASE mean');
  });
});
