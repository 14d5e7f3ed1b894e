/**
 * A series' history made ready for a forecasting method: cleaned onto its regular grid (counters to
 * per-second rates, as scoring and the jobs do), coarsened when long, gaps interpolated, and judged
 * usable or not (too few points, flat).
 */
import { cleanSeries } from '../series/clean.js';
import { autocorrelation, detectPeriod, interpolateGaps } from '../stats/period.js';

export const DAY_MS = 86_400_000;
/**
 * Autocorrelation at one day's lag above which the day is the season, whatever lag detectPeriod finds
 * strongest: traffic follows the clock, and on road and machine series of NAB the detector's pick
 * (5 steps on cpu_utilization, none on speed_t4013) forecast worse than the day (lab/bench/forecast.ts).
 */
export const DAILY_MIN_ACF = 0.2;

/** Fewer valid points than this are no history to forecast from. */
export const MIN_VALID_POINTS = 16;
/**
 * Most grid points a method sees: 14 days at 5 min. A longer history is averaged into coarser steps,
 * so a week-ahead forecast of a 1-minute series costs what a 5-minute one does (a 7 d forecast needs
 * no per-minute resolution), and augurs' MSTL stays near 200 ms a fit.
 */
export const DEFAULT_MAX_MODEL_POINTS = 4032;

export interface HistoryOptions {
  counter?: boolean | 'auto';
  /** Season length in grid points of the (coarsened) history, "auto" (default) or "none". */
  period?: number | 'auto' | 'none';
  maxModelPoints?: number;
}

export type History =
  | { kind: 'insufficient'; validPoints: number; counter: boolean }
  | { kind: 'flat'; level: number; lastTime: number; counter: boolean; stepMs: number }
  | {
      kind: 'ok';
      /** Gap-free values, oldest first. */
      values: Float64Array;
      /** Time of the last value; the forecast starts one step after it. */
      lastTime: number;
      firstTime: number;
      stepMs: number;
      period: number | null;
      counter: boolean;
    };

/** Averages runs of `k` grid points, aligned to end at the last one; NaN where a run has no value. */
export function coarsen(
  timestamps: Float64Array,
  values: Float64Array,
  k: number,
): { timestamps: Float64Array; values: Float64Array } {
  const n = values.length;
  const m = Math.floor(n / k);
  const t = new Float64Array(m);
  const v = new Float64Array(m);
  const offset = n - m * k;
  for (let j = 0; j < m; j++) {
    let sum = 0;
    let count = 0;
    for (let i = offset + j * k; i < offset + (j + 1) * k; i++) {
      if (Number.isNaN(values[i])) continue;
      sum += values[i];
      count++;
    }
    t[j] = timestamps[offset + (j + 1) * k - 1];
    v[j] = count > 0 ? sum / count : NaN;
  }
  return { timestamps: t, values: v };
}

/** One day in steps, when the history covers 2.5 days and correlates with itself a day apart. */
export function dailyPeriod(values: Float64Array, stepMs: number): number | null {
  const day = DAY_MS / stepMs;
  const m = Math.round(day);
  if (m < 2 || Math.abs(day - m) > 0.01 * day || 2.5 * m > values.length) return null;
  return autocorrelation(values, m + 1)[m] >= DAILY_MIN_ACF ? m : null;
}

export function prepareHistory(
  timestamps: readonly number[],
  values: readonly (number | null)[],
  options: HistoryOptions = {},
): History {
  const clean = cleanSeries(timestamps, values, { counter: options.counter ?? 'auto' });
  const counter = clean.report.counter;
  let t = clean.timestamps;
  let v = clean.values;
  // Trim missing points at both ends: the history is what lies between the first and last value.
  let first = 0;
  let last = v.length - 1;
  while (first <= last && Number.isNaN(v[first])) first++;
  while (last >= first && Number.isNaN(v[last])) last--;
  let valid = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = first; i <= last; i++) {
    if (Number.isNaN(v[i])) continue;
    valid++;
    min = Math.min(min, v[i]);
    max = Math.max(max, v[i]);
  }
  if (valid < MIN_VALID_POINTS) return { kind: 'insufficient', validPoints: valid, counter };
  t = t.subarray(first, last + 1);
  v = v.subarray(first, last + 1);
  const stepMs0 = clean.report.stepMs;
  if (max - min <= 1e-12 * Math.max(Math.abs(max), Math.abs(min))) {
    return { kind: 'flat', level: max, lastTime: t[t.length - 1], counter, stepMs: stepMs0 };
  }
  const maxPoints = options.maxModelPoints ?? DEFAULT_MAX_MODEL_POINTS;
  let stepMs = stepMs0;
  if (v.length > maxPoints) {
    const k = Math.ceil(v.length / maxPoints);
    ({ timestamps: t, values: v } = coarsen(t, v, k));
    stepMs *= k;
  }
  const filled = interpolateGaps(v);
  let period: number | null = null;
  if (typeof options.period === 'number') period = options.period;
  else if (options.period !== 'none')
    period = dailyPeriod(filled, stepMs) ?? detectPeriod(filled)?.period ?? null;
  return {
    kind: 'ok',
    values: filled,
    lastTime: t[t.length - 1],
    firstTime: t[0],
    stepMs,
    period,
    counter,
  };
}
