/**
 * Grafana unit ids for a series, from the Prometheus metric naming conventions
 * (https://prometheus.io/docs/practices/naming/): the scorer returns values in the series' own units
 * but does not say which, so the metric name is the best evidence there is. Unknown names get no
 * unit, and the panel's own unit setting still applies to them.
 */
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

/** The unit of a series' values, or undefined when the name does not tell. */
export function unitForSeries(labels: Labels): string | undefined {
  const name = metricName(labels);
  if (!name) {
    return undefined;
  }
  return SUFFIX_UNITS.find(([re]) => re.test(name))?.[1];
}
