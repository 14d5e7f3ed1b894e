import { DEFAULT_SENSITIVITY, parseSensitivity, tailRateFor } from './sensitivity.js';

describe('parseSensitivity', () => {
  it('accepts the scale 0–100, default 50', () => {
    expect([0, 37.5, 100].map(parseSensitivity)).toEqual([0, 37.5, 100]);
    expect(DEFAULT_SENSITIVITY).toBe(50);
  });

  it.each([-1, 101, NaN, Infinity])('refuses %s with a RangeError', (value) => {
    expect(() => parseSensitivity(value)).toThrow(
      new RangeError(`sensitivity must be between 0 and 100, got ${value}`),
    );
  });
});

describe('tailRateFor', () => {
  it('is 10⁻⁶ a point at the default, a decade per 25 points of sensitivity', () => {
    const decades = [0, 25, 50, 75, 100].map((s) => Math.log10(tailRateFor(parseSensitivity(s))));
    decades.forEach((d, i) => expect(d).toBeCloseTo(-8 + i, 12));
  });
});
