/**
 * Training data from the server's Prometheus: a PromQL source of a training request (or the one a
 * model's metadata recorded, for a retrain) → the one series it returns, and the source as the model
 * keeps it. Failures are the API's errors, as for POST /api/v1/query: 503 without a Prometheus, 413
 * for a range too long, 400 for an expression Prometheus refuses or that returns not exactly one series,
 * 502/504 (the central handler) when Prometheus fails.
 */
import type { ModelSource, PrometheusTrainingSource } from '../contract/models.js';
import type { SeriesInput } from '../contract/score.js';
import { ApiError } from '../contract/errors.js';
import { gridPoints } from '../sources/prometheus/promql.js';
import { PrometheusError, type PrometheusClient } from '../sources/prometheus/index.js';
import { seriesKey } from '../sources/source.js';

export interface TrainingSourceDeps {
  /** The server's Prometheus; null when none is configured. */
  prometheus: PrometheusClient | null;
  maxPointsPerSeries: number;
  now: () => number;
  signal?: AbortSignal;
}

/** The range to fetch: a window ends at the last step boundary before now, so retrains share one grid. */
function rangeOf(
  source: PrometheusTrainingSource | PrometheusModelSource,
  now: number,
): { start: number; end: number; stepMs: number; windowMs: number | null } {
  const stepMs = 'step' in source ? source.step : source.stepMs;
  const windowMs = 'windowMs' in source ? source.windowMs : (source.window ?? null);
  if (windowMs !== null) {
    const end = Math.floor(now / stepMs) * stepMs;
    return { start: end - windowMs, end, stepMs, windowMs };
  }
  // The schema guarantees start and end when there is no window.
  return { start: source.start!, end: source.end!, stepMs, windowMs: null };
}

const MAX_NAMED = 3;

function notOneSeries(expr: string, labels: Record<string, string>[]): ApiError {
  const named = labels
    .slice(0, MAX_NAMED)
    .map((l) => `{${seriesKey(l)}}`)
    .join(', ');
  const more = labels.length > MAX_NAMED ? ` and ${labels.length - MAX_NAMED} more` : '';
  const message =
    labels.length === 0
      ? `source.expr ${JSON.stringify(expr.slice(0, 200))} returned no series in the range; a model needs one series with data`
      : `source.expr returned ${labels.length} series (${named}${more}); a model is trained on exactly one: narrow the expression with label matchers or aggregate it (sum, avg)`;
  return new ApiError(400, 'invalid_request', message, 'validation', [
    { path: 'source.expr', message: `returned ${labels.length} series, expected 1` },
  ]);
}

type PrometheusModelSource = Extract<ModelSource, { type: 'prometheus' }>;

export async function fetchTrainingSeries(
  source: PrometheusTrainingSource | PrometheusModelSource,
  deps: TrainingSourceDeps,
): Promise<{ series: SeriesInput; source: ModelSource }> {
  if (!deps.prometheus) {
    throw new ApiError(
      503,
      'prometheus_not_configured',
      'no Prometheus is configured on this scorer: set TRAFFICLENS_PROMETHEUS_URL (or --prometheus-url) to train from a PromQL source',
      'upstream',
    );
  }
  const { start, end, stepMs, windowMs } = rangeOf(source, deps.now());
  const points = gridPoints(start, end, stepMs);
  if (points > deps.maxPointsPerSeries) {
    throw new ApiError(
      413,
      'too_many_points',
      `the source's range at this step is ${points} points; the limit is ${deps.maxPointsPerSeries} points per series (TRAFFICLENS_MAX_POINTS_PER_SERIES): use a larger step or a shorter range`,
      'limits',
      [{ path: 'source.step', message: `at most ${deps.maxPointsPerSeries} points` }],
    );
  }
  let fetched;
  try {
    fetched = await deps.prometheus.queryRange(source.expr, {
      start,
      end,
      step: stepMs,
      signal: deps.signal,
    });
  } catch (err) {
    // Same answer as POST /api/v1/query, with the path of the field in this request.
    if (err instanceof PrometheusError && err.kind === 'bad_query') {
      throw new ApiError(400, 'invalid_query', err.message, 'upstream', [
        { path: 'source.expr', message: err.details.upstreamMessage ?? err.message },
      ]);
    }
    throw err;
  }
  if (fetched.length !== 1)
    throw notOneSeries(
      source.expr,
      fetched.map((s) => s.labels),
    );
  const [one] = fetched;
  return {
    series: { labels: one.labels, timestamps: one.timestamps, values: one.values },
    source: { type: 'prometheus', expr: source.expr, start, end, stepMs, windowMs, labels: one.labels },
  };
}
