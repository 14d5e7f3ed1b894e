import { autocorrelation, detectPeriod, interpolateGaps, seasonalProfileDeviation } from './seasonal.js';
import { spectralEnergy } from './spectral.js';
import { applyNormalize, fitNormalize, normalize } from './normalize.js';

/** Deterministic pseudo-noise so tests do not depend on Math.random. */
function noise(i: number) {
  const x = Math.sin(i * 12.9898) * 43758.5453;
  return x - Math.floor(x) - 0.5;
}

describe('period detection', () => {
  it('finds a daily period of 288 five-minute points in a noisy sine', () => {
    const xs = Array.from(
      { length: 2000 },
      (_, i) => 100 + 20 * Math.sin((2 * Math.PI * i) / 288) + 3 * noise(i),
    );
    expect(detectPeriod(xs)?.period).toBe(288);
  });

  it('reports the fundamental, not a multiple, for a square wave', () => {
    const xs = Array.from({ length: 1000 }, (_, i) => (i % 50 < 25 ? 1 : 0) + 0.05 * noise(i));
    expect(detectPeriod(xs)?.period).toBe(50);
  });

  it('finds nothing in noise, a trend or a flat line', () => {
    expect(detectPeriod(Array.from({ length: 1000 }, (_, i) => noise(i)))).toBeNull();
    expect(detectPeriod(Array.from({ length: 1000 }, (_, i) => i + noise(i)))).toBeNull();
    expect(detectPeriod(new Array(1000).fill(5))).toBeNull();
  });

  it('takes no period from one burst: a flapping link in one half of the history', () => {
    // A slow day-like swing with 3 % noise; in the second half, 40 points of down 3, up 3 (a flap).
    const xs = Array.from({ length: 800 }, (_, i) => {
      const level = 1 + 0.4 * Math.sin((2 * Math.PI * i) / 1440) + 0.03 * noise(i);
      const flapping = i >= 600 && i < 640 && (i - 600) % 6 < 3;
      return flapping ? 0.02 * level : level;
    });
    // The whole window's ACF peaks at the flap's 6 points (0.9): only the halves tell it is one event.
    expect(detectPeriod(xs)).toBeNull();
    // The same 6-point pattern throughout the history is a period.
    const throughout = xs.map((_, i) => (1 + 0.03 * noise(i)) * (i % 6 < 3 ? 0.02 : 1));
    expect(detectPeriod(throughout)?.period).toBe(6);
  });

  it('needs about 2.5 cycles of history', () => {
    const xs = Array.from({ length: 500 }, (_, i) => Math.sin((2 * Math.PI * i) / 288));
    expect(detectPeriod(xs)).toBeNull();
  });

  it('autocorrelation is 1 at lag 0 and −1 at half a period of a sine', () => {
    const xs = Array.from({ length: 400 }, (_, i) => Math.sin((2 * Math.PI * i) / 40));
    const acf = autocorrelation(xs, 40);
    expect(acf[0]).toBeCloseTo(1, 10);
    expect(acf[20]).toBeLessThan(-0.9);
  });

  it('gaps are interpolated linearly, edges take the nearest value', () => {
    expect(Array.from(interpolateGaps([NaN, 1, NaN, 3, NaN]))).toEqual([1, 1, 2, 3, 3]);
  });
});

describe('seasonal profile deviation', () => {
  it('is the value minus the mean of the same phase in earlier cycles', () => {
    // period 2: phases a=[1,3,5], b=[10,20,60]
    const out = seasonalProfileDeviation([1, 10, 3, 20, 5, 60], 2, 2);
    expect(Array.from(out)).toEqual([NaN, NaN, 2, 10, 3, 45]);
  });
});

describe('spectral energy', () => {
  it('puts an alternating signal in the high band and a slow one in the low band', () => {
    const fast = Array.from({ length: 64 }, (_, i) => (i % 2 ? 1 : -1));
    const slow = Array.from({ length: 64 }, (_, i) => Math.sin((2 * Math.PI * i) / 64));
    expect(spectralEnergy(fast).highFraction).toBeCloseTo(1, 6);
    expect(spectralEnergy(slow).highFraction).toBeCloseTo(0, 6);
  });

  it('total energy is the mean-removed sum of squares (Parseval)', () => {
    const xs = [1, 2, 3, 4, 5, 6, 7, 8];
    const mean = 4.5;
    const ss = xs.reduce((a, x) => a + (x - mean) ** 2, 0);
    expect(ss).toBe(42);
    expect(spectralEnergy(xs).total).toBeCloseTo(ss, 8);
  });
});

describe('normalization', () => {
  it('z-score, min-max and robust scaling', () => {
    expect(Array.from(normalize([1, 2, 3], 'minmax'))).toEqual([0, 0.5, 1]);
    const z = normalize([2, 4, 6]);
    expect(z[0]).toBeCloseTo(-Math.sqrt(1.5), 10);
    const r = fitNormalize([1, 2, 3, 100], 'robust');
    expect(r.center).toBe(2.5);
    expect(r.scale).toBeCloseTo(1.4826 * 1, 6);
  });

  it('a constant input normalizes to zeros, never NaN or Inf', () => {
    expect(Array.from(applyNormalize([5, 5], fitNormalize([5, 5])))).toEqual([0, 0]);
  });
});
