import { piecewise } from './scale';

describe('piecewise', () => {
  // A score strip: 0 at the bottom (100), 1 at 80, 8 at the top (64).
  const y = piecewise([0, 1, 8], [100, 80, 64]);

  it('maps each stop to its pixel and is linear in between', () => {
    expect([y(0), y(1), y(8)]).toEqual([100, 80, 64]);
    expect(y(0.5)).toBe(90);
    expect(y(4.5)).toBe(72);
  });

  it('extends the end segments beyond the stops', () => {
    expect(y(-1)).toBe(120);
    expect(y(15)).toBe(48);
  });

  it('inverts', () => {
    for (const v of [-1, 0, 0.25, 1, 3, 8, 12]) {
      expect(y.invert(y(v))).toBeCloseTo(v, 10);
    }
  });
});
