/**
 * Detection quality against labels, point by point (`trafficlens evaluate`):
 *
 * - precision, recall, F1 of the flags (score ≥ 1) against the labelled points;
 * - ROC-AUC of the scores (threshold-free): the probability that a labelled point scores higher than an
 *   unlabelled one, ties counting half (Mann–Whitney U);
 * - point-adjusted F1 with a delay k: a labelled segment (a run of consecutive labelled points) counts as
 *   detected when any of its first k + 1 points is flagged, and then all its points are true positives,
 *   else all are false negatives; flags outside segments are false positives. k = 0 asks for a flag at
 *   the segment's first point; a large k is the classic (delay-free) point adjustment.
 */

export interface Confusion {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}

export interface Prf {
  precision: number;
  recall: number;
  f1: number;
}

export interface EvaluationMetrics extends Prf {
  points: number;
  labelled: number;
  flagged: number;
  segments: number;
  segmentsDetected: number;
  rocAuc: number;
  delay: number;
  pointAdjusted: Prf & Confusion;
  confusion: Confusion;
}

/** 0 when undefined (no positives predicted or none labelled), as scikit-learn's zero_division=0. */
export function prf({ tp, fp, fn }: Pick<Confusion, 'tp' | 'fp' | 'fn'>): Prf {
  const precision = tp + fp > 0 ? tp / (tp + fp) : 0;
  const recall = tp + fn > 0 ? tp / (tp + fn) : 0;
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return { precision, recall, f1 };
}

export function confusion(flags: ArrayLike<boolean>, labels: ArrayLike<boolean>): Confusion {
  const c: Confusion = { tp: 0, fp: 0, fn: 0, tn: 0 };
  for (let i = 0; i < flags.length; i++) {
    if (flags[i]) {
      if (labels[i]) c.tp++;
      else c.fp++;
    } else if (labels[i]) c.fn++;
    else c.tn++;
  }
  return c;
}

/** NaN when only one class is labelled (AUC is undefined then). */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<boolean>): number {
  const idx = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let pos = 0;
  let rankSum = 0;
  for (let i = 0; i < idx.length;) {
    let j = i;
    while (j + 1 < idx.length && scores[idx[j + 1]] === scores[idx[i]]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if (labels[idx[k]]) {
        pos++;
        rankSum += rank;
      }
    }
    i = j + 1;
  }
  const neg = scores.length - pos;
  if (pos === 0 || neg === 0) return NaN;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

/** Runs of consecutive labelled points, as [start, end] index pairs (inclusive). */
export function segments(labels: ArrayLike<boolean>): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < labels.length; i++) {
    if (!labels[i]) continue;
    const start = i;
    while (i + 1 < labels.length && labels[i + 1]) i++;
    out.push([start, i]);
  }
  return out;
}

export function pointAdjusted(
  flags: ArrayLike<boolean>,
  labels: ArrayLike<boolean>,
  delay: number,
): Confusion & { detected: number; segments: number } {
  if (!(Number.isInteger(delay) && delay >= 0))
    throw new RangeError(`delay must be an integer ≥ 0, got ${delay}`);
  const adjusted = Array.from(flags, Boolean);
  const segs = segments(labels);
  let detected = 0;
  for (const [s, e] of segs) {
    let hit = false;
    for (let i = s; i <= Math.min(e, s + delay); i++) if (flags[i]) hit = true;
    for (let i = s; i <= e; i++) adjusted[i] = hit;
    if (hit) detected++;
  }
  return { ...confusion(adjusted, labels), detected, segments: segs.length };
}

export function evaluateDetection(
  scores: ArrayLike<number>,
  flags: ArrayLike<boolean>,
  labels: ArrayLike<boolean>,
  delay: number,
): EvaluationMetrics {
  if (scores.length !== labels.length || flags.length !== labels.length) {
    throw new RangeError(
      `scores, flags and labels differ in length (${scores.length}, ${flags.length}, ${labels.length})`,
    );
  }
  const c = confusion(flags, labels);
  const pa = pointAdjusted(flags, labels, delay);
  return {
    points: labels.length,
    labelled: c.tp + c.fn,
    flagged: c.tp + c.fp,
    segments: pa.segments,
    segmentsDetected: pa.detected,
    ...prf(c),
    rocAuc: rocAuc(scores, labels),
    delay,
    pointAdjusted: { ...prf(pa), tp: pa.tp, fp: pa.fp, fn: pa.fn, tn: pa.tn },
    confusion: c,
  };
}

/**
 * The metrics of several series at once: confusions summed (micro-averaged precision, recall, F1),
 * segments found per series (a segment never spans two series), ROC-AUC over all points together
 * (the scores share one scale: 1.0 is every detector's boundary).
 */
export function evaluatePooled(
  parts: readonly { scores: ArrayLike<number>; flags: ArrayLike<boolean>; labels: ArrayLike<boolean> }[],
  delay: number,
): EvaluationMetrics {
  const c: Confusion = { tp: 0, fp: 0, fn: 0, tn: 0 };
  const pa: Confusion = { tp: 0, fp: 0, fn: 0, tn: 0 };
  let segs = 0;
  let detected = 0;
  for (const p of parts) {
    const m = evaluateDetection(p.scores, p.flags, p.labels, delay);
    for (const k of ['tp', 'fp', 'fn', 'tn'] as const) {
      c[k] += m.confusion[k];
      pa[k] += m.pointAdjusted[k];
    }
    segs += m.segments;
    detected += m.segmentsDetected;
  }
  const scores = new Float64Array(parts.reduce((a, p) => a + p.scores.length, 0));
  const labels = new Array<boolean>(scores.length);
  let at = 0;
  for (const p of parts) {
    for (let i = 0; i < p.scores.length; i++, at++) {
      scores[at] = p.scores[i];
      labels[at] = Boolean(p.labels[i]);
    }
  }
  return {
    points: scores.length,
    labelled: c.tp + c.fn,
    flagged: c.tp + c.fp,
    segments: segs,
    segmentsDetected: detected,
    ...prf(c),
    rocAuc: rocAuc(scores, labels),
    delay,
    pointAdjusted: { ...prf(pa), ...pa },
    confusion: c,
  };
}
