import type { StreamPoint } from '../engine/index.js';
import { PointRing } from './ring.js';

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

  test('rejects a capacity that is not a positive integer', () => {
    expect(() => new PointRing(0)).toThrow('positive integer');
  });
});
