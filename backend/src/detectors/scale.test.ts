import { ABSOLUTE_FLOOR, Magnitude, QUANTUM_FLOOR, RELATIVE_FLOOR, flooredScale } from './scale.js';

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
