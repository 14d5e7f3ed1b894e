/** Forecasts per series with intervals, and the time until a forecast reaches a share of a capacity. */
export { augursEts, augursMstl, loadAugurs, type Augurs } from './augurs.js';
export {
  DEFAULT_FORECAST_METHOD,
  forecastSeries,
  HistoryTooShort,
  MethodUnavailable,
  minimumHistoryMs,
  type ForecastOptions,
  type ForecastState,
  type SeriesForecast,
} from './forecast.js';
export { DEFAULT_MAX_MODEL_POINTS, MIN_VALID_POINTS, prepareHistory } from './history.js';
export { FORECAST_METHODS, type ForecastFn, type ForecastMethodName } from './methods.js';
export {
  DEFAULT_THRESHOLD_FRACTION,
  formatQuantity,
  humanDuration,
  timeToThreshold,
  type ThresholdCrossing,
} from './threshold.js';
