/**
 * Data-quality states of a job's series, defined once here (docs/jobs.md, "Data quality"):
 *
 * - `stale`: the newest sample (a point with a value) is older than `staleAfterMs`
 *   (`stale_intervals` × the job's interval or step, the longer) at `now`;
 * - `gap`: of the last GAP_WINDOW steps up to the newest point, more than GAP_FRACTION have no value
 *   (null, or absent from the source); judged once at least GAP_MIN_STEPS steps are retained;
 * - `flatline`: the newest FLAT_POINTS or more values are identical, and before that run the series
 *   moved: the robust spread (median absolute deviation) of up to FLAT_REFERENCE values before the
 *   run is > 0. A series that was always constant is not flat-lined: it never moved.
 *
 * One state per series, the first that applies in that order; `ok` when none does.
 */
import { DATA_QUALITY_STATES, type DataQuality } from '../contract/jobs.js';
import type { PointColumns } from './ring.js';

export const QUALITY_STATES = DATA_QUALITY_STATES;
export type QualityState = DataQuality;

/** Default of a job's `stale_intervals`. */
export const DEFAULT_STALE_INTERVALS = 5;
/** Steps of the window a gap is judged over, and the fraction of them missing that makes a gap. */
export const GAP_WINDOW = 60;
export const GAP_FRACTION = 0.2;
export const GAP_MIN_STEPS = 10;
/** Identical newest values that make a flatline, and how many values before them show it moved. */
export const FLAT_POINTS = 10;
export const FLAT_REFERENCE = 360;

/** What the newest retained points say, independent of the clock (cached per newest point). */
export interface WindowFacts {
  /** Timestamp of the newest point with a value; null when none has one. */
  lastSampleAt: number | null;
  gap: boolean;
  flatline: boolean;
}

/** The facts of a series' retained points (timestamps increasing, on a grid of stepMs). */
export function windowFacts(
  points: Pick<PointColumns, 'timestamps' | 'values'>,
  stepMs: number,
): WindowFacts {
  const { timestamps, values } = points;
  const n = timestamps.length;
  let lastSample = n - 1;
  while (lastSample >= 0 && values[lastSample] === null) lastSample--;
  return {
    lastSampleAt: lastSample >= 0 ? timestamps[lastSample] : null,
    gap: hasGap(timestamps, values, stepMs),
    flatline: isFlat(values),
  };
}

/** The state at `now` from the facts of the retained points. */
export function qualityState(facts: WindowFacts, now: number, staleAfterMs: number): QualityState {
  if (facts.lastSampleAt === null || now - facts.lastSampleAt > staleAfterMs) return 'stale';
  if (facts.gap) return 'gap';
  if (facts.flatline) return 'flatline';
  return 'ok';
}

function hasGap(timestamps: readonly number[], values: readonly (number | null)[], stepMs: number): boolean {
  const n = timestamps.length;
  if (n === 0) return false;
  const newest = timestamps[n - 1];
  const start = Math.max(timestamps[0], newest - (GAP_WINDOW - 1) * stepMs);
  const steps = Math.floor((newest - start) / stepMs) + 1;
  if (steps < GAP_MIN_STEPS) return false;
  let present = 0;
  for (let i = n - 1; i >= 0 && timestamps[i] >= start; i--) if (values[i] !== null) present++;
  return (steps - present) / steps > GAP_FRACTION;
}

function isFlat(values: readonly (number | null)[]): boolean {
  const n = values.length;
  const last = values[n - 1];
  if (n === 0 || last === null) return false;
  let runStart = n - 1;
  while (runStart > 0 && values[runStart - 1] === last) runStart--;
  if (n - runStart < FLAT_POINTS) return false;
  const before: number[] = [];
  for (let i = runStart - 1; i >= 0 && before.length < FLAT_REFERENCE; i--) {
    const v = values[i];
    if (v !== null) before.push(v);
  }
  return medianAbsoluteDeviation(before) > 0;
}

function median(sorted: readonly number[]): number {
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** 0 for fewer than two values. */
function medianAbsoluteDeviation(values: number[]): number {
  if (values.length < 2) return 0;
  const m = median([...values].sort((a, b) => a - b));
  return median(values.map((v) => Math.abs(v - m)).sort((a, b) => a - b));
}
