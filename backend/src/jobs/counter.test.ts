import { isCounter } from './counter.js';

describe('isCounter', () => {
  const rising = Array.from({ length: 50 }, (_, i) => i * 100 + (i % 3));
  test.each([
    [true, [1, 2], true],
    [false, rising, false],
    ['auto', rising, true],
    [undefined, rising, true],
    ['auto', rising.slice(0, 5), false],
    ['auto', [...rising.slice(0, 25), ...rising.slice(0, 25).map((v) => v + 3)], true],
    ['auto', rising.map((v, i) => (i % 2 ? v : -v)), false],
    ['auto', rising.map((_, i) => Math.sin(i)), false],
  ] as const)('option %s on %j', (option, values, expected) => {
    expect(isCounter(option, values)).toBe(expected);
  });
});
