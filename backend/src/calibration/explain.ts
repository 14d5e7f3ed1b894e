/** Human-readable explanations: what deviated, expected vs actual, and which features drove it. */
import type { Direction, Explanation, ExplanationKind } from '../contract/score.js';
import type { Component } from '../detectors/detector.js';
import { KIND_WORDS } from '../contract/severity.js';

/** A value as explanations print it: 3 decimals, or exponential when very large or small. */
export function fmt(x: number | null): string {
  if (x === null || !Number.isFinite(x)) return 'n/a';
  const a = Math.abs(x);
  if (a !== 0 && (a >= 1e6 || a < 1e-3)) return x.toExponential(3);
  return String(Math.round(x * 1000) / 1000);
}

export interface ExplainInput {
  components: readonly Component[];
  componentScores: ArrayLike<number>;
  driver: number;
  direction: Direction;
  actual: number | null;
  expected: number | null;
  lower: number | null;
  upper: number | null;
}

/** Features an explanation names at most. */
export const MAX_FEATURES = 3;

/**
 * What an explanation is made of, before its text: the kind, the point's values and its leading
 * features (names[0, count), shares rounded to 3 decimals). Kept apart from the text so batch scoring
 * can keep these for every anomalous point and write text only for the few an episode shows.
 */
export interface ExplanationParts {
  kind: ExplanationKind;
  direction: Direction;
  actual: number | null;
  expected: number | null;
  lower: number | null;
  upper: number | null;
  count: number;
  names: string[];
  contributions: Float64Array;
}

export function emptyExplanationParts(): ExplanationParts {
  return {
    kind: 'spike',
    direction: 'up',
    actual: null,
    expected: null,
    lower: null,
    upper: null,
    count: 0,
    names: ['', '', ''],
    contributions: new Float64Array(MAX_FEATURES),
  };
}

/**
 * Finds explanations' parts for one detector, into one refilled object. Components measuring the same
 * feature over different windows (auto's 100- and 300-point rolling medians, its two level-shift scales)
 * count as one driver: an operator reads features, not windows. Which components share a feature is
 * worked out again only when a feature name changes (a fallback switching to its primary, a residual
 * test finding the profile): a Map, a sort and their arrays per anomalous point were most of what batch
 * scoring allocated.
 */
export class ExplanationFinder {
  private readonly parts = emptyExplanationParts();
  /** The component feature names the grouping was made from. */
  private names: string[] = [];
  /** Each component's feature, as an index into `features` (first appearance order). */
  private groupOf = new Int32Array(0);
  private features: string[] = [];
  private sums = new Float64Array(0);

  /** The parts of `e`'s explanation (the returned object is refilled by the next call). */
  find(e: ExplainInput): ExplanationParts {
    const p = this.parts;
    const driver = e.components[Math.max(0, e.driver)];
    let kind: ExplanationKind = e.direction === 'up' ? driver.kindUp : driver.kindDown;
    // A level component in a seasonal context is better described as a seasonal mismatch only by the
    // seasonal component itself; spikes and dips stay as they are.
    if (kind === 'spike' && e.direction === 'down') kind = 'dip';
    if (kind === 'dip' && e.direction === 'up') kind = 'spike';
    p.kind = kind;
    p.direction = e.direction;
    p.actual = e.actual;
    p.expected = e.expected;
    p.lower = e.lower;
    p.upper = e.upper;
    this.group(e.components);
    let total = 0;
    for (let i = 0; i < e.componentScores.length; i++) total += e.componentScores[i];
    const sums = this.sums;
    sums.fill(0);
    for (let i = 0; i < e.components.length; i++) {
      sums[this.groupOf[i]] += total > 0 ? e.componentScores[i] / total : 0;
    }
    this.leading(p);
    return p;
  }

  /**
   * The (at most) MAX_FEATURES features with the largest positive shares into p, largest first, a tie
   * to the feature that appeared first: what a stable sort by share, descending, then a slice gave.
   */
  private leading(p: ExplanationParts): void {
    const sums = this.sums;
    const top = p.contributions;
    let count = 0;
    for (let f = 0; f < this.features.length; f++) {
      const share = sums[f];
      if (!(share > 0)) continue;
      let at = count;
      while (at > 0 && share > top[at - 1]) at--;
      if (at >= MAX_FEATURES) continue;
      for (let k = Math.min(count, MAX_FEATURES - 1); k > at; k--) {
        top[k] = top[k - 1];
        p.names[k] = p.names[k - 1];
      }
      top[at] = share;
      p.names[at] = this.features[f];
      if (count < MAX_FEATURES) count++;
    }
    for (let k = 0; k < count; k++) top[k] = Math.round(top[k] * 1000) / 1000;
    p.count = count;
  }

  /** Refresh the grouping when the components' feature names are not the ones it was made from. */
  private group(components: readonly Component[]): void {
    let same = components.length === this.names.length;
    for (let i = 0; same && i < components.length; i++) same = components[i].feature === this.names[i];
    if (same) return;
    this.names = components.map((c) => c.feature);
    this.features = [...new Set(this.names)];
    this.groupOf = Int32Array.from(this.names, (name) => this.features.indexOf(name));
    this.sums = new Float64Array(this.features.length);
  }
}

/** The explanation made of `p` (its text written now). */
export function explanationOf(p: ExplanationParts): Explanation {
  const features: Explanation['features'] = [];
  for (let k = 0; k < p.count; k++) features.push({ name: p.names[k], contribution: p.contributions[k] });
  const band = p.lower !== null && p.upper !== null ? ` (normal ${fmt(p.lower)}–${fmt(p.upper)})` : '';
  const drivers = features.map((f) => `${f.name} ${Math.round(f.contribution * 100)}%`).join(', ');
  const summary = `${KIND_WORDS[p.kind]} ${p.direction}: ${fmt(p.actual)} vs expected ${fmt(p.expected)}${band}; driven by ${drivers}`;
  return { kind: p.kind, summary, expected: p.expected, actual: p.actual, features };
}

export function explain(e: ExplainInput): Explanation {
  return explanationOf(new ExplanationFinder().find(e));
}
