import { DEFAULT_TAIL, SHORT_INCIDENT, TailModel } from './tail.js';
import { TailState } from './snapshot.js';
import { createRandom } from '../lab/scenarios/random.js';
import { SeriesScorer, emptyPoint, resolveParams } from '../engine/seriesScorer.js';
import { parseSensitivity, widenFor } from '../contract/sensitivity.js';
import { youthFactor } from './youth.js';

/** Learning-scale scores of ordinary light-tailed noise: |N(0, 1)| / 4 (score 1 at 4σ). */
function gaussianScores(seed: number) {
  const r = createRandom(seed);
  return () => Math.abs(r.normal()) / 4;
}

/** A Pareto tail with ξ = 1/3 above 0.3 (P(S > s) = (0.3 / s)³), the shape of Student-t ν = 3 scores. */
function paretoScores(seed: number) {
  const r = createRandom(seed);
  return () => 0.3 * Math.pow(1 - r.uniform(), -1 / 3);
}

function fed(next: () => number, n: number, t = new TailModel()): TailModel {
  for (let i = 0; i < n; i++) t.learn(next(), 'normal');
  return t;
}

describe('TailModel', () => {
  it('extrapolates a power-law tail to the target rate', () => {
    const t = fed(paretoScores(1), 20_000);
    // True quantile at 1e-5: 0.3 · (1e5)^(1/3) = 13.9.
    expect(t.quantile(1e-5)).toBeGreaterThan(13.9 / 1.6);
    expect(t.quantile(1e-5)).toBeLessThan(13.9 * 1.6);
    expect(t.factor(1.26, 1e-5)).toBe(DEFAULT_TAIL.maxFactor);
    // A rarer target is a higher quantile.
    expect(t.quantile(1e-6)).toBeGreaterThan(t.quantile(1e-5));
  });

  it('leaves a light tail alone (no quantile, factor 1)', () => {
    const t = fed(gaussianScores(2), 20_000);
    expect(t.quantile(1e-5)).toBeNaN();
    expect(t.factor(1.26, 1e-5)).toBe(1);
  });

  it('has no estimate before minPoints points', () => {
    const t = fed(paretoScores(3), DEFAULT_TAIL.minPoints - 40);
    expect(t.quantile(1e-5)).toBeNaN();
    // minPoints is a decayed count, and the quantiles are re-read every 32 points.
    fed(paretoScores(4), 200, t);
    expect(t.quantile(1e-5)).toBeGreaterThan(1);
  });

  it('does not learn a long incident, so a light tail stays light after one', () => {
    const t = fed(gaussianScores(5), 5000);
    for (let i = 0; i < 300; i++) t.learn(8, 'incident');
    expect(t.inIncident).toBe(true);
    fed(gaussianScores(6), 500, t);
    expect(t.inIncident).toBe(false);
    expect(t.quantile(1e-5)).toBeNaN();
  });

  it('learns short incidents: the tail above score 1 is where the gate opens', () => {
    const next = gaussianScores(7);
    const t = new TailModel();
    // One isolated point at score 3 every 100 points: the series' tail, each its own short incident
    // (the point and the 2 quiet points before the gate closes it).
    for (let i = 0; i < 20_000; i++) {
      const k = i % 100;
      if (k >= 97) t.learn(k === 97 ? 3 : next(), 'incident');
      else t.learn(next(), 'normal');
    }
    expect(t.quantile(1e-5)).toBeGreaterThan(3);
  });

  it('does not learn a 5-point spike: one would make a light tail look heavy for days', () => {
    const next = gaussianScores(10);
    const t = fed(next, 3000);
    for (let k = 0; k < 3; k++) {
      for (let i = 0; i < 7; i++) t.learn(i < 5 ? 30 : 0.3, 'incident');
      expect(7).toBeGreaterThan(SHORT_INCIDENT);
      fed(next, 1000, t);
    }
    expect(t.quantile(1e-5)).toBeNaN();
  });

  it('does not learn a short incident that continues a chain: a held shift flickering, not noise', () => {
    // The isolated points of the test above, each reopening within CHAIN_MS of the last close.
    const learnt = (chained: boolean) => {
      const next = gaussianScores(7);
      const t = new TailModel();
      for (let i = 0; i < 20_000; i++) {
        const k = i % 100;
        if (k >= 97) t.learn(k === 97 ? 3 : next(), 'incident');
        // The gate says whether the incident continued a chain at the point it closes at.
        else t.learn(next(), 'normal', k === 0 && chained);
      }
      return t;
    };
    expect(learnt(false).quantile(1e-5)).toBeGreaterThan(3);
    expect(learnt(true).quantile(1e-5)).toBeNaN();
  });

  it('restores an open incident, also from a snapshot with the tail’s own chained flag of 1b42375', () => {
    const a = fed(gaussianScores(11), 3000);
    a.learn(3, 'incident');
    const snap = a.snapshot();
    const b = new TailModel();
    b.restore(TailState.parse(JSON.parse(JSON.stringify(snap))));
    const old = new TailModel();
    old.restore(TailState.parse(JSON.parse(JSON.stringify({ ...snap, chained: true }))));
    expect(b.snapshot()).toEqual(snap);
    expect(old.snapshot()).toEqual(snap);
    // Closed as a chain's: none learns the score 3.
    for (const t of [a, b, old]) t.learn(0.1, 'normal', true);
    expect(b.snapshot()).toEqual(a.snapshot());
    expect(old.snapshot()).toEqual(a.snapshot());
    const unchained = fed(gaussianScores(11), 3000);
    unchained.learn(3, 'incident');
    unchained.learn(0.1, 'normal');
    expect(unchained.snapshot().bins).not.toEqual(a.snapshot().bins);
  });

  it('continues exactly after a snapshot through JSON', () => {
    const a = fed(paretoScores(8), 3000);
    a.learn(5, 'incident');
    const b = new TailModel();
    b.restore(TailState.parse(JSON.parse(JSON.stringify(a.snapshot()))));
    const next = paretoScores(9);
    for (let i = 0; i < 2000; i++) {
      const s = next();
      a.learn(s, 'normal');
      b.learn(s, 'normal');
    }
    expect(b.snapshot()).toEqual(a.snapshot());
    expect(b.quantile(1e-5)).toBe(a.quantile(1e-5));
  });
});

