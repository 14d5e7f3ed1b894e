/**
 * What the simulated network looks like: three sites, their internet links and HTTP services. Levels are
 * plausible for a mid-sized operator (links of a few Gbit/s, services of a few hundred requests/s), so
 * plots and thresholds look like real ones.
 */
import type { Labels } from '../source.js';

/** Which families of series a simulator produces. */
export const SIMULATOR_KINDS = ['traffic', 'http', 'counters'] as const;
export type SimulatorKind = (typeof SIMULATOR_KINDS)[number];

export type SeriesMetric =
  | 'interface_bytes_per_second'
  | 'interface_bytes_total'
  | 'http_requests_per_second'
  | 'http_error_ratio'
  | 'http_latency_p95_seconds';

/**
 * Grafana unit id of each metric's values as a job scores them. A byte counter is scored as its
 * per-second rate, so its values are bytes/s like the rate series it integrates.
 */
export const METRIC_UNITS: Readonly<Record<SeriesMetric, string>> = {
  interface_bytes_per_second: 'Bps',
  interface_bytes_total: 'Bps',
  http_requests_per_second: 'reqps',
  http_error_ratio: 'percentunit',
  http_latency_p95_seconds: 's',
};

/** Daily shape: residential eyeballs peak in the evening, business APIs in office hours. */
export type Profile = 'residential' | 'business';

export interface SiteDef {
  site: string;
  /** Offset of local time from UTC, hours: daily peaks follow the site's own clock. */
  utcOffset: number;
}

export interface LinkDef extends SiteDef {
  link: string;
  /** Mean inbound bytes/s over a week. */
  inBytes: number;
  /** Outbound as a fraction of inbound (eyeball networks download more than they upload). */
  outRatio: number;
  /** Weekend level relative to weekdays. */
  weekend: number;
}

export interface ServiceDef extends SiteDef {
  service: string;
  /** Mean requests/s over a week. */
  requests: number;
  errorRatio: number;
  latency: number;
}

export const SITES: readonly SiteDef[] = [
  { site: 'ams', utcOffset: 1 },
  { site: 'fra', utcOffset: 1 },
  { site: 'nyc', utcOffset: -5 },
];

const site = (name: string): SiteDef => SITES.find((s) => s.site === name)!;

export const LINKS: readonly LinkDef[] = [
  { ...site('ams'), link: 'transit-1', inBytes: 9.0e8, outRatio: 0.35, weekend: 1.1 },
  { ...site('ams'), link: 'transit-2', inBytes: 6.0e8, outRatio: 0.3, weekend: 1.1 },
  { ...site('ams'), link: 'ix', inBytes: 1.2e9, outRatio: 0.6, weekend: 1.05 },
  { ...site('fra'), link: 'transit-1', inBytes: 7.5e8, outRatio: 0.4, weekend: 1.08 },
  { ...site('fra'), link: 'ix', inBytes: 5.0e8, outRatio: 0.55, weekend: 1.0 },
  { ...site('nyc'), link: 'transit-1', inBytes: 1.1e9, outRatio: 0.3, weekend: 1.12 },
  { ...site('nyc'), link: 'transit-2', inBytes: 4.0e8, outRatio: 0.45, weekend: 1.1 },
];

export const SERVICES: readonly ServiceDef[] = [
  { ...site('ams'), service: 'api', requests: 850, errorRatio: 0.004, latency: 0.12 },
  { ...site('ams'), service: 'web', requests: 420, errorRatio: 0.002, latency: 0.25 },
  { ...site('fra'), service: 'api', requests: 600, errorRatio: 0.003, latency: 0.1 },
];

export interface SimSeriesDef {
  key: string;
  labels: Labels;
  kind: SimulatorKind;
  metric: SeriesMetric;
  /** The link or service the series belongs to ("ams/transit-1", "ams/api"): incidents target these. */
  group: string;
  profile: Profile;
  utcOffset: number;
  /** Mean level in the series' units. */
  level: number;
  weekend: number;
  /** Standard deviation of the multiplicative noise (noise proportional to the level). */
  noise: number;
  direction?: 'in' | 'out';
  /** For counters: the key of the rate series they integrate. */
  rateOf?: string;
}

export const linkGroup = (l: { site: string; link: string }): string => `${l.site}/${l.link}`;
export const serviceGroup = (s: { site: string; service: string }): string => `${s.site}/${s.service}`;

function keyOf(labels: Labels): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/** Every series the simulator knows, in a fixed order (incident targets are drawn from it). */
export function buildCatalog(): SimSeriesDef[] {
  const out: SimSeriesDef[] = [];
  for (const l of LINKS) {
    for (const direction of ['in', 'out'] as const) {
      const labels = { metric: 'interface_bytes_per_second', site: l.site, link: l.link, direction };
      out.push({
        key: keyOf(labels),
        labels,
        kind: 'traffic',
        metric: 'interface_bytes_per_second',
        group: linkGroup(l),
        profile: 'residential',
        utcOffset: l.utcOffset,
        level: direction === 'in' ? l.inBytes : l.inBytes * l.outRatio,
        weekend: l.weekend,
        noise: 0.035,
        direction,
      });
    }
  }
  for (const s of SERVICES) {
    const base = { site: s.site, service: s.service };
    const common = {
      kind: 'http' as const,
      group: serviceGroup(s),
      profile: 'business' as const,
      utcOffset: s.utcOffset,
      weekend: 0.55,
    };
    const req = { metric: 'http_requests_per_second', ...base };
    const err = { metric: 'http_error_ratio', ...base };
    const lat = { metric: 'http_latency_p95_seconds', ...base };
    out.push({
      ...common,
      key: keyOf(req),
      labels: req,
      metric: 'http_requests_per_second',
      level: s.requests,
      noise: 0.05,
    });
    out.push({
      ...common,
      key: keyOf(err),
      labels: err,
      metric: 'http_error_ratio',
      level: s.errorRatio,
      noise: 0.15,
    });
    out.push({
      ...common,
      key: keyOf(lat),
      labels: lat,
      metric: 'http_latency_p95_seconds',
      level: s.latency,
      noise: 0.04,
    });
  }
  for (const l of LINKS) {
    for (const direction of ['in', 'out'] as const) {
      const rate = out.find(
        (d) => d.kind === 'traffic' && d.group === linkGroup(l) && d.direction === direction,
      )!;
      const labels = { metric: 'interface_bytes_total', site: l.site, link: l.link, direction };
      out.push({
        ...rate,
        key: keyOf(labels),
        labels,
        kind: 'counters',
        metric: 'interface_bytes_total',
        rateOf: rate.key,
      });
    }
  }
  return out;
}
