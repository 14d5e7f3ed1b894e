/**
 * Pure transforms of Prometheus HTTP API answers (in the manner of Grafana's result_transformer):
 * text in, typed data or a PrometheusError out. No I/O, so every variant — success, Prometheus' error
 * envelope, a proxy's HTML page, a truncated body, a wrong shape — has its own test case.
 */
import type { Labels, SourceSeries } from '../source.js';
import { PrometheusError } from './errors.js';

const SNIPPET = 200;

function snippet(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > SNIPPET ? `${flat.slice(0, SNIPPET)}…` : flat;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The `data` of an answer, or the error it carries. Prometheus answers errors as JSON
 * `{status: "error", errorType, error}` with 400 (bad_data), 422 (execution), 503 (timeout, canceled,
 * unavailable) or 500; anything else non-2xx comes from something in between (a proxy, a load balancer).
 */
export function parseEnvelope(endpoint: string, status: number, text: string): unknown {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (isObject(body) && body.status === 'error') {
    const errorType = typeof body.errorType === 'string' ? body.errorType : undefined;
    const upstream = typeof body.error === 'string' ? body.error : 'no message';
    const kind = errorType === 'bad_data' ? 'bad_query' : 'http';
    throw new PrometheusError(
      kind,
      `Prometheus ${endpoint} answered ${status}${errorType ? ` (${errorType})` : ''}: ${upstream}`,
      { status, errorType, upstreamMessage: upstream, endpoint },
    );
  }
  if (status < 200 || status > 299) {
    const upstream = snippet(text) || 'empty body';
    throw new PrometheusError('http', `Prometheus ${endpoint} answered HTTP ${status}: ${upstream}`, {
      status,
      upstreamMessage: upstream,
      endpoint,
    });
  }
  if (!isObject(body) || body.status !== 'success' || !('data' in body)) {
    const upstream = snippet(text) || 'empty body';
    throw new PrometheusError(
      'bad_response',
      `Prometheus ${endpoint} answered ${status} with something that is not a Prometheus API response: ${upstream}`,
      { status, upstreamMessage: upstream, endpoint },
    );
  }
  return body.data;
}

function badShape(endpoint: string, what: string): PrometheusError {
  return new PrometheusError('bad_response', `Prometheus ${endpoint} answered an unexpected shape: ${what}`, {
    endpoint,
    upstreamMessage: what,
  });
}

function labelsOf(endpoint: string, metric: unknown, where: string): Labels {
  if (!isObject(metric)) throw badShape(endpoint, `${where} is not a label object`);
  const labels: Labels = {};
  for (const [name, value] of Object.entries(metric)) {
    if (typeof value !== 'string') throw badShape(endpoint, `${where}.${name} is not a string`);
    labels[name] = value;
  }
  return labels;
}

/** A sample value: Prometheus writes floats as strings; NaN and ±Inf become missing (never zero). */
function sampleValue(text: unknown): number | null | undefined {
  if (typeof text !== 'string') return undefined;
  const v = Number(text);
  if (Number.isFinite(v)) return v;
  return text === 'NaN' || text === '+Inf' || text === '-Inf' || text === 'Inf' ? null : undefined;
}

/**
 * query_range's `data` → one SourceSeries per result, labels kept as Prometheus returns them
 * (`__name__` included when the expression keeps it). Timestamps: float seconds → integer ms.
 * A series with only native-histogram samples has no float values and is left out. With `keep`, a
 * series it does not keep is left out once its labels are read: its samples are neither converted
 * nor checked (a sharded replica skips the other replicas' series; JSON.parse has read them already).
 */
export function parseMatrix(
  endpoint: string,
  data: unknown,
  keep?: (labels: Labels) => boolean,
): SourceSeries[] {
  if (!isObject(data)) throw badShape(endpoint, 'data is not an object');
  if (data.resultType !== 'matrix') {
    throw badShape(endpoint, `resultType is ${JSON.stringify(data.resultType)}, expected "matrix"`);
  }
  if (!Array.isArray(data.result)) throw badShape(endpoint, 'data.result is not an array');
  const out: SourceSeries[] = [];
  data.result.forEach((entry: unknown, i) => {
    if (!isObject(entry)) throw badShape(endpoint, `result[${i}] is not an object`);
    const labels = labelsOf(endpoint, entry.metric, `result[${i}].metric`);
    if (entry.values === undefined || (keep && !keep(labels))) return;
    if (!Array.isArray(entry.values)) throw badShape(endpoint, `result[${i}].values is not an array`);
    const timestamps: number[] = new Array(entry.values.length);
    const values: (number | null)[] = new Array(entry.values.length);
    entry.values.forEach((pair: unknown, k) => {
      const v = Array.isArray(pair) && pair.length === 2 ? sampleValue(pair[1]) : undefined;
      const t = Array.isArray(pair) ? pair[0] : undefined;
      if (typeof t !== 'number' || !Number.isFinite(t) || v === undefined) {
        throw badShape(endpoint, `result[${i}].values[${k}] is not a [seconds, "value"] pair`);
      }
      timestamps[k] = Math.round(t * 1000);
      values[k] = v;
    });
    if (timestamps.length > 0) out.push({ labels, timestamps, values });
  });
  return out;
}

/** /api/v1/series' `data`: the label sets of the matching series. */
export function parseSeriesList(endpoint: string, data: unknown): Labels[] {
  if (!Array.isArray(data)) throw badShape(endpoint, 'data is not an array of label sets');
  return data.map((entry, i) => labelsOf(endpoint, entry, `data[${i}]`));
}

/** /api/v1/labels' `data`: label names. */
export function parseLabelNames(endpoint: string, data: unknown): string[] {
  if (!Array.isArray(data) || !data.every((x) => typeof x === 'string')) {
    throw badShape(endpoint, 'data is not an array of label names');
  }
  return data as string[];
}
