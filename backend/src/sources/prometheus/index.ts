export { PROMETHEUS_MAX_POINTS, PrometheusClient } from './client.js';
export type { PrometheusClientOptions, RangeQuery, TimeFilter } from './client.js';
export { PrometheusError } from './errors.js';
export type { PrometheusErrorKind } from './errors.js';
export { parseEnvelope, parseLabelNames, parseMatrix, parseSeriesList } from './parse.js';
export { PrometheusSource } from './source.js';
export {
  isSuccessStatus,
  parseRangeAnswer,
  parseRangeAnswers,
  QUERY_RANGE_ENDPOINT,
  SeriesJoiner,
  type RangeAnswer,
} from './range.js';