describe('SeriesScorer with the score tail', () => {
  const t0 = Date.UTC(2024, 0, 1);
  const day = 1440;
  /** Flat 1-minute traffic at 1000 with 3 % noise (Student-t ν = 3 scaled to the same robust σ, or Gaussian). */
  function score(seed: number, heavy: boolean, shiftAt = Infinity) {
    const r = createRandom(seed);
    const scorer = new SeriesScorer({ ...resolveParams({}), stepMs: 60_000 }, true);
    const p = emptyPoint();
    const anomaly: boolean[] = [];
    const consistent: boolean[] = [];
    for (let i = 0; i < 4 * day; i++) {
      const e = heavy ? r.studentT(3) / 1.134 : r.normal();
      const level = i >= shiftAt ? 2000 : 1000;
      scorer.push(t0 + i * 60_000, level * (1 + 0.03 * e), p);
      anomaly.push(p.anomaly);
      // The plain band: the sensitivity's widening and a young series' (youth.ts), no tail factor.
      const widen = widenFor(parseSensitivity(50)) * youthFactor(i, i * 60_000);
      consistent.push(scorer.learningScore === p.score * widen);
    }
    return { anomaly, consistent };
  }
  const starts = (a: boolean[], from: number) => a.filter((x, i) => i >= from && x && !a[i - 1]).length;

  it('heavy-tailed noise: isolated points no longer open episodes once its tail is learnt', () => {
    // Before the tail model: 5 episode starts on days 1–3 over these three seeds.
    const total = [1, 2, 3].reduce((n, seed) => n + starts(score(seed, true).anomaly, day), 0);
    expect(total).toBeLessThanOrEqual(1);
  });

  it('Gaussian noise: the band is the plain one at every point (no tail factor)', () => {
    // The factor for a young series is not 1 on its first days here (this proves it is applied).
    expect(youthFactor(day, day * 60_000)).toBeGreaterThan(1);
    for (const seed of [1, 2]) expect(score(seed, false).consistent.every(Boolean)).toBe(true);
  });

  it('heavy-tailed noise: a sustained doubling is still flagged for most of its length', () => {
    const shiftAt = 3 * day;
    const { anomaly } = score(4, true, shiftAt);
    const during = anomaly.slice(shiftAt, shiftAt + 10);
    expect(during.slice(0, 2).some(Boolean)).toBe(true);
    expect(during.filter(Boolean).length).toBeGreaterThanOrEqual(8);
  });
});
