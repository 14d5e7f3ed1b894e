/**
 * Data frames → the series the panel draws. Pure: no React, no canvas.
 *
 * Two kinds of input:
 * - frames from the TrafficLens datasource: one frame per series with fields `time`, `value`,
 *   `expected`, `lower`, `upper`, `score`, `anomaly` (any subset but `time` and `value`), the series'
 *   state in `meta.custom.state`, and optionally its episodes (with explanations) in
 *   `meta.custom.episodes`;
 * - plain frames from any datasource: a time field and number fields, each number field one series,
 *   drawn without a band or score (the panel says scores come from a TrafficLens datasource).
 *
 * Bad input never throws: a frame without a time field or without numbers is skipped and named in
 * `problems`; non-numeric or non-finite values are missing; fields of different lengths are cut to the
 * shortest; unsorted rows are sorted.
 */
import { FieldType, getFieldDisplayName, type DataFrame, type Field } from '@grafana/data';
import { severityLabel, severityOf, type SeverityLabel, type Status } from './severity.gen';

/** The states a frame may carry (meta.custom.state); `unscored` is the panel's own, for plain series. */
const STATES = ['ok', 'learning', 'no_data', 'suppressed', 'stale', 'gap', 'flatline'] as const;
export type SeriesState = (typeof STATES)[number] | 'unscored';

export interface PanelEpisode {
  start: number;
  end: number;
  peakTime: number;
  peakScore: number;
  severity: number;
  severityLabel: SeverityLabel;
  direction: 'up' | 'down' | null;
  open: boolean;
  /** one line: what deviated, expected vs actual, which features drove it */
  explanation: string;
}

/** A series' forecast past its last point (the datasource's `forecast` format): drawn as a cone. */
export interface PanelForecast {
  times: number[];
  mean: Array<number | null>;
  lower80: Array<number | null>;
  upper80: Array<number | null>;
  lower95: Array<number | null>;
  upper95: Array<number | null>;
  /** the scorer's time-to-threshold sentence, when the query gave a capacity */
  sentence: string | null;
  /** seconds until the median reaches `fraction` of the capacity (0: already; null: not within the horizon) */
  medianSeconds: number | null;
  fraction: number | null;
}

export interface PanelSeries {
  name: string;
  labels: Record<string, string>;
  /** the value field as the frame had it (unit, decimals, display) */
  field: Field;
  times: number[];
  values: Array<number | null>;
  expected: Array<number | null> | null;
  lower: Array<number | null> | null;
  upper: Array<number | null> | null;
  score: Array<number | null> | null;
  anomaly: boolean[] | null;
  state: SeriesState;
  episodes: PanelEpisode[];
  /** the continuous job whose own results these are (meta.custom.job): episode feedback goes to it */
  job?: string;
  /** the sensitivity the job's series alerts at (meta.custom.sensitivity), for a job's own results */
  liveSensitivity?: number;
  /** maintenance windows over the points (meta.custom.maintenance): shaded, never alerts */
  maintenance?: Array<{ start: number; end: number }>;
  /** its forecast, from a frame of the same labels in the datasource's `forecast` format */
  forecast?: PanelForecast;
}

export interface ParsedFrames {
  series: PanelSeries[];
  /** frames that could not be drawn, and why */
  problems: string[];
  /** true when at least one series carries scores */
  scored: boolean;
}

const SCORE_FIELDS = ['expected', 'lower', 'upper', 'score', 'anomaly'] as const;
/** Episode hysteresis as the scorer's (open at 1, held above 0.7, closed after 3 points below). */
const HOLD_LEVEL = 0.7;
const CLOSE_AFTER = 3;

