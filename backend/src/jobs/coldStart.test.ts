import { groupProfile, levelAgainst, primingPoints } from './coldStart.js';
import { gaussian } from '../sources/simulator/prng.js';

const STEP = 5 * 60_000;
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 5);
const curve = (t: number) => 1 + 0.5 * Math.sin(((t % DAY) / DAY) * 2 * Math.PI);

function link(level: number, days: number, noise = 0, seed = 1, from = T0) {
  const timestamps: number[] = [];
  const values: (number | null)[] = [];
  for (let t = from; t < from + days * DAY; t += STEP) {
    timestamps.push(t);
    values.push(level * curve(t) * (1 + noise * gaussian(seed, t)));
  }
  return { timestamps, values };
}

describe('groupProfile', () => {
  test("is the siblings' common daily shape, whatever their levels, without noise", () => {
    const profile = groupProfile([link(1e8, 3), link(7e8, 3), link(3e9, 3)], DAY, STEP)!;
    expect(profile.shape).toHaveLength(288);
    // Each sibling divided by its median level (the curve's median is 1): the curve itself.
    for (const bin of [0, 72, 144, 216]) {
      expect(profile.shape[bin]).toBeCloseTo(curve(T0 + bin * STEP), 9);
    }
    expect(profile.noise).toBeCloseTo(0, 9);
  });

  test('measures the relative noise of the group', () => {
    const profile = groupProfile(
      [1, 2, 3, 4].map((i) => link(i * 1e8, 7, 0.03, i)),
      DAY,
      STEP,
    )!;
    // 3 % of a curve between 0.5 and 1.5: about 0.03 in units of the level.
    expect(profile.noise).toBeGreaterThan(0.02);
    expect(profile.noise).toBeLessThan(0.04);
  });

  test('ignores missing values and fills a bin no sibling saw from its neighbours', () => {
    const s = link(1e8, 2);
    s.values[10] = null;
    s.values[10 + 288] = null;
    const profile = groupProfile([s], DAY, STEP)!;
    expect(profile.shape[10]).toBeCloseTo((curve(T0 + 9 * STEP) + curve(T0 + 11 * STEP)) / 2, 9);
  });

  test('is null when the siblings do not cover most of the period, or have no positive level', () => {
    expect(groupProfile([link(1e8, 0.5)], DAY, STEP)).toBeNull();
    expect(groupProfile([link(0, 2)], DAY, STEP)).toBeNull();
    expect(groupProfile([], DAY, STEP)).toBeNull();
  });
});

describe('levelAgainst and primingPoints', () => {
  const profile = groupProfile([link(1e8, 3), link(5e8, 3)], DAY, STEP)!;
  const start = T0 + 10 * DAY + 7 * 3_600_000;
  const fresh = link(2.5e8, 1 / 24, 0, 9, start);

  test("reads a new series' level from its first points against the shape", () => {
    expect(levelAgainst(profile, fresh.timestamps, fresh.values)).toBeCloseTo(2.5e8, 0);
  });

  test('primes with whole cycles of the shape at that level, ending one step before the first point', () => {
    const noisy = { ...profile, noise: 0.03 };
    const points = primingPoints(noisy, 2.5e8, { cycles: 2, firstTimestamp: start, seed: 4 });
    expect(points.timestamps).toHaveLength(576);
    expect(points.timestamps[0]).toBe(start - 2 * DAY);
    expect(points.timestamps.at(-1)).toBe(start - STEP);
    // The shape at the level, with noise of the group's spread: near, never equal.
    const errors = points.values.map((v, i) => v / 2.5e8 - curve(points.timestamps[i]));
    expect(Math.max(...errors.map(Math.abs))).toBeLessThan(0.15);
    expect(errors.filter((e) => e !== 0)).toHaveLength(576);
    // Seeded: the same series is primed the same way every time.
    expect(primingPoints(noisy, 2.5e8, { cycles: 2, firstTimestamp: start, seed: 4 })).toEqual(points);
  });
});
