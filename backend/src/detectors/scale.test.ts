import fc from 'fast-check';
import {
  ABSOLUTE_FLOOR,
  Magnitude,
  QUANTUM_FLOOR,
  RELATIVE_FLOOR,
  Z_CAP,
  clipZ,
  flooredScale,
} from './scale.js';

describe('scale floors', () => {
  it('a flat series gets a floor relative to its magnitude, never zero', () => {
    expect(flooredScale(0, 500)).toBeCloseTo(RELATIVE_FLOOR * 500 + ABSOLUTE_FLOOR, 12);
    expect(flooredScale(0, 0)).toBe(ABSOLUTE_FLOOR);
    expect(flooredScale(NaN, 500)).toBeCloseTo(5, 6);
    expect(flooredScale(7, 500)).toBe(7);
  });

  it('an integer-valued (count) series cannot have a scale below the count quantum', () => {
    expect(flooredScale(0, 0.05, true)).toBe(QUANTUM_FLOOR);
    expect(flooredScale(0.3, 0.05, true)).toBe(QUANTUM_FLOOR);
    // large counts are governed by the relative floor, not the quantum
    expect(flooredScale(0, 10_000, true)).toBeCloseTo(100, 6);
  });

  it('a magnitude stays integral until the first non-integer value', () => {
    const m = new Magnitude();
    [0, 1, 0, 2].forEach((x) => m.push(x));
    expect(m.integral).toBe(true);
    expect(m.floor(0)).toBe(QUANTUM_FLOOR);
    m.push(0.5);
    expect(m.integral).toBe(false);
    m.push(1);
    expect(m.integral).toBe(false);
    expect(m.floor(0)).toBeLessThan(1);
  });

  it('its snapshot keeps integrality', () => {
    const m = new Magnitude();
    m.push(3);
    m.push(2.5);
    const r = new Magnitude();
    r.restore(JSON.parse(JSON.stringify(m.snapshot())));
    expect(r.integral).toBe(false);
    expect(r.value).toBe(m.value);
  });
});

describe('clipZ', () => {
  /** The conditional clipZ was before it took Math.min/max (issue 15): the same value for every z. */
  const conditional = (z: number, limit: number) => (z > limit ? limit : z < -limit ? -limit : z);

  it('clips to ±limit and passes NaN, −0 and everything within through, as the conditional did', () => {
    for (const z of [NaN, -0, 0, Infinity, -Infinity, Z_CAP, -Z_CAP, 2 * Z_CAP, 3.5, -1e-300]) {
      expect(Object.is(clipZ(z), conditional(z, Z_CAP))).toBe(true);
      expect(Object.is(clipZ(z, 4), conditional(z, 4))).toBe(true);
    }
    fc.assert(
      fc.property(fc.double(), fc.double({ min: Number.MIN_VALUE, max: 1e9, noNaN: true }), (z, limit) =>
        Object.is(clipZ(z, limit), conditional(z, limit)),
      ),
    );
  });
});
