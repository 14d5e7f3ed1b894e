import { seededPermutation, seededRandom } from './random.js';

describe('seeded randomness', () => {
  test('the same seed gives the same numbers, in [0, 1)', () => {
    const a = seededRandom(5);
    const b = seededRandom(5);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(new Set(xs).size).toBe(1000);
  });

  test('a permutation holds every index once, the same for a seed and another for another seed', () => {
    const p = seededPermutation(500, 42);
    expect([...p].sort((x, y) => x - y)).toEqual(Array.from({ length: 500 }, (_, i) => i));
    expect(seededPermutation(500, 42)).toEqual(p);
    expect(seededPermutation(500, 43)).not.toEqual(p);
    // Shuffled, not the identity or a rotation of it.
    expect(p.filter((v, i) => v === i).length).toBeLessThan(10);
    expect(seededPermutation(0, 1)).toHaveLength(0);
    expect(Array.from(seededPermutation(1, 1))).toEqual([0]);
  });
});
