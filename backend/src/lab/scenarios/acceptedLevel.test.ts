/**
 * After a lasting change is accepted as the new level (the default acceptNewLevelAfter, a day): the days
 * that follow are expected at the new level and judged by a band of the width it had before.
 * - A seasonal series: the phase table's median reached the new level only once three of its five days
 *   held it, and the level offset carried the difference additively until then
 *   (detectors/seasonal/profile.ts, Profile.acceptLevel): seeds 2 and 3 paged twice in the next three days
 *   (the hour of the onset, where the median switched, and midnight, where a daytime difference expected
 *   the new level far too low). An incident that outlasts the horizon and then recovers is not a new level:
 *   back at the level from before it, the table is scaled back (Profile.revertIfBack); without that, a
 *   30-hour drop's recovery paged for a day, until it was accepted in turn.
 * - A stationary series: the scores of the components adapting after the acceptance were learnt as the
 *   series' own noise by the score tail (calibration/tail.ts), which then widened every isolated point's
 *   band up to 4× for a week (engine/seriesScorer.ts).
 */
import { findScenario } from './catalog.js';
import { createRandom } from './random.js';
import { seasonalShape } from './traffic.js';
import { scoreSeries } from '../../engine/index.js';

const DAY = 1440;
const MINUTE = 60_000;
const START = Date.UTC(2024, 0, 1);

/** A lasting-change scenario scored causally: its flags, and the index of its label's end. */
function labelEnd(name: string, seed: number) {
  const series = findScenario(name)!.generate(seed);
  const r = scoreSeries(
    { timestamps: series.timestamps, values: series.values },
    { options: { causal: true } },
  );
  return { anomaly: r.anomaly, end: series.timestamps.indexOf(series.incidents[0].end) };
}

describe('a lasting change, once accepted as the new level', () => {
  test.each([2, 3])('a seasonal series pages no more in the next three days (seed %i)', (seed) => {
    const { anomaly, end } = labelEnd('level_down_40pct_lasting', seed);
    expect(anomaly.slice(end - 60, end).some(Boolean)).toBe(true);
    // From an hour after the labelled day (the components' own adaptation) to three days later.
    expect(anomaly.slice(end + 60, end + 3 * DAY).filter(Boolean)).toHaveLength(0);
  });

  test.each([1, 4])(
    'a flat series is accepted a day after its change began, though its incident reopened (seed %i)',
    (seed) => {
      // Flagged in two episodes; the second restarted the horizon until a reopening within CHAIN_MS
      // continued it (calibration/gate.ts): accepted 34 and 48 hours after the change began, not 24.
      const { anomaly, end } = labelEnd('kpi_level_up_2sigma_lasting', seed);
      expect(anomaly.slice(end - 60, end).some(Boolean)).toBe(true);
      expect(anomaly.slice(end + 120, end + DAY / 2).filter(Boolean)).toHaveLength(0);
    },
  );

  test.each(['level_up_40pct_lasting', 'level_down_40pct_lasting'])(
    '%s: the band for the day after is as wide, relative to expected, as without the change',
    (name) => {
      const scenario = findScenario(name)!;
      // Seed 1: the widest of seeds 1–4 for both.
      const seed = 1;
      const [series, twin] = [scenario.generate(seed), scenario.twin!(seed)];
      const score = (s: typeof series) =>
        scoreSeries({ timestamps: s.timestamps, values: s.values }, { options: { causal: true } });
      const [r, t] = [score(series), score(twin)];
      const end = series.timestamps.indexOf(series.incidents[0].end);
      const width = (x: typeof r, i: number) => (x.upper[i]! - x.lower[i]!) / x.expected[i]!;
      let [own, without] = [0, 0];
      for (let i = end; i < end + DAY; i++) [own, without] = [own + width(r, i), without + width(t, i)];
      // 1.38 / 1.03 (0.92–1.38 on seeds 1–4); 2.78 / 2.67 when the point the level was accepted at widened
      // every range (engine/seriesScorer.ts).
      expect(own / without).toBeLessThan(1.5);
    },
  );

  test.each([
    [0.6, 1],
    [1.4, 2],
  ])('a 30-hour change to %d× that then recovers: its recovery does not page (seed %i)', (factor, seed) => {
    const rnd = createRandom(seed);
    const n = 14 * DAY;
    const [from, to] = [9 * DAY + 600, 9 * DAY + 600 + 30 * 60];
    const timestamps = Array.from({ length: n }, (_, i) => START + i * MINUTE);
    const values = timestamps.map(
      (t, i) => 1000 * seasonalShape(t) * (i >= from && i < to ? factor : 1) * (1 + 0.03 * rnd.normal()),
    );
    const r = scoreSeries({ timestamps, values }, { options: { causal: true } });
    const flagged = (a: number, b: number) => r.anomaly.slice(a, b).filter(Boolean).length;
    // Flagged until its level is accepted (a day), then not.
    expect(flagged(from, from + DAY)).toBeGreaterThan(0.95 * DAY);
    expect(flagged(from + DAY + 60, to)).toBe(0);
    // Its recovery: at most the first point or two (before: 1,435-1,441 points, a day).
    expect(flagged(to, to + 60)).toBeLessThanOrEqual(2);
    // After it, at most one point in two days: since the point the level was accepted at no longer widens
    // the ranges (engine/seriesScorer.ts) the band after it is the series' usual one, and on seed 1 one point
    // 13 hours after the recovery scores 1.02 (none before, in a band twice as wide).
    expect(flagged(to + 60, to + 2 * DAY)).toBeLessThanOrEqual(1);
  });

  test('a stationary series is judged by a band of its earlier relative width, within a week', () => {
    const rnd = createRandom(7);
    const n = 10 * DAY;
    const timestamps = Array.from({ length: n }, (_, i) => START + i * MINUTE);
    const level = (i: number) => (i >= 3 * DAY ? 60 : 100);
    const values = timestamps.map((_, i) => level(i) * (1 + 0.05 * rnd.normal()));
    const r = scoreSeries({ timestamps, values }, { options: { causal: true } });
    /** Mean half-width ÷ expected over a day's points, an hour apart. */
    const relativeWidth = (day: number) => {
      const at = Array.from({ length: 24 }, (_, h) => day * DAY + h * 60);
      const w = at.map((i) => (r.upper[i]! - r.lower[i]!) / 2 / r.expected[i]!);
      return w.reduce((a, b) => a + b, 0) / w.length;
    };
    const before = relativeWidth(2);
    // The change (day 3) is accepted on day 4; from day 7 on the band is back at its width (0.23-0.26 of
    // expected against 0.24 on day 2; before: 0.91-1.00, the lower edge at 0).
    for (const day of [7, 8, 9]) expect(relativeWidth(day)).toBeLessThan(1.5 * before);
  });
});
