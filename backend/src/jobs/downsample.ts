/**
 * Thinning a series' retained results to what a panel can draw (Grafana's maxDataPoints). Written here
 * rather than taken from a library: the points of one result are eight aligned columns, and what must
 * survive is the score contract's, not only the value's shape — so the rule keeps, per bucket, the points
 * with the lowest value, the highest value and the highest score (an anomaly is never thinned away, and
 * a dip or spike keeps its extreme), in time order. A bucket with no value keeps its first point, so gaps
 * stay visible.
 */
import type { PointColumns } from './ring.js';

/** Points each bucket can contribute (min value, max value, max score). */
const PER_BUCKET = 3;

export function downsample(columns: PointColumns, maxPoints: number): PointColumns {
  const n = columns.timestamps.length;
  if (n <= maxPoints) return columns;
  const buckets = Math.max(1, Math.floor(maxPoints / PER_BUCKET));
  const keep: number[] = [];
  for (let b = 0; b < buckets; b++) {
    const lo = Math.floor((b * n) / buckets);
    const hi = Math.floor(((b + 1) * n) / buckets);
    let minAt = -1;
    let maxAt = -1;
    let scoreAt = lo;
    for (let i = lo; i < hi; i++) {
      const v = columns.values[i];
      if (v !== null) {
        if (minAt < 0 || v < (columns.values[minAt] as number)) minAt = i;
        if (maxAt < 0 || v > (columns.values[maxAt] as number)) maxAt = i;
      }
      if (columns.score[i] > columns.score[scoreAt]) scoreAt = i;
    }
    const picked = minAt < 0 ? [scoreAt] : [minAt, maxAt, scoreAt];
    for (const i of [...new Set(picked)].sort((a, c) => a - c)) keep.push(i);
  }
  const pick = <T>(column: T[]): T[] => keep.map((i) => column[i]);
  return {
    timestamps: pick(columns.timestamps),
    values: pick(columns.values),
    score: pick(columns.score),
    expected: pick(columns.expected),
    lower: pick(columns.lower),
    upper: pick(columns.upper),
    anomaly: pick(columns.anomaly),
    direction: pick(columns.direction),
  };
}
