import type { ScoringStream } from '../engine/index.js';
import { counterRateStream, isCounter } from './counter.js';

/** Records what it is pushed. */
function recorder(): ScoringStream & { pushed: [number, number | null][] } {
  const pushed: [number, number | null][] = [];
  return {
    pushed,
    push(timestamp, value) {
      pushed.push([timestamp, value]);
      return null;
    },
    episodes: () => [],
    state: () => 'ok',
  };
}

describe('counterRateStream', () => {
  test('scores the per-second rate; the first point only primes it', () => {
    const inner = recorder();
    const stream = counterRateStream(inner);
    stream.push(0, 1000);
    stream.push(10_000, 1500);
    stream.push(20_000, 2500);
    expect(inner.pushed).toEqual([
      [10_000, 50],
      [20_000, 100],
    ]);
  });

  test('a decrease is a reset: the interval across it is missing, the rate resumes after it', () => {
    const inner = recorder();
    const stream = counterRateStream(inner);
    stream.push(0, 9000);
    stream.push(10_000, 300);
    stream.push(20_000, 800);
    expect(inner.pushed).toEqual([
      [10_000, null],
      [20_000, 50],
    ]);
  });

  test('a gap is passed on as missing and the next rate spans it', () => {
    const inner = recorder();
    const stream = counterRateStream(inner);
    stream.push(0, 0);
    stream.push(10_000, null);
    stream.push(20_000, 2000);
    expect(inner.pushed).toEqual([
      [10_000, null],
      [20_000, 100],
    ]);
  });

  test('old or repeated timestamps are ignored', () => {
    const inner = recorder();
    const stream = counterRateStream(inner);
    stream.push(10_000, 0);
    expect(stream.push(10_000, 5)).toBeNull();
    expect(stream.push(5000, 5)).toBeNull();
    expect(inner.pushed).toEqual([]);
  });
});

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
