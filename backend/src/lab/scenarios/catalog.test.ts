/** The scenario generators: shape of every series, placement of the labels, seeding, noise levels. */
import { SCENARIOS, findScenario, type ScenarioSeries } from './catalog.js';
import { COUNT_MEAN, NOISE_SIGMA } from './noise.js';
import { createRandom } from './random.js';
import { DAY_MS, DEFAULT_START, MINUTE_MS, seasonalShape, timeline, trafficLevel } from './traffic.js';

const DEFAULT_POINTS = 14 * 1440;
const cache = new Map<string, ScenarioSeries>();
function gen(name: string, seed = 7): ScenarioSeries {
  const key = `${name}/${seed}`;
  if (!cache.has(key)) cache.set(key, findScenario(name)!.generate(seed));
  return cache.get(key)!;
}

const isMissing = (v: number | null) => v === null || Number.isNaN(v);

function robustSigma(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const med = s[s.length >> 1];
  const dev = s.map((x) => Math.abs(x - med)).sort((a, b) => a - b);
  return 1.4826 * dev[dev.length >> 1];
}

describe('scenario catalog', () => {
  test('names are unique and cover the suite issue 11 asks for', () => {
    const names = SCENARIOS.map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
    for (const n of [
      'shift_4sigma',
      'shift_40pct',
      'drop_40pct',
      'drop_to_zero',
      'flapping_outage',
      'repeated_bursts',
      'spikes',
      'dip',
      'slow_ramp',
      'variance_burst',
      'recurring_spike',
      'clean_gaussian',
      'clean_heavy_tailed',
      'clean_counts',
      'counter_resets',
      'scrape_gaps',
    ])
      expect(names).toContain(n);
  });

  test.each(SCENARIOS.map((s) => [s.name]))(
    '%s: 14 days (weekly_weekend, the clean_from_ rows, the trends, the clock changes and the week-after rows: 21, the week-4 rows: 28, the first-Thursday row: 10) at 1 minute (the _5m, _15m and _hourly rows: 5, 15 and 60 minutes), from Monday 2024-01-01 (the clean_from_ rows: their day, the first-Thursday row: Friday; the dst_ rows: a Monday two weeks before their change), non-negative, labels inside',
    (name) => {
      const s = gen(name);
      const scenario = findScenario(name)!;
      const DAYS: Record<string, number> = {
        weekly_weekend: 21,
        clean_office_hours: 21,
        clean_from_friday: 21,
        clean_from_saturday: 21,
        clean_from_sunday: 21,
        clean_growth: 21,
        clean_decline: 21,
        clock_later_1h: 21,
        clock_earlier_1h: 21,
        dst_end_berlin: 21,
        dst_start_new_york: 21,
        drop_40pct_week_after: 21,
        level_up_40pct_lasting: 21,
        level_down_40pct_lasting: 21,
        kpi_level_up_2sigma_lasting: 21,
        shift_4sigma_week4: 28,
        drop_40pct_week4: 28,
        weekly_weekend_5m: 21,
        clean_gaussian_hourly: 28,
        drop_40pct_first_thursday: 10,
      };
      const stepMs = name.endsWith('_5m')
        ? 5 * MINUTE_MS
        : name.endsWith('_15m')
          ? 15 * MINUTE_MS
          : name.endsWith('_hourly')
            ? 60 * MINUTE_MS
            : MINUTE_MS;
      const POINTS = ((DAYS[name] ?? DEFAULT_POINTS / 1440) * DAY_MS) / stepMs;
      expect(s.kind).toBe(scenario.kind);
      expect(s.timestamps).toHaveLength(POINTS);
      expect(s.values).toHaveLength(POINTS);
      const START_DAY: Record<string, number> = {
        clean_from_friday: 4,
        clean_from_saturday: 5,
        clean_from_sunday: 6,
        drop_40pct_first_thursday: 4,
      };
      const START: Record<string, number> = {
        dst_end_berlin: Date.UTC(2024, 9, 14),
        dst_start_new_york: Date.UTC(2024, 1, 26),
      };
      const start = START[name] ?? DEFAULT_START + (START_DAY[name] ?? 0) * DAY_MS;
      // Scored with a time zone: the dst_ rows only.
      expect(s.timezone !== undefined).toBe(name.startsWith('dst_'));
      expect(s.timestamps[0]).toBe(start);
      expect(s.timestamps[POINTS - 1] - s.timestamps[0]).toBe((POINTS - 1) * stepMs);
      // Plain loops over the 20,160 points: one expect() per point would take seconds.
      expect(s.values.filter((v) => !isMissing(v) && !((v as number) >= 0))).toEqual([]);
      expect(s.timestamps.every((t, i) => t === start + i * stepMs)).toBe(true);
      const end = start + POINTS * stepMs;
      for (const w of [...s.incidents, ...s.recurrences]) {
        expect(w.start).toBeLessThan(w.end);
        expect(w.end).toBeLessThanOrEqual(end);
        // After the first week, except the recurring pattern, which has to start on day 0, and the row about
        // a series' first days (its third day, 10:00).
        if (name === 'drop_40pct_day3') expect(w.start).toBe(DEFAULT_START + 2 * DAY_MS + 10 * 3_600_000);
        else if (s.kind !== 'recurring') expect(w.start).toBeGreaterThanOrEqual(DEFAULT_START + 7 * DAY_MS);
        // The first Thursday of a series begun on a Friday, from 09:00–12:00, for 4 hours.
        if (name === 'drop_40pct_first_thursday') {
          expect(new Date(w.start).getUTCDay()).toBe(4);
          expect(w.start - (DEFAULT_START + 10 * DAY_MS)).toBeGreaterThanOrEqual(9 * 3_600_000);
          expect(w.start - (DEFAULT_START + 10 * DAY_MS)).toBeLessThanOrEqual(12 * 3_600_000);
          expect(w.end - w.start).toBe(4 * 3_600_000);
        }
        // The week-4 rows: a weekday of the 4th week, after three full weeks.
        if (name.endsWith('_week4')) expect(w.start).toBeGreaterThanOrEqual(DEFAULT_START + 22 * DAY_MS);
      }
      expect(s.incidents.length > 0).toBe(s.kind !== 'clean');
      expect(s.recurrences.length > 0).toBe(s.kind === 'recurring');
      if (s.kind === 'repeated') expect(s.incidents.length).toBeGreaterThanOrEqual(2);
    },
  );

  test('the same seed gives the same series, another seed another one', () => {
    // One scenario per way of generating (a level change, set values, counts, a counter, gaps).
    for (const name of ['shift_40pct', 'drop_to_zero', 'clean_counts', 'counter_resets', 'scrape_gaps']) {
      const again = findScenario(name)!.generate(7);
      expect(JSON.stringify(again)).toBe(JSON.stringify(gen(name, 7)));
      expect(JSON.stringify(gen(name, 8).values)).not.toBe(JSON.stringify(gen(name, 7).values));
    }
  });

  test('incidents have the documented lengths and repetitions', () => {
    const len = (s: ScenarioSeries, k = 0) => (s.incidents[k].end - s.incidents[k].start) / MINUTE_MS;
    expect(len(gen('shift_40pct'))).toBe(360);
    expect(len(gen('drop_to_zero'))).toBe(240);
    expect(len(gen('dip'))).toBe(10);
    expect(len(gen('variance_burst'))).toBe(60);
    expect(len(gen('slow_ramp'))).toBe(720);
    const flaps = gen('flapping_outage').incidents;
    expect(flaps).toHaveLength(8);
    expect(flaps.map((w) => (w.end - w.start) / MINUTE_MS)).toEqual(new Array(8).fill(3));
    expect((flaps[1].start - flaps[0].start) / MINUTE_MS).toBe(8);
    const bursts = gen('repeated_bursts').incidents;
    expect(bursts).toHaveLength(5);
    expect((bursts[4].start - bursts[0].start) / MINUTE_MS).toBe(4 * 120);
    const spikeDays = gen('spikes').incidents.map((w) => Math.floor((w.start - DEFAULT_START) / DAY_MS));
    expect(spikeDays).toEqual([8, 9, 10]);
    const rec = gen('recurring_spike');
    expect(rec.incidents).toHaveLength(3);
    expect(rec.recurrences).toHaveLength(11);
    for (const w of [...rec.incidents, ...rec.recurrences]) {
      expect(((w.start - DEFAULT_START) % DAY_MS) / 3_600_000).toBe(6);
      expect(w.end - w.start).toBe(5 * MINUTE_MS);
    }
    const offset = gen('recurring_spike_offset');
    expect(offset.incidents).toHaveLength(3);
    expect(offset.recurrences).toHaveLength(11);
    for (const w of [...offset.incidents, ...offset.recurrences]) {
      expect(((w.start - DEFAULT_START) % DAY_MS) / MINUTE_MS).toBe(6 * 60 + 2);
      expect(w.end - w.start).toBe(5 * MINUTE_MS);
    }
  });

  test('incident values: exactly zero in a drop to zero, 2 % in a flap, 5× in a burst', () => {
    const tl = timeline();
    const level = trafficLevel(tl);
    const inside = (s: ScenarioSeries, k = 0) => {
      const from = (s.incidents[k].start - DEFAULT_START) / MINUTE_MS;
      const to = (s.incidents[k].end - DEFAULT_START) / MINUTE_MS;
      return Array.from({ length: to - from }, (_, j) => (s.values[from + j] as number) / level[from + j]);
    };
    expect(inside(gen('drop_to_zero')).every((r) => r === 0)).toBe(true);
    for (const r of inside(gen('flapping_outage'), 3)) expect(r).toBeCloseTo(0.02, 2);
    for (const r of inside(gen('repeated_bursts'), 2)) expect(Math.abs(r - 5)).toBeLessThan(5 * 0.15);
  });

  test('noise: robust σ 3 % for Gaussian and heavy-tailed, counts with a seasonal mean of 2–5', () => {
    const level = trafficLevel(timeline());
    for (const name of ['clean_gaussian', 'clean_heavy_tailed']) {
      const rel = gen(name).values.map((v, i) => (v as number) / level[i] - 1);
      expect(robustSigma(rel)).toBeGreaterThan(NOISE_SIGMA * 0.95);
      expect(robustSigma(rel)).toBeLessThan(NOISE_SIGMA * 1.05);
    }
    // Heavy tails: many more points beyond 6 σ than a Gaussian would give (~0).
    const heavy = gen('clean_heavy_tailed').values.map((v, i) => Math.abs((v as number) / level[i] - 1));
    expect(heavy.filter((x) => x > 6 * NOISE_SIGMA).length).toBeGreaterThan(100);
    const counts = gen('clean_counts').values as number[];
    expect(counts.every((c) => Number.isInteger(c))).toBe(true);
    const mean = counts.reduce((a, b) => a + b, 0) / counts.length;
    expect(mean).toBeGreaterThan(COUNT_MEAN.min);
    expect(mean).toBeLessThan(COUNT_MEAN.max);
  });

  test('seasonality: night at ~30 % of the peak, weekends ~30 % lower, no step at midnight', () => {
    const t = (day: number, h: number) => DEFAULT_START + day * DAY_MS + h * 3_600_000;
    expect(seasonalShape(t(1, 14))).toBeCloseTo(1, 1);
    expect(seasonalShape(t(1, 3)) / seasonalShape(t(1, 14))).toBeCloseTo(0.3, 1);
    expect(seasonalShape(t(5, 14)) / seasonalShape(t(1, 14))).toBeCloseTo(0.7, 2);
    const level = trafficLevel(timeline());
    let worst = 0;
    for (let i = 1; i < level.length; i++) worst = Math.max(worst, Math.abs(level[i] / level[i - 1] - 1));
    // The largest minute-to-minute change of the noise-free level is well below the 3 % noise.
    expect(worst).toBeLessThan(0.01);
  });

  test('counter resets: a counter that only falls three times', () => {
    const v = gen('counter_resets').values as number[];
    let downs = 0;
    for (let i = 1; i < v.length; i++) if (v[i] < v[i - 1]) downs++;
    expect(downs).toBe(3);
    expect(v[v.length - 1]).toBeGreaterThan(1e9);
  });

  test('scrape gaps: stretches of 1–30 missing points, as null and as NaN', () => {
    const v = gen('scrape_gaps').values;
    expect(v.some((x) => x === null)).toBe(true);
    expect(v.some((x) => Number.isNaN(x))).toBe(true);
    let run = 0;
    let longest = 0;
    for (const x of v) {
      run = isMissing(x) ? run + 1 : 0;
      longest = Math.max(longest, run);
    }
    expect(longest).toBeGreaterThanOrEqual(1);
    // Two stretches may touch; none is longer than two of the longest.
    expect(longest).toBeLessThanOrEqual(60);
  });

  test('a scenario with incidents has a twin: the same grid, labels and noise, and none of its changes', () => {
    for (const s of SCENARIOS) expect(s.twin === undefined).toBe(s.kind === 'clean');
    const series = gen('repeated_bursts');
    const twin = findScenario('repeated_bursts')!.twin!(7);
    expect(twin.timestamps).toEqual(series.timestamps);
    expect(twin.incidents).toEqual(series.incidents);
    const inside = (i: number) =>
      series.incidents.some((w) => series.timestamps[i] >= w.start && series.timestamps[i] < w.end);
    for (let i = 0; i < series.values.length; i++) {
      // A burst is the level × 5 under the same noise draw: the twin's value is a fifth of it there.
      const expected = inside(i) ? (series.values[i] as number) / 5 : series.values[i];
      expect(twin.values[i]).toBeCloseTo(expected as number, 6);
    }
    // A flap's value is set, not scaled: the twin has the series' own value there.
    const flaps = findScenario('flapping_outage')!;
    const [a, b] = [flaps.generate(7), flaps.twin!(7)];
    const first = (a.incidents[0].start - a.timestamps[0]) / MINUTE_MS;
    expect(b.values[first]).toBeGreaterThan(10 * (a.values[first] as number));
  });

  test('the random source: Poisson means and Student-t tails', () => {
    const r = createRandom(3);
    const n = 20000;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += r.poisson(3);
    expect(sum / n).toBeCloseTo(3, 1);
    expect(r.poisson(0)).toBe(0);
    const ints = Array.from({ length: 1000 }, () => r.int(2, 4));
    expect(new Set(ints)).toEqual(new Set([2, 3, 4]));
  });
});
