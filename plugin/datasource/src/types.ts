import type { DataSourceJsonData } from '@grafana/data';
import type { DataQuery } from '@grafana/schema';
import { SENSITIVITY_SCALE } from './api/sensitivityScale.gen';
import { timeZoneProblem as problemOfTimeZone } from './api/timezone.gen';

/**
 * Where a query's series come from.
 * - `job`: a continuous scoring job of the scorer (`GET /api/v1/jobs/:name/series`).
 * - `promql`: a PromQL expression the scorer runs on its own Prometheus and scores on demand
 *   (`POST /api/v1/query`), over the panel's range plus the history the detector needs before it.
 */
export type QueryMode = 'job' | 'promql';

/**
 * `series`: one frame per series (for graphs); `episodes`: one row per anomaly episode (annotations,
 * tables); `incidents`: one row per incident across a job's series (annotations, tables; mode `job`);
 * `forecast`: one frame per series with its forecast past the range's end and the 80 %/95 % intervals
 * (`POST /api/v1/forecast` on the series' values).
 */
export type QueryFormat = 'series' | 'episodes' | 'incidents' | 'forecast';

/** How far ahead a forecast query looks by default. */
export const DEFAULT_FORECAST_HORIZON = '24h';

/** The fields a series frame can carry besides time. `band` is the lower and upper fields together. */
export type SeriesField = 'value' | 'expected' | 'band' | 'score' | 'anomaly';
export const SERIES_FIELDS: readonly SeriesField[] = ['value', 'expected', 'band', 'score', 'anomaly'];

export interface TrafficLensQuery extends DataQuery {
  mode?: QueryMode;
  /** continuous job name (template variables allowed) */
  job?: string;
  /** label matchers that select the job's series, e.g. `site="ams", link=~"transit-.*"` */
  filter?: string;
  /** PromQL expression (mode `promql`) */
  expr?: string;
  /** PromQL evaluation step, e.g. `1m` (mode `promql`); empty: Grafana's interval for the panel */
  step?: string;
  /**
   * Grafana unit id of the expression's values, e.g. `bps` (mode `promql`); sent to the scorer, which
   * checks it and returns it with every series. Empty: inferred from the metric name.
   */
  unit?: string;
  /**
   * Job mode: false shows the scores the job computed live (causal, with the job's detector and
   * sensitivity); true scores the job's values again with `detector` and `sensitivity` (batch).
   */
  rescore?: boolean;
  /** detector for on-demand scoring (PromQL, rescoring); empty: the datasource default */
  detector?: string;
  /** 0–100 for on-demand scoring; empty: the datasource default */
  sensitivity?: number;
  /**
   * On-demand scoring: the IANA time zone whose local clock the series' traffic keeps, e.g. `Europe/Berlin`
   * (its daily pattern then moves with the zone's daylight-saving changes); empty: none (UTC).
   */
  timezone?: string;
  /** Prometheus-style legend, e.g. `{{site}} {{link}}`; empty: the series' labels */
  legendFormat?: string;
  /** fields of each series frame; empty or missing: all */
  fields?: SeriesField[];
  format?: QueryFormat;
  /** format `forecast`: how far ahead, a duration such as 24h or 7d; empty: 24h */
  horizon?: string;
  /** format `forecast`: the series' capacity in its units; with it each frame says when it reaches the threshold */
  capacity?: number;
  /** format `forecast`: share of the capacity that counts as full (default 0.8) */
  thresholdFraction?: number;
}

export const DEFAULT_QUERY: Partial<TrafficLensQuery> = {
  mode: 'job',
  rescore: false,
  fields: [...SERIES_FIELDS],
  format: 'series',
};

/** A series from any source, to be scored on demand by `DataSource.scoreSeries`. */
export interface SeriesToScore {
  /** name of the resulting frame; empty: from the labels, as a query names its series */
  name?: string;
  labels?: Record<string, string>;
  /** epoch ms, paired with values; unsorted or duplicate times are cleaned by the scorer */
  timestamps: number[];
  values: Array<number | null>;
  /**
   * Grafana unit id of the values (e.g. the source field's `config.unit`); the scorer echoes it and the
   * frames carry it. Must be one the scorer accepts (docs/service.md#units), else the request is a 400.
   */
  unit?: string;
}

export interface ScoreSeriesOptions {
  /** empty: the datasource default */
  detector?: string;
  /** 0–100; empty: the datasource default */
  sensitivity?: number;
  /** the IANA time zone whose local clock the series' traffic keeps (options.timezone); empty: none */
  timezone?: string;
  /** refId of the resulting frames (default `score`) */
  refId?: string;
  requestId?: string;
  /** cancels the request (Grafana drops the HTTP request); the promise rejects with an AbortError */
  signal?: AbortSignal;
}

/** Options stored with each datasource instance (visible to the browser). */
export interface TrafficLensOptions extends DataSourceJsonData {
  /** scorer base URL as seen from the Grafana server, e.g. http://localhost:8686 */
  scorerUrl?: string;
  defaultDetector?: string;
  defaultSensitivity?: number;
}

/** Options Grafana keeps encrypted on the server; only its data proxy uses them (the `scorer` route). */
export interface TrafficLensSecureOptions {
  apiToken?: string;
}

export const DEFAULT_DETECTOR = 'auto';
export const DEFAULT_SENSITIVITY = SENSITIVITY_SCALE.default;
/** How the editors explain the sensitivity's scale. */
export const SENSITIVITY_HINT = `${SENSITIVITY_SCALE.min} (only the most extreme deviations) … ${SENSITIVITY_SCALE.max} (flag small deviations)`;

/** Checks a sensitivity typed by a user; returns the reason it is refused, or undefined when it is fine. */
/**
 * Why a query's time zone is not one (the scorer's own check, api/timezone.gen.ts: the browser's ICU data
 * knows the IANA names the scorer's does), or undefined; empty is none.
 */
export function timeZoneProblem(zone: string | undefined): string | undefined {
  return zone ? problemOfTimeZone(zone) : undefined;
}

export function sensitivityProblem(value: number | undefined): string | undefined {
  if (value === undefined) {
    return undefined;
  }
  const { min, max } = SENSITIVITY_SCALE;
  if (!Number.isFinite(value) || value < min || value > max) {
    return `sensitivity must be between ${min} and ${max}, got ${value}`;
  }
  return undefined;
}
