/**
 * Scored series → Grafana data frames, one frame per series. Pure: no requests, no Grafana runtime.
 *
 * The field config makes Grafana's built-in Time series panel draw the score contract without any
 * panel setup: the normal band as a shaded area (`upper` fills down to `lower` via `custom.fillBelowTo`),
 * the expected value as a dashed line, the score on its own right-hand axis with a dashed threshold at
 * 1 (the anomaly boundary) and coloured by that threshold, and anomalous points as red dots on the
 * value. Every field keeps the series' labels; value-like fields get the unit of the series.
 */
import {
  createDataFrame,
  FieldColorModeId,
  FieldType,
  ThresholdsMode,
  type DataFrame,
  type FieldConfig,
  type FieldDTO,
  type QueryResultMeta,
  type QueryResultMetaNotice,
} from '@grafana/data';
import {
  AxisPlacement,
  GraphDrawStyle,
  GraphGradientMode,
  GraphThresholdsStyleMode,
  VisibilityMode,
  type GraphFieldConfig,
} from '@grafana/schema';
import type { ScoredSeries } from '../api/types';
import { SERIES_FIELDS, type SeriesField } from '../types';
import { formatLegend, uniqueNames } from './legend';
import { unitForSeries } from './units';

export interface FrameOptions {
  refId: string;
  legendFormat?: string;
  /** fields to include; empty or missing: all */
  fields?: readonly SeriesField[];
  /** shown in Grafana's query inspector as the executed query */
  executedQueryString?: string;
  /** the continuous job whose own results these are (not rescored): the panel sends episode feedback to it */
  job?: string;
}

/** Display-name suffixes of the derived fields; the band's `fillBelowTo` relies on them. */
export const FIELD_SUFFIX = {
  expected: 'expected',
  lower: 'lower bound',
  upper: 'upper bound',
  score: 'score',
  anomaly: 'anomaly',
  anomalous: 'anomalies',
} as const;

// Fixed colours that stay clear of the first colours of Grafana's classic palette (green, yellow, blue…),
// which the values themselves get.
const BAND_COLOR = 'light-blue';
const EXPECTED_COLOR = 'text';
const SCORE_COLOR = 'purple';
const ANOMALY_COLOR = 'red';
/** The score axis shows at least 0–2 so the boundary at 1 sits mid-height while all is normal. */
const SCORE_SOFT_MAX = 2;

type Custom = Partial<GraphFieldConfig>;
const hidden = (legend: boolean, tooltip: boolean, viz: boolean) => ({ legend, tooltip, viz });

const STATE_NOTICES: Record<string, QueryResultMetaNotice | undefined> = {
  learning: {
    severity: 'info',
    text: 'learning: not enough history yet, scores stay 0 until the detector has seen enough',
  },
  no_data: { severity: 'warning', text: 'no data: the series has no recent points' },
  suppressed: { severity: 'info', text: 'suppressed: scoring is paused for this series' },
  // Data-quality states of a job's series (the scorer's docs/jobs.md, "Data quality").
  stale: { severity: 'warning', text: 'stale: the series has stopped reporting; its newest point is old' },
  gap: { severity: 'warning', text: 'gaps: over 20% of the last 60 points are missing' },
  flatline: {
    severity: 'warning',
    text: 'flat-lined: the series repeats one value where it used to move (a stuck exporter?)',
  },
};

function fieldConfig(displayName: string, custom: Custom, extra: FieldConfig = {}): FieldConfig {
  return { displayNameFromDS: displayName, ...extra, custom };
}

function fixedColor(color: string): FieldConfig['color'] {
  return { mode: FieldColorModeId.Fixed, fixedColor: color };
}

