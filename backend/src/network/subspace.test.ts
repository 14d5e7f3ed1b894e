import { NetworkDetector, thresholdFactor } from './detector.js';
import { jacksonMudholkar, SubspaceModel } from './subspace.js';

/** A seeded uniform generator (mulberry32), and a normal one from it. */
function rng(seed: number) {
  let a = seed >>> 0;
  const uniform = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = () => Math.sqrt(-2 * Math.log(uniform() || 1e-12)) * Math.cos(2 * Math.PI * uniform());
  return { uniform, normal };
}

/** n links sharing one traffic curve (rank 1) with their own shares, plus a little noise each. */
function group(n: number, seed = 1) {
  const { normal } = rng(seed);
  const shares = Array.from({ length: n }, (_, j) => 100 * (1 + j));
  return (t: number, move?: { from: number; to: number; amount: number }) => {
    const total = 1 + 0.5 * Math.sin((2 * Math.PI * t) / 288) + 0.05 * normal();
    const x = shares.map((s) => s * total + s * 0.01 * normal());
    if (move) {
      const amount = move.amount * shares[move.from] * total;
      x[move.from] -= amount;
      x[move.to] += amount;
    }
    return x;
  };
}

describe('SubspaceModel', () => {
  test('a rank-1 group: one component, and a vector off it has a large residual on the links that moved', () => {
    const gen = group(6);
    const rows = Array.from({ length: 288 }, (_, t) => Float64Array.from(gen(t)));
    const model = SubspaceModel.fit(rows);
    expect(model.k).toBe(1);
    const normal = model.residual(gen(300));
    const moved = model.residual(gen(301, { from: 1, to: 4, amount: 0.1 }));
    expect(moved.spe).toBeGreaterThan(20 * normal.spe);
    const top = [...moved.residual.keys()].sort((a, b) => moved.residual[b] ** 2 - moved.residual[a] ** 2);
    expect(top.slice(0, 2).sort()).toEqual([1, 4]);
  });

  test('links on three curves, each with its own noise: that small structure is normal, a move is not', () => {
    const { normal } = rng(6);
    const gen = (t: number, move = 0) => {
      const curves = [0, 4, 8].map(
        (h) => (1 + 0.5 * Math.sin((2 * Math.PI * (t - h * 12)) / 288)) * (1 + 0.03 * normal()),
      );
      const x = Array.from({ length: 9 }, (_, j) => 100 * (1 + j) * curves[j % 3] * (1 + 0.004 * normal()));
      // `move` of link 0's traffic to link 3 (both on curve 0).
      x[0] -= move * 100 * curves[0];
      x[3] += move * 100 * curves[0];
      return x;
    };
    const model = SubspaceModel.fit(Array.from({ length: 288 }, (_, t) => Float64Array.from(gen(t))));
    expect(model.k).toBeGreaterThanOrEqual(3);
    const normalSpe = Array.from({ length: 50 }, (_, i) => model.residual(gen(300 + i)).spe).sort(
      (a, b) => a - b,
    );
    const moved = model.residual(gen(400, 0.08));
    expect(moved.spe).toBeGreaterThan(5 * normalSpe[49]);
  });

  test('more members than vectors (the Gram path) finds the same subspace', () => {
    const gen = group(60, 2);
    const rows = Array.from({ length: 40 }, (_, t) => Float64Array.from(gen(t)));
    const model = SubspaceModel.fit(rows);
    expect(model.k).toBeGreaterThanOrEqual(1);
    // The leading component weighs every link about equally (they share one curve, standardized).
    const p = model.components[0];
    const weights = [...p].map(Math.abs);
    expect(Math.min(...weights)).toBeGreaterThan(0.5 / Math.sqrt(60));
    expect(Math.abs(p.reduce((s, v) => s + v * v, 0) - 1)).toBeLessThan(1e-9);
  });

  test('Jackson–Mudholkar: about θ1 plus a few of its spreads; 0 without residual variance', () => {
    expect(jacksonMudholkar([5, 1, 1, 1, 1], 1)).toBeGreaterThan(4);
    expect(jacksonMudholkar([5, 1, 1, 1, 1], 1)).toBeLessThan(20);
    expect(jacksonMudholkar([5, 0, 0], 1)).toBe(0);
  });
});

describe('NetworkDetector', () => {
  test('normal vectors score below 1, traffic moved between links above, its contributions on those links', () => {
    const gen = group(8, 3);
    const detector = new NetworkDetector(8);
    const scores: number[] = [];
    for (let t = 0; t < 1000; t++) {
      const p = detector.push(t, gen(t));
      if (t >= 400 && p.score !== null) scores.push(p.score);
    }
    expect(scores.length).toBe(600);
    // The 99.5th percentile of normal scores stays under the boundary.
    expect([...scores].sort((a, b) => a - b)[Math.floor(0.995 * scores.length)]).toBeLessThan(1);
    const moved = detector.push(1000, gen(1000, { from: 2, to: 6, amount: 0.08 }));
    expect(moved.score).toBeGreaterThan(1);
    expect(
      moved.contributions
        .slice(0, 2)
        .map((c) => c.member)
        .sort(),
    ).toEqual([2, 6]);
    // Each link alone moved by 8% of its level: inside the common swing of ±5% noise and ±50% daily.
    expect(detector.episodes().at(-1)).toMatchObject({ start: 1000, open: true });
  });

  test('learning: no score before the first fit and the calibration; a long change becomes the new normal', () => {
    const gen = group(5, 4);
    const detector = new NetworkDetector(5, { window: 100, refitEvery: 10, minFit: 20, calibration: 20 });
    const first = Array.from({ length: 40 }, (_, t) => detector.push(t, gen(t)).score);
    expect(first.slice(0, 40).every((s) => s === null)).toBe(true);
    for (let t = 40; t < 300; t++) detector.push(t, gen(t));
    // Traffic moves for good: anomalous at first, learnt after a quarter window or so.
    const after = Array.from({ length: 200 }, (_, i) =>
      detector.push(300 + i, gen(300 + i, { from: 0, to: 3, amount: 0.2 })),
    );
    expect(after[0].anomaly).toBe(true);
    expect(after.slice(-50).filter((p) => p.anomaly).length).toBeLessThan(5);
  });

  test('too many missing members: no score; a missing one is estimated from the others', () => {
    const gen = group(4, 5);
    const detector = new NetworkDetector(4);
    for (let t = 0; t < 400; t++) detector.push(t, gen(t));
    expect(detector.push(400, [null, null, null, 1]).score).toBeNull();
    const x: (number | null)[] = gen(401);
    x[0] = null;
    expect(detector.push(401, x).score).toBeLessThan(1);
  });

  test('sensitivity: a higher one lowers the threshold', () => {
    expect(thresholdFactor(0)).toBe(4);
    expect(thresholdFactor(50)).toBe(2);
    expect(thresholdFactor(100)).toBe(1);
  });
});
