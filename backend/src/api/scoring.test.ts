import { cleanSeries } from '../series/clean.js';
import { estimateGridPoints } from './scoring.js';

const T0 = 1_700_000_000_000;

describe('estimateGridPoints', () => {
  test.each([
    ['no points', []],
    ['one point', [T0]],
    ['duplicates only', [T0, T0, T0]],
    ['a regular minute grid', Array.from({ length: 500 }, (_, i) => T0 + i * 60_000)],
    ['a grid with a gap', [...Array.from({ length: 100 }, (_, i) => T0 + i * 1000), T0 + 1_000_000]],
    ['unsorted with duplicates', [T0 + 3, T0, T0 + 1, T0 + 1, T0 + 2]],
    ['three points far apart', [T0, T0 + 1, T0 + 1e12]],
    ['points at the ends of time', [0, 1, 2, 1e300]],
  ])('matches the grid the cleaner builds for %s', (_name, timestamps) => {
    const values = timestamps.map(() => 1);
    expect(estimateGridPoints(timestamps)).toBe(cleanSeries(timestamps, values).timestamps.length);
  });
});
