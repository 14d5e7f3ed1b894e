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

describe('band and flag agree where the CUSUM narrows the band', () => {
  // 15-minute traffic with a daily period (96 points, snapped to the day), 16–24 days, with 1–3 sustained
  // shifts of 2–8 % on 2 % noise: the CUSUM (components/cusum.ts) speaks from the third day and drives
  // some of the flags. Every run keeps the rule; the runs together must have the CUSUM drive a flag.
  const STEP_15 = 15 * 60_000;
  const shifted = fc
    .record({
      days: fc.integer({ min: 16, max: 24 }),
      shifts: fc.array(
        fc.record({
          at: fc.integer({ min: 300, max: 1400 }),
          len: fc.integer({ min: 8, max: 60 }),
          factor: fc.constantFrom(0.92, 0.95, 0.97, 1.03, 1.05, 1.08),
        }),
        { minLength: 1, maxLength: 3 },
      ),
      seed: fc.integer(),
    })
    .map(({ days, shifts, seed }) => {
      let s = seed >>> 0 || 1;
      const rand = () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
      const n = days * 96;
      const values = Array.from({ length: n }, (_, i) => {
        let v = 1000 * (1 + 0.4 * Math.sin((2 * Math.PI * i) / 96)) * (1 + 0.02 * (rand() - 0.5));
        for (const e of shifts) if (i >= e.at && i < e.at + e.len) v *= e.factor;
        return v;
      });
      return { timestamps: values.map((_, i) => 1_700_000_000_000 + i * STEP_15), values };
    });

  it('auto: batch and causal, the CUSUM driving flags', () => {
    let drivenByCusum = 0;
    fc.assert(
      fc.property(shifted, (input) => {
        const r = scoreSeries(input, { detector: 'auto', options: { causal: true } });
        assertBandRule(r);
        drivenByCusum += r.episodes.filter((e) =>
          /cumulative_shift_vs_seasonal_profile/.test(e.explanation?.summary ?? ''),
        ).length;
      }),
      { numRuns: 12 },
    );
    expect(drivenByCusum).toBeGreaterThan(0);
  });
});
