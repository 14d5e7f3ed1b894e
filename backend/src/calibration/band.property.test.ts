/**
 * The band is the boundary that alerts: on every path (batch causal and non-causal, as the API and the
 * CLI score; streams, as continuous jobs score) and for every statistical detector, a point is anomalous
 * exactly when its value lies outside [lower, upper] (a missing edge is unbounded), and an anomalous
 * point's direction is the side of `expected` its value is on.
 */
import fc from 'fast-check';
import { createStream, scoreSeries } from '../engine/index.js';
import type { DetectorName } from '../contract/score.js';
import { assertBandRule, bandSeries, violation } from './testing/bandRule.js';

const series = bandSeries();

const DETECTORS: DetectorName[] = ['auto', 'robust', 'seasonal', 'kmeans'];

describe('band and flag agree', () => {
  it.each(DETECTORS)('%s: batch, causal and not (the API and CLI path)', (detector) => {
    fc.assert(
      fc.property(series, fc.boolean(), fc.constantFrom('both', 'up', 'down'), (input, causal, dir) => {
        const r = scoreSeries(input, {
          detector,
          options: { causal, direction: dir as 'both' | 'up' | 'down' },
        });
        assertBandRule(r);
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
