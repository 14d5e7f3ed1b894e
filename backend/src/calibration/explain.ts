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

export function explain(e: ExplainInput): Explanation {
  const driver = e.components[Math.max(0, e.driver)];
  let kind: ExplanationKind = e.direction === 'up' ? driver.kindUp : driver.kindDown;
  // A level component in a seasonal context is better described as a seasonal mismatch only by the
  // seasonal component itself; spikes and dips stay as they are.
  if (kind === 'spike' && e.direction === 'down') kind = 'dip';
  if (kind === 'dip' && e.direction === 'up') kind = 'spike';
  let total = 0;
  for (let i = 0; i < e.componentScores.length; i++) total += e.componentScores[i];
  // Components measuring the same feature over different windows (auto's 100- and 300-point rolling
  // medians, its two level-shift scales) count as one driver: an operator reads features, not windows.
  const byFeature = new Map<string, number>();
  e.components.forEach((c, i) => {
    const share = total > 0 ? e.componentScores[i] / total : 0;
    byFeature.set(c.feature, (byFeature.get(c.feature) ?? 0) + share);
  });
  const features = [...byFeature]
    .map(([name, contribution]) => ({ name, contribution }))
    .filter((f) => f.contribution > 0)
    .sort((a, b) => b.contribution - a.contribution)
    .slice(0, 3)
    .map((f) => ({ name: f.name, contribution: Math.round(f.contribution * 1000) / 1000 }));
  const band = e.lower !== null && e.upper !== null ? ` (normal ${fmt(e.lower)}–${fmt(e.upper)})` : '';
  const drivers = features.map((f) => `${f.name} ${Math.round(f.contribution * 100)}%`).join(', ');
  const summary = `${KIND_WORDS[kind]} ${e.direction}: ${fmt(e.actual)} vs expected ${fmt(e.expected)}${band}; driven by ${drivers}`;
  return { kind, summary, expected: e.expected, actual: e.actual, features };
}
