/**
 * Series cleaning: turn whatever a client or a source sends into a regular grid.
 *
 * - sorts unsorted input and merges duplicate timestamps (the later sample wins, as in Prometheus);
 * - drops NaN / null / ±Inf values (counted), never replacing them with zero;
 * - resamples to the series' own step (median spacing): several samples in one slot are averaged,
 *   empty slots stay missing (NaN) so detectors can tell "no data" from "zero traffic";
 * - detects monotonic counters (optional) and converts them to per-second rates, treating a drop as a
 *   counter reset (the interval across a reset has no known rate and stays missing; see counter.ts).
 */
import type { CleaningReport } from '../contract/score.js';
import { CounterRate } from './counter.js';

export interface CleanSeries {
  /** Regular grid, epoch ms. */
  timestamps: Float64Array;
  /** Value per grid slot; NaN where no valid sample fell into the slot. */
  values: Float64Array;
  report: CleaningReport;
}

export interface CleanOptions {
  counter?: boolean | 'auto';
  /** Upper bound on grid length; a sparse series with a huge span gets a coarser step instead. */
  maxGridPoints?: number;
}

/** Median of positive consecutive differences: the series' natural step. */
export function medianStep(sortedTimestamps: ArrayLike<number>): number {
  // A typed array, sorted numerically without a comparator: the differences are positive numbers, so
  // the order (and the median) is the comparator's.
  const diffs = new Float64Array(Math.max(0, sortedTimestamps.length - 1));
  let count = 0;
  for (let i = 1; i < sortedTimestamps.length; i++) {
    const d = sortedTimestamps[i] - sortedTimestamps[i - 1];
    if (d > 0) diffs[count++] = d;
  }
  if (count === 0) return 0;
  const sorted = diffs.subarray(0, count).sort();
  return sorted[Math.floor((count - 1) / 2)];
}

/**
 * The samples in time order, one per timestamp: `t` and `v` (NaN: invalid) at [0, count). Two typed
 * arrays, not an object a sample: those objects and the filtered and mapped copies of them were ~11 MB
 * of the ~100 MB a 50-series dashboard request allocated.
 */
interface Samples {
  t: Float64Array;
  v: Float64Array;
  count: number;
}

function sortAndDedupe(timestamps: readonly number[], values: readonly (number | null)[]) {
  let unsorted = false;
  for (let i = 1; i < timestamps.length; i++) {
    if (timestamps[i] < timestamps[i - 1]) {
      unsorted = true;
      break;
    }
  }
  let order: number[] | null = null;
  if (unsorted) {
    // Stable sort keeps arrival order among equal timestamps, so "later sample wins" stays true.
    order = timestamps.map((_, i) => i);
    order.sort((a, b) => timestamps[a] - timestamps[b]);
  }
  const samples: Samples = {
    t: new Float64Array(timestamps.length),
    v: new Float64Array(timestamps.length),
    count: 0,
  };
  let duplicates = 0;
  let invalid = 0;
  for (let k = 0; k < timestamps.length; k++) {
    const i = order ? order[k] : k;
    const t = timestamps[i];
    const raw = values[i];
    const v = typeof raw === 'number' && Number.isFinite(raw) ? raw : NaN;
    if (Number.isNaN(v)) invalid++;
    const last = samples.count - 1;
    if (last >= 0 && samples.t[last] === t) {
      duplicates++;
      if (!Number.isNaN(v)) samples.v[last] = v;
      continue;
    }
    samples.t[samples.count] = t;
    samples.v[samples.count] = v;
    samples.count++;
  }
  return { samples, unsorted, duplicates, invalid };
}

/** Counter heuristic: non-negative, almost never decreasing, and mostly increasing. */
export function looksLikeCounter(values: ArrayLike<number>): boolean {
  let prev = NaN;
  let ups = 0;
  let downs = 0;
  let steps = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isNaN(v)) continue;
    if (v < 0) return false;
    if (!Number.isNaN(prev)) {
      steps++;
      if (v > prev) ups++;
      else if (v < prev) downs++;
    }
    prev = v;
  }
  if (steps < 10) return false;
  return ups >= 0.5 * steps && downs <= Math.max(1, 0.01 * steps);
}

