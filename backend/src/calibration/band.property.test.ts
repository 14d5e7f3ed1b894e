/**
 * The band is the boundary that alerts: on every path (batch causal and non-causal, as the API and the
 * CLI score; streams, as continuous jobs score) and for every statistical detector, a point is anomalous
 * exactly when its value lies outside [lower, upper] (a missing edge is unbounded), and an anomalous
 * point's direction is the side of `expected` its value is on.
 */
import fc from 'fast-check';
import { createStream, scoreSeries } from '../engine/index.js';
import type { DetectorName } from '../contract/score.js';

interface Point {
  value: number | null;
  expected: number | null;
  lower: number | null;
  upper: number | null;
  anomaly: boolean;
  direction: 'up' | 'down' | null;
  score: number;
}

function violation(p: Point): string | null {
  if (p.value === null) return p.anomaly ? 'a missing value is anomalous' : null;
  const below = p.lower !== null && p.value < p.lower;
  const above = p.upper !== null && p.value > p.upper;
  if (p.anomaly !== (below || above)) {
    return `anomaly ${p.anomaly} for value ${p.value} and band [${p.lower}, ${p.upper}]`;
  }
  if (p.anomaly !== p.score >= 1) return `anomaly ${p.anomaly} with score ${p.score}`;
  if (p.anomaly) {
    if (p.expected === null) return 'an anomalous point has no expected value';
    const side = p.value > p.expected ? 'up' : 'down';
    if (p.direction !== side) return `direction ${p.direction}, value ${p.value} vs expected ${p.expected}`;
  }
  return null;
}

/** Series with the things that break bands: steps, spikes, flat runs, gaps, noise of any scale. */
const series = fc
  .record({
    n: fc.integer({ min: 120, max: 700 }),
    level: fc.double({ min: 0, max: 1e6, noNaN: true }),
    noise: fc.double({ min: 0, max: 0.5, noNaN: true }),
    events: fc.array(
      fc.record({
        at: fc.double({ min: 0, max: 1, noNaN: true }),
        len: fc.integer({ min: 1, max: 80 }),
        factor: fc.constantFrom(0, 0.02, 0.5, 1.6, 5, 40),
      }),
      { maxLength: 5 },
    ),
    gaps: fc.double({ min: 0, max: 0.1, noNaN: true }),
    seed: fc.integer(),
  })
  .map(({ n, level, noise, events, gaps, seed }) => {
    let s = seed >>> 0 || 1;
    const rand = () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
    const values: (number | null)[] = [];
    for (let i = 0; i < n; i++) {
      let v = level * (1 + 0.3 * Math.sin((2 * Math.PI * i) / 96)) * (1 + noise * (rand() - 0.5));
      for (const e of events) {
        const start = Math.floor(e.at * n);
        if (i >= start && i < start + e.len) v *= e.factor;
      }
      values.push(rand() < gaps ? null : v);
    }
    return { timestamps: values.map((_, i) => 1_700_000_000_000 + i * 60_000), values };
  });

const DETECTORS: DetectorName[] = ['auto', 'robust', 'seasonal', 'kmeans'];

describe('band and flag agree', () => {
  it.each(DETECTORS)('%s: batch, causal and not (the API and CLI path)', (detector) => {
    fc.assert(
      fc.property(series, fc.boolean(), fc.constantFrom('both', 'up', 'down'), (input, causal, dir) => {
        const r = scoreSeries(input, {
          detector,
          options: { causal, direction: dir as 'both' | 'up' | 'down' },
        });
        for (let i = 0; i < r.timestamps.length; i++) {
          const v = violation({
            value: r.values[i],
            expected: r.expected[i],
            lower: r.lower[i],
            upper: r.upper[i],
            anomaly: r.anomaly[i],
            direction: r.direction[i],
            score: r.score[i],
          });
          if (v) throw new Error(`point ${i}: ${v}`);
        }
      }),
      { numRuns: 25 },
    );
  });

  it.each(DETECTORS)('%s: streams (the continuous jobs path)', (detector) => {
    fc.assert(
      fc.property(series, (input) => {
        const stream = createStream({ detector });
        input.timestamps.forEach((t, i) => {
          const p = stream.push(t, input.values[i]);
          const v = p && violation(p);
          if (v) throw new Error(`point ${i}: ${v}`);
        });
      }),
      { numRuns: 25 },
    );
  });

  it('the check itself fails on a point flagged inside its band', () => {
    expect(
      violation({ value: 5, expected: 5, lower: 4, upper: 6, anomaly: true, direction: 'up', score: 2 }),
    ).toMatch(/anomaly true/);
  });
});
