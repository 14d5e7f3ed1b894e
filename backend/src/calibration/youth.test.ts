import { RANGE_MEMORY, YOUTH_MIN_POINTS, youthFactor } from './youth.js';
import { findScenario } from '../lab/scenarios/index.js';
import { engineScorer } from '../lab/scenarios/suite.js';
import { createStream, restoreStream } from '../engine/index.js';
import type { StreamPoint } from '../engine/types.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

describe('youthFactor', () => {
  it('is the extreme-value ratio √(ln N / ln n) before the horizon, and 1 from it on', () => {
    // A 1-minute series: a week is 10,080 points, so the horizon is the ranges' memory (~2,885 points).
    expect(RANGE_MEMORY).toBeCloseTo(2885.39, 2);
    expect(youthFactor(100, 100 * MINUTE)).toBeCloseTo(Math.sqrt(Math.log(RANGE_MEMORY) / Math.log(100)), 12);
    expect(youthFactor(2885, 2885 * MINUTE)).toBeGreaterThan(1);
    expect(youthFactor(2886, 2886 * MINUTE)).toBe(1);
    expect(youthFactor(50_000, 50_000 * MINUTE)).toBe(1);
  });

  it('shrinks as the series grows, and is capped at its value for YOUTH_MIN_POINTS points', () => {
    let last = Infinity;
    for (const n of [1, 10, YOUTH_MIN_POINTS, 50, 100, 500, 1000, 2000, 2800]) {
      const f = youthFactor(n, n * MINUTE);
      expect(f).toBeLessThanOrEqual(last);
      last = f;
    }
    expect(youthFactor(3, 3 * MINUTE)).toBe(youthFactor(YOUTH_MIN_POINTS, YOUTH_MIN_POINTS * MINUTE));
  });

  it('ends after a week of points when a week holds fewer than the ranges remember (hourly: 168)', () => {
    expect(youthFactor(100, 100 * HOUR)).toBeCloseTo(Math.sqrt(Math.log(168) / Math.log(100)), 12);
    expect(youthFactor(168, 168 * HOUR)).toBe(1);
    // A 5-minute series: 2,016 points a week.
    expect(youthFactor(2015, 2015 * 5 * MINUTE)).toBeGreaterThan(1);
    expect(youthFactor(2016, 2016 * 5 * MINUTE)).toBe(1);
  });

  it('takes an unknown span (one point, or a restored series of unknown age) as the ranges’ memory or none', () => {
    expect(youthFactor(0, NaN)).toBe(youthFactor(0, 0));
    expect(youthFactor(100, NaN)).toBeGreaterThan(1);
    // What an older snapshot restores (its first timestamp -Infinity): grown.
    expect(youthFactor(100, Infinity)).toBe(1);
  });
});

describe('a young series, scored', () => {
  it('no longer pages on the first morning of a 5-minute seasonal series on most seeds', () => {
    // Before the factor, 7 of these 8 seeds opened an episode on the morning of day 0 (08:25–09:40):
    // ranges learnt from one night met the first morning ramp.
    const scenario = findScenario('clean_gaussian_5m');
    if (!scenario) throw new Error('no scenario clean_gaussian_5m');
    let firstDay = 0;
    for (let seed = 1; seed <= 8; seed++) {
      const series = scenario.generate(seed);
      const scored = engineScorer(series, {});
      const t0 = series.timestamps[0];
      firstDay += scored.episodes.filter((e) => e.start < t0 + DAY).length;
    }
    expect(firstDay).toBeLessThanOrEqual(3);
  });

  it('keeps its age through a snapshot: a restored stream goes on as one never stopped', () => {
    const t0 = Date.UTC(2024, 0, 1);
    const value = (i: number) => 1000 + 300 * Math.sin((2 * Math.PI * i) / 288) + 20 * Math.sin(i * 1.7);
    const a = createStream({ detector: 'auto' });
    const p: StreamPoint[] = [];
    for (let i = 0; i < 400; i++) a.push(t0 + i * 5 * MINUTE, value(i));
    const snapshot = JSON.parse(JSON.stringify(a.snapshot())) as Record<string, unknown>;
    expect(typeof snapshot.firstTimestamp).toBe('number');
    const b = restoreStream(snapshot);
    // A snapshot from before the factor: no first timestamp, so the series is taken as grown.
    const older = restoreStream({ ...snapshot, firstTimestamp: undefined });
    let narrower = 0;
    for (let i = 400; i < 500; i++) {
      const t = t0 + i * 5 * MINUTE;
      const pa = a.push(t, value(i));
      const pb = b.push(t, value(i));
      const po = older.push(t, value(i));
      if (!pa || !pb || !po) throw new Error(`point ${i} was not accepted`);
      expect(pb).toEqual(pa);
      p.push(pa);
      if (po.upper !== null && pa.upper !== null && po.upper < pa.upper) narrower++;
    }
    // 400 points of 5 minutes are 1.4 days: the young band is wider than the grown one at every point.
    expect(narrower).toBe(100);
    expect(p.every((x) => x.state === 'ok')).toBe(true);
  });
});
