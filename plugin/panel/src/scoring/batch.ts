/**
 * Plain series (frames from any datasource) → one scoring request, and the scored answer merged back.
 * Pure: no requests, no React.
 */
import type { PanelSeries } from '../frames/parse';

/** What the TrafficLens datasource's `scoreSeries` takes for one series (its `SeriesToScore`). */
export interface SeriesToScore {
  name?: string;
  labels?: Record<string, string>;
  timestamps: number[];
  values: Array<number | null>;
}

export interface BatchLimits {
  maxSeries: number;
  maxPoints: number;
}

/**
 * Caps of one request from the panel, well under the scorer's defaults (1,000 series, 200,000 points a
 * series, 20 MB of JSON at ~30 bytes a point): a panel re-scores on every refresh, so a dashboard that
 * would hit the scorer's limits is better told to narrow its query than sent megabytes each time.
 */
export const DEFAULT_LIMITS: BatchLimits = { maxSeries: 200, maxPoints: 500_000 };

export interface ScoreBatch {
  /** positions in the panel's series list of the series sent, in request order */
  indexes: number[];
  input: SeriesToScore[];
  points: number;
  /** plain series with points left unscored because the batch was full */
  skipped: number;
  /** identifies the input (names, labels, times, values): equal keys, equal answers */
  key: string;
}

/** Picks the unscored series with points, in order, while they fit the limits. */
export function planBatch(series: readonly PanelSeries[], limits: BatchLimits = DEFAULT_LIMITS): ScoreBatch {
  const indexes: number[] = [];
  const input: SeriesToScore[] = [];
  let points = 0;
  let skipped = 0;
  series.forEach((s, i) => {
    if (s.state !== 'unscored' || s.times.length === 0) {
      return;
    }
    if (indexes.length >= limits.maxSeries || points + s.times.length > limits.maxPoints) {
      skipped++;
      return;
    }
    indexes.push(i);
    points += s.times.length;
    input.push({ name: s.name, labels: stringLabels(s.labels), timestamps: s.times, values: s.values });
  });
  return { indexes, input, points, skipped, key: hashInput(input) };
}

function stringLabels(labels: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels ?? {})) {
    if (v !== undefined && v !== null) {
      out[k] = String(v);
    }
  }
  return out;
}

/**
 * A 64-bit hash (two 32-bit lanes) of every number's bits and every string's characters. Cheap enough
 * for 20 series × 10,000 points on each data change; a string key of the input would be megabytes.
 */
export function hashInput(input: readonly SeriesToScore[]): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  const f64 = new Float64Array(1);
  const u32 = new Uint32Array(f64.buffer);
  const mix = (x: number) => {
    h1 = Math.imul(h1 ^ x, 0x01000193);
    h2 = Math.imul(h2 ^ x, 0x5bd1e995) ^ (h2 >>> 15);
  };
  const num = (v: number | null) => {
    if (v === null) {
      mix(0x7ff80001);
      mix(0x7ff80001);
      return;
    }
    f64[0] = v;
    mix(u32[0]);
    mix(u32[1]);
  };
  const str = (s: string) => {
    mix(s.length);
    for (let i = 0; i < s.length; i++) {
      mix(s.charCodeAt(i));
    }
  };
  mix(input.length);
  for (const s of input) {
    str(s.name ?? '');
    const labels = Object.entries(s.labels ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    mix(labels.length);
    labels.forEach(([k, v]) => {
      str(k);
      str(v);
    });
    mix(s.timestamps.length);
    s.timestamps.forEach(num);
    s.values.forEach(num);
  }
  return `${(h1 >>> 0).toString(16).padStart(8, '0')}${(h2 >>> 0).toString(16).padStart(8, '0')}-${input.length}`;
}

/**
 * The panel's series with the sent ones replaced by their scored version. The scorer's frames bring the
 * band, score, anomalies, state and episodes (and the times and values as the scorer cleaned them); the
 * name, labels and field (unit, decimals) stay those of the original query.
 */
export function mergeScored(
  series: readonly PanelSeries[],
  batch: Pick<ScoreBatch, 'indexes'>,
  scored: readonly PanelSeries[],
): PanelSeries[] {
  if (scored.length !== batch.indexes.length) {
    throw new Error(`the scorer's frames hold ${scored.length} series for the ${batch.indexes.length} sent`);
  }
  const out = series.slice();
  batch.indexes.forEach((index, k) => {
    const original = series[index];
    out[index] = { ...scored[k], name: original.name, labels: original.labels, field: original.field };
  });
  return out;
}
