import fc from 'fast-check';
import type { StreamPoint } from '../engine/index.js';
import { PointRing } from './ring.js';
import { typedArraysOf } from '../lab/bench/memoryBreakdown.js';

const point = (timestamp: number, over: Partial<StreamPoint> = {}): StreamPoint => ({
  timestamp,
  value: timestamp * 10,
  score: 0.5,
  expected: 5,
  lower: 1,
  upper: 9,
  anomaly: false,
  direction: null,
  state: 'ok',
  ...over,
});

describe('PointRing', () => {
  test('keeps at most its capacity, dropping the oldest points', () => {
    const ring = new PointRing(600);
    for (let t = 1; t <= 1000; t++) ring.push(point(t));
    expect(ring.size).toBe(600);
    expect(ring.oldestTimestamp()).toBe(401);
    expect(ring.newestTimestamp()).toBe(1000);
    const all = ring.range();
    expect(all.timestamps).toHaveLength(600);
    expect(all.timestamps[0]).toBe(401);
    expect(all.values.at(-1)).toBe(10_000);
  });

  test('range selects from <= t <= to', () => {
    const ring = new PointRing(10);
    for (let t = 1; t <= 15; t++) ring.push(point(t * 10));
    expect(ring.range(80, 120).timestamps).toEqual([80, 90, 100, 110, 120]);
    expect(ring.range(85, 115).timestamps).toEqual([90, 100, 110]);
    expect(ring.range(200, 300).timestamps).toEqual([]);
    expect(ring.range(0, 55).timestamps).toEqual([]);
  });

  test('round-trips nulls, flags and directions', () => {
    const ring = new PointRing(4);
    ring.push(point(1, { value: null, expected: null, lower: null, upper: null }));
    ring.push(point(2, { anomaly: true, direction: 'up', score: 3 }));
    ring.push(point(3, { anomaly: true, direction: 'down', score: 1.5 }));
    expect(ring.range()).toEqual({
      timestamps: [1, 2, 3],
      values: [null, 20, 30],
      score: [0.5, 3, 1.5],
      expected: [null, 5, 5],
      lower: [null, 1, 1],
      upper: [null, 9, 9],
      anomaly: [false, true, true],
      direction: [null, 'up', 'down'],
    });
    expect(ring.latest()).toMatchObject({ timestamp: 3, direction: 'down', anomaly: true });
  });

  test('an empty ring has no oldest point and an empty range', () => {
    const ring = new PointRing(3);
    expect(ring.oldestTimestamp()).toBeNull();
    expect(ring.latest()).toBeNull();
    expect(ring.range().timestamps).toEqual([]);
  });

  test('keeps values and timestamps exact, score and band in Float32, clamped rather than infinite', () => {
    const ring = new PointRing(4);
    const big = 1.7e308;
    ring.push(point(1_700_000_000_123, { value: 1_000_000_007.25, score: 0.1, expected: 1 / 3 }));
    ring.push(point(1_700_000_060_123, { value: -big, expected: -big, lower: -big, upper: big }));
    const r = ring.range();
    expect(r.timestamps).toEqual([1_700_000_000_123, 1_700_000_060_123]);
    expect(r.values).toEqual([1_000_000_007.25, -big]);
    expect(r.score[0]).toBe(Math.fround(0.1));
    expect(r.expected[0]).toBe(Math.fround(1 / 3));
    const f32max = 3.4028234663852886e38;
    expect([r.expected[1], r.lower[1], r.upper[1]]).toEqual([-f32max, -f32max, f32max]);
  });

  test('stores a point in 25 bytes on a regular step, 29 from the first gap (issue 15)', () => {
    const bytes = (r: PointRing) => typedArraysOf(r).reduce((a, t) => a + t.bytes, 0);
    const t0 = 1_700_000_000_000;
    const ring = new PointRing(2880);
    for (let i = 0; i < 3000; i++) ring.push(point(t0 + i * 60_000));
    expect(bytes(ring)).toBe(2880 * 25);
    expect(ring.oldestTimestamp()).toBe(t0 + 120 * 60_000);
    expect(ring.range(t0 + 2990 * 60_000).timestamps).toEqual(
      Array.from({ length: 10 }, (_, k) => t0 + (2990 + k) * 60_000),
    );
    // A skipped step: offsets from then on, every timestamp still exact.
    const pushed = Array.from({ length: 3000 }, (_, i) => t0 + (i < 2950 ? i : i + 1) * 60_000);
    const gapped = new PointRing(2880);
    for (const t of pushed) gapped.push(point(t));
    expect(bytes(gapped)).toBe(2880 * 29);
    expect(gapped.range().timestamps).toEqual(pushed.slice(-2880));
    expect(PointRing.restore(2880, gapped.snapshot()).range().timestamps).toEqual(pushed.slice(-2880));
  });

  test('keeps timestamps exact past the Int32 span of a base, over growth, wrap-around and widening', () => {
    const day = 86_400_000;
    const t0 = 1_700_000_000_000;
    // 10 days a point, 20 days retained: the base moves up to the oldest retained point, offsets stay Int32.
    const ring = new PointRing(3);
    const pushed: number[] = [];
    for (let i = 0; i < 700; i++) {
      const t = t0 + i * 10 * day + (i % 7);
      pushed.push(t);
      ring.push(point(t));
      expect(ring.range().timestamps).toEqual(pushed.slice(-3));
    }
    expect(typedArraysOf(ring).reduce((a, t) => a + t.bytes, 0)).toBe(3 * 29);
    // Fractional milliseconds, and a gap longer than 2^31 ms between two retained points: Float64.
    const odd = new PointRing(4);
    const times = [t0 + 0.5, t0 + 1, t0 + 40 * day, t0 + 40 * day + 0.25, t0 + 41 * day];
    for (const t of times) odd.push(point(t));
    expect(odd.range().timestamps).toEqual(times.slice(-4));
    const wide = new PointRing(3);
    const spans = [t0, t0 + 30 * day, t0 + 61 * day, t0 + 90 * day];
    for (const t of spans) wide.push(point(t));
    expect(wide.range().timestamps).toEqual(spans.slice(-3));
    expect(typedArraysOf(wide).reduce((a, t) => a + t.bytes, 0)).toBe(3 * 33);
    expect(PointRing.restore(3, wide.snapshot()).range().timestamps).toEqual(spans.slice(-3));
  });

  test('returns every retained timestamp exactly, whatever the steps (grid, gaps, fractions, long jumps)', () => {
    const step = fc.oneof(
      fc.constant(60_000),
      fc.constant(60_000),
      fc.integer({ min: 1, max: 10 * 60_000 }),
      fc.double({ min: 0.001, max: 1000, noNaN: true }),
      fc.integer({ min: 2 ** 30, max: 2 ** 33 }),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.array(step, { minLength: 1, maxLength: 120 }),
        (capacity, steps) => {
          const ring = new PointRing(capacity);
          const pushed: number[] = [];
          let t = 1_700_000_000_000;
          for (const d of steps) {
            t += d;
            if (pushed.length && !(t > pushed[pushed.length - 1])) continue;
            pushed.push(t);
            ring.push(point(t));
            expect(ring.newestTimestamp()).toBe(t);
          }
          expect(ring.range().timestamps).toEqual(pushed.slice(-capacity));
          expect(PointRing.restore(capacity, ring.snapshot()).range().timestamps).toEqual(
            pushed.slice(-capacity),
          );
        },
      ),
    );
  });

  test('reads snapshots written with Float64 columns, rounding score and band to Float32', () => {
    const f64 = (xs: number[]) => Buffer.from(new Float64Array(xs).buffer).toString('base64');
    const old = {
      count: 2,
      ts: f64([10, 20]),
      value: f64([0.1, 0.2]),
      score: f64([0.1, 2.5]),
      expected: f64([1 / 3, NaN]),
      lower: f64([0, NaN]),
      upper: f64([1, NaN]),
      flags: Buffer.from([0, 1 | (1 << 1)]).toString('base64'),
    };
    const r = PointRing.restore(8, old).range();
    expect(r).toEqual({
      timestamps: [10, 20],
      values: [0.1, 0.2],
      score: [Math.fround(0.1), 2.5],
      expected: [Math.fround(1 / 3), null],
      lower: [0, null],
      upper: [1, null],
      anomaly: [false, true],
      direction: [null, 'up'],
    });
    expect(() => PointRing.restore(8, { ...old, score: f64([0.1, 2.5, 3]) })).toThrow(
      'ring column score has 24 bytes, expected 8 or 16',
    );
  });

  test('rejects a capacity that is not a positive integer', () => {
    expect(() => new PointRing(0)).toThrow('positive integer');
  });
});