function toNumber(v: unknown): number | null {
  if (typeof v === 'number') {
    return Number.isFinite(v) ? v : null;
  }
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

function toTime(v: unknown): number | null {
  if (typeof v === 'number') {
    return Number.isFinite(v) ? v : null;
  }
  if (v instanceof Date) {
    return toNumber(v.getTime());
  }
  if (typeof v === 'string') {
    const n = Number(v);
    if (Number.isFinite(n)) {
      return n;
    }
    const t = Date.parse(v);
    return Number.isFinite(t) ? t : null;
  }
  return null;
}

function valuesOf(field: Field | undefined): unknown[] {
  const values: unknown = field?.values;
  if (Array.isArray(values)) {
    return values;
  }
  // Older frames carried Vector objects with toArray().
  if (values && typeof (values as { toArray?: unknown }).toArray === 'function') {
    return (values as { toArray: () => unknown[] }).toArray();
  }
  return [];
}

function frameLabel(frame: DataFrame, index: number): string {
  return frame.name || frame.refId ? `frame ${frame.name ?? frame.refId}` : `frame ${index + 1}`;
}

function findField(frame: DataFrame, name: string): Field | undefined {
  return frame.fields.find((f) => f.name === name);
}

/** Contiguous anomalies, grouped with the scorer's hysteresis, when the frame does not carry episodes. */
export function deriveEpisodes(
  s: Pick<PanelSeries, 'times' | 'values' | 'expected' | 'score'>,
): PanelEpisode[] {
  const { times, score } = s;
  if (!score) {
    return [];
  }
  const episodes: PanelEpisode[] = [];
  let current: { start: number; end: number; peak: number; peakIdx: number } | null = null;
  let below = 0;
  const close = (open: boolean) => {
    if (!current) {
      return;
    }
    const i = current.peakIdx;
    const value = s.values[i];
    const expected = s.expected?.[i] ?? null;
    const direction = value === null || expected === null ? null : value >= expected ? 'up' : 'down';
    const severity = severityOf(current.peak);
    const kind = direction === 'down' ? 'dip' : 'spike';
    episodes.push({
      start: times[current.start],
      end: times[current.end],
      peakTime: times[i],
      peakScore: current.peak,
      severity,
      severityLabel: severityLabel(severity),
      direction,
      open,
      explanation:
        expected === null || value === null
          ? `score ${current.peak.toFixed(2)}`
          : `${kind} ${direction ?? ''}: ${formatNumber(value)} vs expected ${formatNumber(expected)}`,
    });
    current = null;
  };
  for (let i = 0; i < times.length; i++) {
    const sc = score[i] ?? 0;
    if (current) {
      if (sc >= HOLD_LEVEL) {
        below = 0;
        current.end = i;
        if (sc > current.peak) {
          current.peak = sc;
          current.peakIdx = i;
        }
      } else if (++below >= CLOSE_AFTER) {
        close(false);
      }
    } else if (sc >= 1) {
      current = { start: i, end: i, peak: sc, peakIdx: i };
      below = 0;
    }
  }
  // Still open at the last point when fewer than CLOSE_AFTER points fell below the hold level.
  close(true);
  return episodes;
}

function formatNumber(v: number): string {
  return Math.abs(v) >= 1e5 || (Math.abs(v) < 1e-2 && v !== 0) ? v.toExponential(3) : String(+v.toFixed(2));
}

function parseEpisodes(raw: unknown): PanelEpisode[] | null {
  if (!Array.isArray(raw)) {
    return null;
  }
  const out: PanelEpisode[] = [];
  for (const e of raw) {
    if (!e || typeof e !== 'object') {
      continue;
    }
    const r = e as Record<string, unknown>;
    const start = toTime(r.start);
    const end = toTime(r.end);
    const peakScore = toNumber(r.peakScore);
    if (start === null || end === null || peakScore === null) {
      continue;
    }
    const severity = toNumber(r.severity) ?? severityOf(peakScore);
    const explanation = r.explanation as { summary?: unknown } | string | undefined;
    out.push({
      start,
      end,
      peakTime: toTime(r.peakTime) ?? start,
      peakScore,
      severity,
      severityLabel: severityLabel(severity),
      direction: r.direction === 'up' || r.direction === 'down' ? r.direction : null,
      open: r.open === true,
      explanation:
        typeof explanation === 'string'
          ? explanation
          : typeof explanation?.summary === 'string'
            ? explanation.summary
            : `score ${peakScore.toFixed(2)}`,
    });
  }
  return out;
}

/** Row order sorted by time, dropping rows without a valid time. */
function rowOrder(times: Array<number | null>): number[] {
  const idx: number[] = [];
  for (let i = 0; i < times.length; i++) {
    if (times[i] !== null) {
      idx.push(i);
    }
  }
  let sorted = true;
  for (let k = 1; k < idx.length; k++) {
    if ((times[idx[k]] as number) < (times[idx[k - 1]] as number)) {
      sorted = false;
      break;
    }
  }
  return sorted ? idx : idx.sort((a, b) => (times[a] as number) - (times[b] as number));
}

export function parseFrames(frames: readonly DataFrame[] | undefined | null): ParsedFrames {
  const series: PanelSeries[] = [];
  const problems: string[] = [];
  const all = (frames ?? []).filter((f): f is DataFrame => !!f && Array.isArray(f.fields));
  (frames ?? []).forEach((f, i) => {
    if (!f || !Array.isArray(f.fields)) {
      problems.push(`frame ${i + 1} is not a data frame`);
    }
  });

  const forecasts: Array<{ labels: Record<string, string>; name: string; forecast: PanelForecast }> = [];
  all.forEach((frame, index) => {
    const timeField = frame.fields.find((f) => f.type === FieldType.time) ?? findField(frame, 'time');
    if (!timeField) {
      if (frame.fields.length > 0) {
        problems.push(`${frameLabel(frame, index)} has no time field`);
      }
      return;
    }
    const numberFields = frame.fields.filter((f) => f !== timeField && f.type === FieldType.number);
    if (numberFields.length === 0) {
      problems.push(`${frameLabel(frame, index)} has no number field`);
      return;
    }
    const rawTimes = valuesOf(timeField).map(toTime);
    const lengths = frame.fields.map((f) => valuesOf(f).length);
    const length = Math.min(...lengths);
    if (Math.max(...lengths) !== length) {
      problems.push(`${frameLabel(frame, index)} has fields of different lengths (cut to ${length} rows)`);
    }
    const order = rowOrder(rawTimes.slice(0, length));
    const times = order.map((i) => rawTimes[i] as number);
    const pick = (field: Field | undefined) => {
      if (!field) {
        return null;
      }
      const v = valuesOf(field);
      return order.map((i) => toNumber(v[i]));
    };

    const frameCustom = (frame.meta?.custom ?? {}) as Record<string, unknown>;
    const meanField = findField(frame, 'mean');
    if (frameCustom.forecast && meanField) {
      const threshold = (
        frameCustom.forecast as {
          threshold?: { sentence?: unknown; medianSeconds?: unknown; fraction?: unknown };
        }
      ).threshold;
      forecasts.push({
        labels: { ...(meanField.labels ?? {}) },
        name: frameLabel(frame, index),
        forecast: {
          times,
          mean: pick(meanField) ?? [],
          lower80: pick(findField(frame, 'lower80')) ?? [],
          upper80: pick(findField(frame, 'upper80')) ?? [],
          lower95: pick(findField(frame, 'lower95')) ?? [],
          upper95: pick(findField(frame, 'upper95')) ?? [],
          sentence: typeof threshold?.sentence === 'string' ? threshold.sentence : null,
          medianSeconds: toNumber(threshold?.medianSeconds),
          fraction: toNumber(threshold?.fraction),
        },
      });
      return;
    }
    const valueField = findField(frame, 'value');
    const isTrafficLens =
      valueField !== undefined && SCORE_FIELDS.some((name) => findField(frame, name) !== undefined);
    if (isTrafficLens) {
      const custom = (frame.meta?.custom ?? {}) as Record<string, unknown>;
      const anomalyField = findField(frame, 'anomaly');
      const score = pick(findField(frame, 'score'));
      const anomaly = anomalyField
        ? order.map((i) => valuesOf(anomalyField)[i] === true)
        : score
          ? score.map((s) => (s ?? 0) >= 1)
          : null;
      const s: PanelSeries = {
        name:
          valueField.config?.displayName ||
          valueField.config?.displayNameFromDS ||
          frame.name ||
          getFieldDisplayName(valueField, frame, all),
        labels: { ...(valueField.labels ?? {}) },
        field: valueField,
        times,
        values: pick(valueField) ?? [],
        expected: pick(findField(frame, 'expected')),
        lower: pick(findField(frame, 'lower')),
        upper: pick(findField(frame, 'upper')),
        score,
        anomaly,
        state: (STATES as readonly string[]).includes(custom.state as string)
          ? (custom.state as SeriesState)
          : 'ok',
        episodes: [],
        ...(typeof custom.job === 'string' && custom.job !== '' ? { job: custom.job } : {}),
        ...maintenanceOf(custom.maintenance),
        ...(typeof custom.sensitivity === 'number' && Number.isFinite(custom.sensitivity)
          ? { liveSensitivity: custom.sensitivity }
          : {}),
      };
      s.episodes = parseEpisodes(custom.episodes) ?? deriveEpisodes(s);
      series.push(s);
      return;
    }
    for (const field of numberFields) {
      series.push({
        name: getFieldDisplayName(field, frame, all) || field.name,
        labels: { ...(field.labels ?? {}) },
        field,
        times,
        values: pick(field) ?? [],
        expected: null,
        lower: null,
        upper: null,
        score: null,
        anomaly: null,
        state: 'unscored',
        episodes: [],
      });
    }
  });
  // A forecast belongs to the series with the same labels (the datasource keeps them on both).
  for (const f of forecasts) {
    const key = labelKey(f.labels);
    const target = series.find((s) => labelKey(s.labels) === key);
    if (target) {
      target.forecast = f.forecast;
    } else {
      problems.push(`${f.name} is a forecast of a series the panel does not show`);
    }
  }
  return { series, problems, scored: series.some((s) => s.score !== null) };
}

function labelKey(labels: Record<string, string>): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Well-formed maintenance intervals (start < end, finite), or nothing. */
function maintenanceOf(v: unknown): { maintenance?: Array<{ start: number; end: number }> } {
  if (!Array.isArray(v)) {
    return {};
  }
  const intervals = v
    .map((i) => ({
      start: toNumber((i as { start?: unknown })?.start),
      end: toNumber((i as { end?: unknown })?.end),
    }))
    .filter(
      (i): i is { start: number; end: number } => i.start !== null && i.end !== null && i.start < i.end,
    );
  return intervals.length > 0 ? { maintenance: intervals } : {};
}

/** The latest state of a series, for NOC tiles and sorting. */
export interface SeriesStatus {
  status: Status;
  currentValue: number | null;
  currentScore: number | null;
  severity: number;
  openEpisode: PanelEpisode | null;
}

export function lastDefined<T>(values: ReadonlyArray<T | null> | null): T | null {
  if (!values) {
    return null;
  }
  for (let i = values.length - 1; i >= 0; i--) {
    if (values[i] !== null && values[i] !== undefined) {
      return values[i];
    }
  }
  return null;
}

export function seriesStatus(s: PanelSeries): SeriesStatus {
  const currentValue = lastDefined(s.values);
  const currentScore = s.score ? (s.score[s.score.length - 1] ?? null) : null;
  const last = s.episodes[s.episodes.length - 1];
  const openEpisode = last && last.open ? last : null;
  if (s.state === 'unscored' || s.state === 'learning' || s.times.length === 0 || currentValue === null) {
    const status: Status =
      s.times.length === 0 || currentValue === null
        ? 'no_data'
        : s.state === 'learning'
          ? 'learning'
          : 'unscored';
    return { status, currentValue, currentScore, severity: 0, openEpisode };
  }
  if (s.state === 'no_data') {
    return { status: 'no_data', currentValue, currentScore, severity: 0, openEpisode };
  }
  // The scorer's state wins over the score: in a maintenance window a deviation does not alert, and a
  // stale, gappy or flat series' scores are not to be read as alerts.
  if (s.state === 'suppressed' || s.state === 'stale' || s.state === 'gap' || s.state === 'flatline') {
    return { status: s.state, currentValue, currentScore, severity: 0, openEpisode };
  }
  // The current score decides while it is anomalous; an open episode held below 1 keeps its peak's colour.
  const score = currentScore ?? 0;
  if (score >= 1 || openEpisode) {
    const severity = score >= 1 ? severityOf(score) : openEpisode!.severity;
    return { status: severityLabel(severity), currentValue, currentScore, severity, openEpisode };
  }
  return { status: 'ok', currentValue, currentScore, severity: 0, openEpisode };
}
