/**
 * A series whose history begins on a quiet night (a job started at midnight, a dashboard's range, the demo's
 * backfill at some hours): seven flat hours, then its day. With no period known yet, the first morning
 * reads as a level shift, and the learning gate holds an incident's level out of what is learnt. Held for
 * the default day-long horizon, the series paged on the days after it too, until its period was found.
 * The gate now holds an incident no longer than the normal history learnt before it (calibration/gate.ts).
 */
import { createRandom } from '../lab/scenarios/random.js';
import { scoreSeries } from './index.js';

const MINUTE = 60_000;
const T0 = Date.UTC(2024, 0, 1);

/** Flat 100 from 23:00 to 07:00, up to 250 by 08:00, a hump to 310 over the day, back down from 22:00. */
function level(minute: number): number {
  const h = (minute % 1440) / 60;
  if (h < 7 || h >= 23) return 100;
  if (h < 8) return 100 + 150 * (h - 7);
  if (h < 22) return 250 + 60 * Math.sin(((h - 8) / 14) * Math.PI);
  return 250 - 150 * (h - 22);
}

function quietStart(days: number, seed: number) {
  const random = createRandom(seed);
  const timestamps: number[] = [];
  const values: number[] = [];
  for (let i = 0; i < days * 1440; i++) {
    timestamps.push(T0 + i * MINUTE);
    values.push(level(i) * (1 + 0.02 * random.normal()));
  }
  return { timestamps, values };
}

describe('a series whose history begins on a quiet night', () => {
  for (const causal of [true, false]) {
    test(`its first morning is an incident for at most as long as the night before it (causal: ${causal})`, () => {
      const series = quietStart(4, 7);
      const r = scoreSeries(series, { options: { causal } });
      const minute = (t: number) => (t - T0) / MINUTE;
      const first = r.episodes[0]!;
      // It opens on the first morning's ramp (07:00–08:00), a level shift up.
      expect(minute(first.start)).toBeGreaterThanOrEqual(7 * 60);
      expect(minute(first.start)).toBeLessThan(8 * 60);
      expect(first.direction).toBe('up');
      // Accepted once it has lasted as long as the quiet night (plus the points it takes to close).
      expect(minute(first.end)).toBeLessThan(2 * minute(first.start) + 60);
      // The days after it: nothing flagged (held for a day, the second and third days paged all day long).
      const flaggedLater = r.anomaly.filter((a, i) => a && i >= 1440).length;
      expect(flaggedLater).toBe(0);
    });
  }
});
