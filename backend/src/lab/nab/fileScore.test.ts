/**
 * NAB scoring on tiny hand-built corpora whose scores can be worked out by hand.
 * One file of 100 one-minute rows: probation is floor(0.15·100) = 15 rows, and the window covers
 * rows 40–49 (width 10). A custom profile (tp 2, fp 0.5, fn 3) makes every weight visible.
 */
import fc from 'fast-check';
import { buildNabCorpus, buildNabFile, nabProbationLength, type NabCorpus } from './corpus.js';
import { optimizeThreshold } from './optimizer.js';
import { scoreFileAtThreshold } from './fileScore.js';
import { scoreNab } from './corpusScore.js';
import { MAX_TP, scaledSigmoid, sweepFile, weightSweep } from './sweeper.js';

const T0 = Date.UTC(2020, 0, 1);
const MIN = 60_000;
const COST = { tpWeight: 2, fpWeight: 0.5, fnWeight: 3 };
const PROFILES = { custom: COST };
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

function oneWindowCorpus(rows = 100, window: [number, number] | null = [40, 49]): NabCorpus {
  const timestamps = Array.from({ length: rows }, (_, i) => T0 + i * MIN);
  const windows = window ? [[timestamps[window[0]], timestamps[window[1]]] as const] : [];
  return buildNabCorpus([buildNabFile({ relPath: 'cat/one.csv', timestamps, windows })], PROFILES);
}

/** Raw custom-profile score when exactly the given rows are detections. */
function rawWithDetections(rows: number[], corpus = oneWindowCorpus()): number {
  const scores = new Float64Array(corpus.files[0].timestamps.length);
  for (const r of rows) scores[r] = 1;
  return scoreNab(corpus, { 'cat/one.csv': scores }, { threshold: 0.5 }).profiles.custom.raw;
}

describe('NAB scoring of single detections', () => {
  test('the probationary period is 15% of the rows, capped at 750', () => {
    expect(nabProbationLength(100)).toBe(15);
    expect(nabProbationLength(4032)).toBe(604);
    expect(nabProbationLength(22695)).toBe(750);
  });

  test('a detection at the window start scores exactly +tpWeight', () => {
    expect(rawWithDetections([40])).toBeCloseTo(2, 12);
  });

  test('a missed window scores −fnWeight', () => {
    expect(rawWithDetections([])).toBeCloseTo(-3, 12);
  });

  test('a false positive far after a window costs the full fpWeight', () => {
    // Row 99 is (99 − 49)/(10 − 1) ≈ 5.6 window-widths past the window: beyond 3, so −1·fpWeight.
    expect(rawWithDetections([40, 99])).toBeCloseTo(2 - 0.5, 12);
  });

  test('a false positive before any window costs the full fpWeight', () => {
    expect(rawWithDetections([20])).toBeCloseTo(-3 - 0.5, 12);
  });

  test('a false positive just after a window costs only a little', () => {
    // Row 50: position 1/9 past the right edge → 2·sigmoid(−5/9) − 1 ≈ −0.271, times fpWeight.
    expect(rawWithDetections([50])).toBeCloseTo(-3 + 0.5 * (2 * sigmoid(-5 / 9) - 1), 12);
  });

  test('detections in the probationary period are ignored', () => {
    expect(rawWithDetections([0, 5, 14])).toBeCloseTo(-3, 12);
    const counts = scoreNab(
      oneWindowCorpus(),
      { 'cat/one.csv': new Float64Array(100).fill(1) },
      { threshold: 1 },
    ).profiles.custom;
    expect(counts.tp + counts.fp + counts.fn + counts.tn).toBe(85);
    expect(counts.tp).toBe(10);
    expect(counts.fp).toBe(75);
  });

  test('a detection on the last row of a window still earns a little', () => {
    // Position −(49 − 49 + 1)/10 = −0.1 → 2·sigmoid(0.5) − 1, scaled so the left edge would be tpWeight.
    expect(rawWithDetections([49])).toBeCloseTo((2 * (2 * sigmoid(0.5) - 1)) / (2 * sigmoid(5) - 1), 12);
  });

  test('only the earliest detection in a window counts', () => {
    const middle = (2 * (2 * sigmoid(2.5) - 1)) / (2 * sigmoid(5) - 1); // row 45: position −0.5
    expect(rawWithDetections([45])).toBeCloseTo(middle, 12);
    expect(rawWithDetections([45, 46, 49])).toBeCloseTo(middle, 12);
    expect(rawWithDetections([40, 45])).toBeCloseTo(2, 12);
  });

  test('a row is a detection when its anomaly score reaches the threshold', () => {
    const scores = new Float64Array(100);
    scores[40] = 0.7;
    const corpus = oneWindowCorpus();
    expect(scoreNab(corpus, { 'cat/one.csv': scores }, { threshold: 0.7 }).profiles.custom.raw).toBeCloseTo(
      2,
      12,
    );
    expect(
      scoreNab(corpus, { 'cat/one.csv': scores }, { threshold: 0.7000001 }).profiles.custom.raw,
    ).toBeCloseTo(-3, 12);
  });

  test('the scaled sigmoid matches its defining values', () => {
    expect(MAX_TP).toBeCloseTo(0.98661, 5);
    expect(scaledSigmoid(-0.5)).toBeCloseTo(0.84828, 5);
    expect(scaledSigmoid(0)).toBe(0);
    expect(scaledSigmoid(1)).toBeCloseTo(-0.98661, 5);
    expect(scaledSigmoid(3.01)).toBe(-1);
  });
});