/** Per-second rate of a counter on a grid; see CounterRate for how resets are treated. */
export function counterToRate(
  timestamps: Float64Array,
  values: Float64Array,
): { rates: Float64Array; resets: number } {
  const rates = new Float64Array(values.length);
  const counter = new CounterRate();
  for (let i = 0; i < values.length; i++) rates[i] = counter.push(timestamps[i], values[i]);
  return { rates, resets: counter.resets };
}

/**
 * Default bound on the grid: gaps may add up to 3 missing slots per sample plus 1,000, beyond that the
 * step coarsens. This bounds the work a request can cause to ~4× its input points.
 */
export function defaultMaxGrid(samples: number): number {
  return 4 * samples + 1000;
}

/**
 * The mean of a grid point's samples after its `count`-th sample `x` (the in-memory and the streaming
 * cleaning share it, so both give the same bytes). A running mean, not sum / count: the sum of two values
 * near ±1.8e308 is infinite, and an infinite cleaned value was scored Infinity (null in the JSON answer;
 * score.property.test found it).
 */
export function withSample(mean: number, x: number, count: number): number {
  // Each term is at most the largest sample in magnitude, in this order (mean + x / count first could overflow).
  return mean + (x / count - mean / count);
}

/**
 * The regular grid a series is put on: its median step, coarsened when the span would need more than
 * `maxGrid` slots. One definition for the cleaner and for sizing a request before scoring it.
 * @param sortedTimestamps distinct timestamps in ascending order
 */
export function gridShape(
  sortedTimestamps: ArrayLike<number>,
  maxGrid = defaultMaxGrid(sortedTimestamps.length),
): { step: number; points: number } {
  const n = sortedTimestamps.length;
  if (n === 0) return { step: 0, points: 0 };
  const span = sortedTimestamps[n - 1] - sortedTimestamps[0];
  let step = medianStep(sortedTimestamps);
  if (step > 0 && span / step + 1 > maxGrid) step = span / (maxGrid - 1);
  return { step, points: step > 0 ? Math.round(span / step) + 1 : 1 };
}

export function cleanSeries(
  timestamps: readonly number[],
  values: readonly (number | null)[],
  options: CleanOptions = {},
): CleanSeries {
  const inputPoints = timestamps.length;
  const { samples, unsorted, duplicates, invalid } = sortAndDedupe(timestamps, values);
  const emptyReport = (): CleaningReport => ({
    inputPoints,
    outputPoints: 0,
    stepMs: 0,
    unsorted,
    duplicates,
    invalid,
    gaps: 0,
    counter: false,
    counterResets: 0,
  });
  if (samples.count === 0) {
    return { timestamps: new Float64Array(0), values: new Float64Array(0), report: emptyReport() };
  }

  const t0 = samples.t[0];
  const { step, points: n } = gridShape(samples.t.subarray(0, samples.count), options.maxGridPoints);

  const grid = new Float64Array(n);
  const means = new Float64Array(n);
  const counts = new Uint32Array(n);
  for (let k = 0; k < n; k++) grid[k] = t0 + k * step;
  for (let i = 0; i < samples.count; i++) {
    const v = samples.v[i];
    if (Number.isNaN(v)) continue;
    const k = step > 0 ? Math.min(n - 1, Math.round((samples.t[i] - t0) / step)) : 0;
    means[k] = withSample(means[k], v, ++counts[k]);
  }
  let out: Float64Array = new Float64Array(n);
  let gaps = 0;
  for (let k = 0; k < n; k++) {
    if (counts[k] > 0) out[k] = means[k];
    else {
      out[k] = NaN;
      gaps++;
    }
  }

  const counter =
    options.counter === 'auto' || options.counter === undefined ? looksLikeCounter(out) : options.counter;
  let counterResets = 0;
  if (counter) {
    const r = counterToRate(grid, out);
    out = r.rates;
    counterResets = r.resets;
  }
  return {
    timestamps: grid,
    values: out,
    report: {
      inputPoints,
      outputPoints: n,
      stepMs: step,
      unsorted,
      duplicates,
      invalid,
      gaps,
      counter,
      counterResets,
    },
  };
}