/** One series → one frame. `name` must be unique among the frames shown together (see uniqueNames). */
export function seriesToFrame(series: ScoredSeries, name: string, options: FrameOptions): DataFrame {
  const wanted = new Set<SeriesField>(options.fields?.length ? options.fields : SERIES_FIELDS);
  const labels = { ...series.labels };
  const unit = unitForSeries(series);
  const withUnit: FieldConfig = unit ? { unit } : {};
  const fields: FieldDTO[] = [{ name: 'time', type: FieldType.time, values: series.timestamps, config: {} }];

  if (wanted.has('value')) {
    fields.push({
      name: 'value',
      type: FieldType.number,
      labels,
      values: series.values,
      config: fieldConfig(name, {}, withUnit),
    });
  }
  if (wanted.has('band')) {
    const lowerName = `${name} ${FIELD_SUFFIX.lower}`;
    fields.push({
      name: 'lower',
      type: FieldType.number,
      labels,
      values: series.lower,
      config: fieldConfig(
        lowerName,
        {
          lineWidth: 0,
          fillOpacity: 0,
          showPoints: VisibilityMode.Never,
          hideFrom: hidden(true, false, false),
        },
        { ...withUnit, color: fixedColor(BAND_COLOR) },
      ),
    });
    fields.push({
      name: 'upper',
      type: FieldType.number,
      labels,
      values: series.upper,
      config: fieldConfig(
        `${name} ${FIELD_SUFFIX.upper}`,
        {
          lineWidth: 0,
          fillOpacity: 20,
          fillBelowTo: lowerName,
          showPoints: VisibilityMode.Never,
          hideFrom: hidden(true, false, false),
        },
        { ...withUnit, color: fixedColor(BAND_COLOR) },
      ),
    });
  }
  if (wanted.has('expected')) {
    fields.push({
      name: 'expected',
      type: FieldType.number,
      labels,
      values: series.expected,
      config: fieldConfig(
        `${name} ${FIELD_SUFFIX.expected}`,
        {
          lineWidth: 1,
          lineStyle: { fill: 'dash', dash: [6, 4] },
          fillOpacity: 0,
          showPoints: VisibilityMode.Never,
          hideFrom: hidden(true, false, false),
        },
        { ...withUnit, color: fixedColor(EXPECTED_COLOR) },
      ),
    });
  }
  if (wanted.has('score')) {
    fields.push({
      name: 'score',
      type: FieldType.number,
      labels,
      values: series.score,
      config: fieldConfig(
        `${name} ${FIELD_SUFFIX.score}`,
        {
          // min 0 and the soft max give the score a scale of its own even when the values have no unit.
          axisPlacement: AxisPlacement.Right,
          axisLabel: 'anomaly score',
          axisSoftMax: SCORE_SOFT_MAX,
          lineWidth: 1,
          fillOpacity: 10,
          gradientMode: GraphGradientMode.Scheme,
          showPoints: VisibilityMode.Never,
          thresholdsStyle: { mode: GraphThresholdsStyleMode.Dashed },
        },
        {
          unit: 'none',
          decimals: 2,
          min: 0,
          description:
            'anomaly score: 1 is the anomaly boundary at the chosen sensitivity, below 1 is normal',
          color: { mode: FieldColorModeId.Thresholds },
          thresholds: {
            mode: ThresholdsMode.Absolute,
            steps: [
              { value: -Infinity, color: SCORE_COLOR },
              { value: 1, color: ANOMALY_COLOR },
            ],
          },
        },
      ),
    });
  }
  if (wanted.has('anomaly')) {
    fields.push({
      name: 'anomaly',
      type: FieldType.boolean,
      labels,
      values: series.anomaly,
      config: fieldConfig(
        `${name} ${FIELD_SUFFIX.anomaly}`,
        { hideFrom: hidden(true, false, true) },
        {
          description: 'true where score ≥ 1',
        },
      ),
    });
    // The flag cannot colour another field, so the anomalous values are drawn as a points series.
    fields.push({
      name: 'anomalous',
      type: FieldType.number,
      labels,
      values: series.values.map((v, i) => (series.anomaly[i] ? v : null)),
      config: fieldConfig(
        `${name} ${FIELD_SUFFIX.anomalous}`,
        {
          drawStyle: GraphDrawStyle.Points,
          pointSize: 7,
          showPoints: VisibilityMode.Always,
          hideFrom: hidden(true, true, false),
        },
        { ...withUnit, color: fixedColor(ANOMALY_COLOR), description: 'the value at anomalous points' },
      ),
    });
  }

  const notice = STATE_NOTICES[series.state];
  const meta: QueryResultMeta = {
    preferredVisualisationType: 'graph',
    ...(options.executedQueryString ? { executedQueryString: options.executedQueryString } : {}),
    ...(notice ? { notices: [notice] } : {}),
    // The episodes as the scorer closed them, with its explanations: the TrafficLens panel shows these
    // (and would otherwise re-derive episodes from the scores, without the scorer's explanation).
    custom: {
      state: series.state,
      detector: series.detector,
      episodes: series.episodes,
      ...(options.job ? { job: options.job } : {}),
      ...(series.maintenance?.length ? { maintenance: series.maintenance } : {}),
      ...(options.job && series.sensitivity !== undefined ? { sensitivity: series.sensitivity } : {}),
    },
  };
  return createDataFrame({ refId: options.refId, name, meta, fields });
}

/** All series of one query → frames, in the scorer's order, with unique names. */
export function seriesToFrames(series: readonly ScoredSeries[], options: FrameOptions): DataFrame[] {
  const names = uniqueNames(series.map((s) => formatLegend(options.legendFormat, s.labels)));
  return series.map((s, i) =>
    seriesToFrame(s, names[i], {
      ...options,
      executedQueryString: i === 0 ? options.executedQueryString : undefined,
    }),
  );
}
