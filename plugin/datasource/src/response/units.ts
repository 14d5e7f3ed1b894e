/**
 * The Grafana unit id of a series. The scorer's `unit` wins: it comes from whoever knows (the job's
 * config, its source, the request). Without it (a PromQL job or query that set none), the Prometheus
 * metric naming conventions (https://prometheus.io/docs/practices/naming/) are the best evidence
 * there is. Unknown names get no unit, and the panel's own unit setting still applies to them.
 */
import type { ScoredSeries } from '../api/types';
import type { Labels } from './legend';

const SUFFIX_UNITS: Array<[RegExp, string]> = [
  [/_bytes_per_second$/, 'Bps'],
  [/_bits_per_second$/, 'bps'],
  [/_packets_per_second$/, 'pps'],
  [/_requests_per_second$/, 'reqps'],
  [/_per_second$/, 'si:/s'],
  [/_bytes(_total)?$/, 'bytes'],
  [/_bits(_total)?$/, 'bits'],
  [/_seconds(_total)?$/, 's'],
  [/_milliseconds$/, 'ms'],
  [/_ratio$/, 'percentunit'],
  [/_percent$/, 'percent'],
  [/_celsius$/, 'celsius'],
];

export function metricName(labels: Labels): string | undefined {
  return labels.__name__ ?? labels.metric;
}

/** The unit of a series' values: the scorer's, else inferred from the metric name, else undefined. */
export function unitForSeries(series: Pick<ScoredSeries, 'labels' | 'unit'>): string | undefined {
  return series.unit ?? unitFromName(series.labels);
}

/** The unit the metric name suggests, or undefined when it does not tell. */
export function unitFromName(labels: Labels): string | undefined {
  const name = metricName(labels);
  if (!name) {
    return undefined;
  }
  return SUFFIX_UNITS.find(([re]) => re.test(name))?.[1];
}
