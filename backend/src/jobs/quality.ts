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
import { medianAbsoluteDeviation } from '../stats/median.js';

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

/**
 * Retained points read back from the newest (k = 0) without copying them: a job's ring (jobs/ring.ts)
 * is one, so a scrape's quality states allocate nothing per series (issue 15: at 100,000 series the
 * copied columns were garbage of 2 × retention numbers a series per scrape).
 */
export interface RecentPoints {
  readonly size: number;
  timestampBack(k: number): number;
  valueBack(k: number): number | null;
}

function recentOf(points: Pick<PointColumns, 'timestamps' | 'values'>): RecentPoints {
  const { timestamps, values } = points;
  const n = timestamps.length;
  return {
    size: n,
    timestampBack: (k) => timestamps[n - 1 - k],
    valueBack: (k) => values[n - 1 - k],
  };
}

/** The facts of a series' retained points (timestamps increasing, on a grid of stepMs). */
export function windowFacts(
  points: RecentPoints | Pick<PointColumns, 'timestamps' | 'values'>,
  stepMs: number,
): WindowFacts {
  const recent = 'timestampBack' in points ? points : recentOf(points);
  let k = 0;
  while (k < recent.size && recent.valueBack(k) === null) k++;
  return {
    lastSampleAt: k < recent.size ? recent.timestampBack(k) : null,
    gap: hasGap(recent, stepMs),
    flatline: isFlat(recent),
  };
}

/** The state at `now` from the facts of the retained points. */
export function qualityState(facts: WindowFacts, now: number, staleAfterMs: number): QualityState {
  if (facts.lastSampleAt === null || now - facts.lastSampleAt > staleAfterMs) return 'stale';
  if (facts.gap) return 'gap';
  if (facts.flatline) return 'flatline';
  return 'ok';
}

function hasGap(recent: RecentPoints, stepMs: number): boolean {
  const n = recent.size;
  if (n === 0) return false;
  const newest = recent.timestampBack(0);
  const start = Math.max(recent.timestampBack(n - 1), newest - (GAP_WINDOW - 1) * stepMs);
  const steps = Math.floor((newest - start) / stepMs) + 1;
  if (steps < GAP_MIN_STEPS) return false;
  let present = 0;
  for (let k = 0; k < n && recent.timestampBack(k) >= start; k++) if (recent.valueBack(k) !== null) present++;
  return (steps - present) / steps > GAP_FRACTION;
}

function isFlat(recent: RecentPoints): boolean {
  const n = recent.size;
  if (n === 0) return false;
  const last = recent.valueBack(0);
  if (last === null) return false;
  let run = 1;
  while (run < n && recent.valueBack(run) === last) run++;
  if (run < FLAT_POINTS) return false;
  const before: number[] = [];
  for (let k = run; k < n && before.length < FLAT_REFERENCE; k++) {
    const v = recent.valueBack(k);
    if (v !== null) before.push(v);
  }
  return medianAbsoluteDeviation(before) > 0;
}