describe('NAB normalization', () => {
  test('a perfect detection scores 100 and no detection scores 0', () => {
    const corpus = oneWindowCorpus();
    const perfect = new Float64Array(100);
    perfect[40] = 1;
    const hit = scoreNab(corpus, { 'cat/one.csv': perfect }, { threshold: 0.5 }).profiles.custom;
    const none = scoreNab(corpus, { 'cat/one.csv': new Float64Array(100) }, { threshold: 0.5 }).profiles
      .custom;
    expect(hit.score).toBeCloseTo(100, 9);
    expect(none.score).toBeCloseTo(0, 9);
    expect(hit.nullRaw).toBe(-3);
    expect(hit.perfectRaw).toBe(2);
  });

  test('a false positive lowers the score by fpWeight over the null-to-perfect span', () => {
    const scores = new Float64Array(100);
    scores[40] = 1;
    scores[99] = 1;
    const s = scoreNab(oneWindowCorpus(), { 'cat/one.csv': scores }, { threshold: 0.5 }).profiles.custom;
    expect(s.score).toBeCloseTo((100 * (1.5 + 3)) / (2 + 3), 9);
  });

  test('a window inside the probationary period is not counted as a miss but still counts as possible', () => {
    const corpus = oneWindowCorpus(100, [2, 8]);
    const s = scoreNab(corpus, { 'cat/one.csv': new Float64Array(100) }, { threshold: 0.5 }).profiles.custom;
    expect(s.raw).toBe(0);
    expect(s.nullRaw).toBe(-0);
    expect(s.perfectRaw).toBe(2);
  });

  test('files without windows leave the normalized score undefined', () => {
    const s = scoreNab(
      oneWindowCorpus(100, null),
      { 'cat/one.csv': new Float64Array(100) },
      { threshold: 0.5 },
    );
    expect(s.profiles.custom.score).toBeNull();
  });
});

describe('exact threshold optimiser', () => {
  const fileArb = fc
    .record({
      rows: fc.integer({ min: 8, max: 60 }),
      windows: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 8 })), { maxLength: 3 }),
      levels: fc.integer({ min: 1, max: 6 }),
      seed: fc.array(fc.nat(100), { minLength: 60, maxLength: 60 }),
    })
    .map(({ rows, windows, levels, seed }) => {
      // Non-overlapping windows with at least one gap row between them.
      const limits: [number, number][] = [];
      let from = 0;
      for (const [gap, len] of windows) {
        const start = from + (gap % 10);
        const end = Math.min(start + len, rows - 1);
        if (start >= rows - 1) break;
        limits.push([start, end]);
        from = end + 2;
      }
      // Few distinct levels so ties between rows are common.
      const scores = Float64Array.from(
        { length: rows },
        (_, i) => Math.round((seed[i] / 100) * levels) / levels,
      );
      return { rows, limits, scores };
    });

  test('finds the best score over every distinct threshold, preferring the highest threshold on ties', () => {
    fc.assert(
      fc.property(fc.array(fileArb, { minLength: 1, maxLength: 3 }), (specs) => {
        const files = specs.map((s, k) => {
          const timestamps = Array.from({ length: s.rows }, (_, i) => T0 + i * MIN);
          return buildNabFile({
            relPath: `c/f${k}.csv`,
            timestamps,
            windows: s.limits.map(([a, b]) => [timestamps[a], timestamps[b]] as const),
          });
        });
        const sweeps = files.map(sweepFile);
        const weights = sweeps.map((s) => weightSweep(s, COST));
        const scores = specs.map((s) => s.scores);
        const rawAt = (t: number) =>
          sweeps.reduce(
            (sum, s, f) => sum + scoreFileAtThreshold(s, weights[f], scores[f], COST.fnWeight, t).raw,
            0,
          );
        const candidates = [1.1, ...new Set(scores.flatMap((s) => [...s]))].sort((a, b) => b - a);
        let bruteBest = -Infinity;
        let bruteThreshold = NaN;
        for (const t of candidates) {
          const r = rawAt(t);
          if (r > bruteBest + 1e-9) {
            bruteBest = r;
            bruteThreshold = t;
          }
        }
        const found = optimizeThreshold(sweeps, weights, scores, COST.fnWeight);
        expect(found.raw).toBeCloseTo(bruteBest, 9);
        expect(rawAt(found.threshold)).toBeCloseTo(bruteBest, 9);
        expect(found.threshold).toBe(bruteThreshold);
      }),
      { numRuns: 200 },
    );
  });

  test('scoreNab optimises each profile when no threshold is given', () => {
    const scores = new Float64Array(100).fill(0.2);
    scores[40] = 0.9;
    scores[70] = 0.5;
    const s = scoreNab(oneWindowCorpus(), { 'cat/one.csv': scores }).profiles.custom;
    expect(s.thresholdSource).toBe('optimised');
    expect(s.threshold).toBe(0.9);
    expect(s.raw).toBeCloseTo(2, 12);
  });
});
