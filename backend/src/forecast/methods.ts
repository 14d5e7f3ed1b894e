/**
 * Forecasting methods: a gap-free history on a regular grid in, a path with 80 % and 95 % intervals out.
 * Each method is a plain function so the bench can run them side by side on the same histories.
 */

import { FORECAST_METHODS, type ForecastMethod } from '../contract/forecast.js';

export { FORECAST_METHODS };
export type ForecastMethodName = ForecastMethod;

export interface ForecastPath {
  mean: Float64Array;
  lower80: Float64Array;
  upper80: Float64Array;
  lower95: Float64Array;
  upper95: Float64Array;
}

/**
 * @param y history, oldest first, no NaN (gaps interpolated by the caller)
 * @param period season length in points, or null when the history shows none
 * @param horizon points to forecast after the last one
 */
export type ForecastFn = (y: Float64Array, period: number | null, horizon: number) => ForecastPath;

/** Standard normal quantiles of the two-sided 80 % and 95 % intervals. */
export const Z80 = 1.2815515655446004;
export const Z95 = 1.959963984540054;

export function emptyPath(horizon: number): ForecastPath {
  return {
    mean: new Float64Array(horizon),
    lower80: new Float64Array(horizon),
    upper80: new Float64Array(horizon),
    lower95: new Float64Array(horizon),
    upper95: new Float64Array(horizon),
  };
}

/** Intervals symmetric around the mean from a standard deviation per step. */
export function normalPath(mean: Float64Array, sd: (h: number) => number): ForecastPath {
  const path = emptyPath(mean.length);
  path.mean.set(mean);
  for (let h = 0; h < mean.length; h++) {
    const s = sd(h);
    path.lower80[h] = mean[h] - Z80 * s;
    path.upper80[h] = mean[h] + Z80 * s;
    path.lower95[h] = mean[h] - Z95 * s;
    path.upper95[h] = mean[h] + Z95 * s;
  }
  return path;
}

/**
 * Seasonal naive: each point repeats the same phase of the last season (the last value without a season).
 * Intervals as Hyndman & Athanasopoulos give them (FPP3 §5.5): the residual sd of one-season differences,
 * growing with the square root of the number of whole seasons ahead.
 */
export const seasonalNaive: ForecastFn = (y, period, horizon) => {
  const n = y.length;
  const m = period !== null && period <= n ? period : 1;
  const mean = new Float64Array(horizon);
  for (let h = 0; h < horizon; h++) mean[h] = y[n - m + (h % m)];
  let sum = 0;
  let count = 0;
  for (let i = m; i < n; i++) {
    const e = y[i] - y[i - m];
    sum += e * e;
    count++;
  }
  const sigma = count > 0 ? Math.sqrt(sum / count) : 0;
  return normalPath(mean, (h) => sigma * Math.sqrt(Math.floor(h / m) + 1));
};
