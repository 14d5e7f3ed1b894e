/**
 * One series → its forecast for a horizon: the history (history.ts), the method, the path with its
 * 80 % and 95 % intervals on timestamps past the last point. A history that cannot carry a forecast
 * gives a state instead of a line; a horizon longer than the history is refused (HistoryTooShort).
 */
import { formatDuration } from '../contract/duration.js';
import { DAY_MS, prepareHistory, type HistoryOptions } from './history.js';
import { seasonalNaive, type ForecastFn, type ForecastMethodName } from './methods.js';
import { seasonalTrend } from './seasonalTrend.js';
import { factorAt, weeklyFactors } from './weekly.js';

/** The method used unless a request names another: chosen by the bench (README, "Forecasting"). */
export const DEFAULT_FORECAST_METHOD: ForecastMethodName = 'seasonal_trend';

export type ForecastState = 'ok' | 'flat' | 'insufficient_history';

export interface SeriesForecast {
  state: ForecastState;
  method: ForecastMethodName;
  /** Whether the input was read as a counter and forecast as its per-second rate. */
  counter: boolean;
  /** Step of the forecast (the history's, coarser for a long one); 0 without a forecast. */
  stepMs: number;
  /** Season length in steps the method used, or null (none found, or no forecast). */
  period: number | null;
  /** Time and value of the last point of the history; null when there is no usable history. */
  last: { time: number; value: number } | null;
  timestamps: number[];
  mean: number[];
  lower80: number[];
  upper80: number[];
  lower95: number[];
  upper95: number[];
}

export interface ForecastOptions extends HistoryOptions {
  horizonMs: number;
  method?: ForecastMethodName;
  /** Methods that need loading first (augurs'); the hand-written ones are always there. */
  methods?: Partial<Record<ForecastMethodName, ForecastFn>>;
}

/** The history is shorter than the horizon asked for: the API's 400, naming the minimum. */
export class HistoryTooShort extends Error {
  constructor(
    readonly horizonMs: number,
    readonly historyMs: number,
  ) {
    super(
      `a ${formatDuration(horizonMs)} forecast needs at least ${formatDuration(horizonMs)} of history (as long as the horizon); the series has ${formatDuration(Math.max(0, Math.round(historyMs)))}`,
    );
    this.name = 'HistoryTooShort';
  }
}

/** A method that was not loaded (augurs' outside the bench and the API's loader). */
export class MethodUnavailable extends Error {
  constructor(readonly method: ForecastMethodName) {
    super(`forecast method ${method} is not loaded`);
    this.name = 'MethodUnavailable';
  }
}

const BUILT_IN: Partial<Record<ForecastMethodName, ForecastFn>> = {
  seasonal_trend: seasonalTrend,
  seasonal_naive: seasonalNaive,
};

/** Minimum history for a horizon: as long as the horizon (the bench measures no further than that). */
export const minimumHistoryMs = (horizonMs: number): number => horizonMs;

export function forecastSeries(
  timestamps: readonly number[],
  values: readonly (number | null)[],
  options: ForecastOptions,
): SeriesForecast {
  const method = options.method ?? DEFAULT_FORECAST_METHOD;
  const fn = options.methods?.[method] ?? BUILT_IN[method];
  if (!fn) throw new MethodUnavailable(method);
  const history = prepareHistory(timestamps, values, options);
  const none = {
    method,
    counter: history.counter,
    period: null,
    timestamps: [],
    mean: [],
    lower80: [],
    upper80: [],
    lower95: [],
    upper95: [],
  };
  if (history.kind === 'insufficient')
    return { ...none, state: 'insufficient_history', stepMs: 0, last: null };
  if (history.kind === 'flat') {
    return {
      ...none,
      state: 'flat',
      stepMs: history.stepMs,
      last: { time: history.lastTime, value: history.level },
    };
  }
  const { values: y, stepMs, period, lastTime, firstTime } = history;
  const historyMs = lastTime - firstTime + stepMs;
  if (historyMs < minimumHistoryMs(options.horizonMs))
    throw new HistoryTooShort(options.horizonMs, historyMs);
  const horizon = Math.max(1, Math.ceil(options.horizonMs / stepMs));
  // The default method's weekly season (weekly.ts): where the period is a calendar day.
  const weekly =
    method === 'seasonal_trend' && period !== null && period * stepMs === DAY_MS
      ? weeklyFactors(y, period)
      : null;
  const n = y.length;
  const input = weekly ? y.map((v, i) => v / factorAt(weekly, n, i)) : y;
  const path = fn(input, period, horizon);
  if (weekly) {
    for (let h = 0; h < horizon; h++) {
      const f = factorAt(weekly, n, n + h);
      path.mean[h] *= f;
      path.lower80[h] *= f;
      path.upper80[h] *= f;
      path.lower95[h] *= f;
      path.upper95[h] *= f;
    }
  }
  return {
    state: 'ok',
    method,
    counter: history.counter,
    stepMs,
    period,
    last: { time: lastTime, value: y[y.length - 1] },
    timestamps: Array.from({ length: horizon }, (_, h) => lastTime + (h + 1) * stepMs),
    mean: Array.from(path.mean),
    lower80: Array.from(path.lower80),
    upper80: Array.from(path.upper80),
    lower95: Array.from(path.lower95),
    upper95: Array.from(path.upper95),
  };
}
