/**
 * The jobs API's shapes, defined once: they type the job's status and results, validate the path and
 * query, and document them in /openapi.json (api/routes/jobs.ts declares the routes). Series results reuse the
 * score contract's SeriesScore fields, so a panel reads a job's series like a scored series.
 */
import { z } from 'zod';
import { SeriesScore } from './score.js';
import { parseMatcher, type LabelMatcher } from './labels.js';
import { ForecastState } from './forecast.js';

export const JOBS_BASE_PATH = '/api/v1/jobs';

export const JobHealth = z
  .enum(['starting', 'ok', 'failing'])
  .describe('starting: no run finished yet; failing: the last run failed; ok: the last run succeeded');
export type JobHealth = z.infer<typeof JobHealth>;

const epochMs = z.number().describe('epoch milliseconds');

export const JobModelState = z
  .enum(['queued', 'training', 'ready', 'retraining', 'failed'])
  .describe(
    'queued/training: no model yet, the statistical fallback scores (state learning); ready: the model ' +
      'scores; retraining: it scores while the next version trains; failed: training failed and the fallback scores',
  );
export type JobModelState = z.infer<typeof JobModelState>;

export const JobSeriesModel = z
  .object({
    id: z.string().describe('model id in the registry (GET /api/v1/models/{id})'),
    state: JobModelState,
    version: z.number().int().nullable().describe('the version that scores; null while the fallback does'),
    problem: z.string().nullable().describe('why the last training failed'),
  })
  .describe("the series' trained model (jobs with a neural detector)");
export type JobSeriesModel = z.infer<typeof JobSeriesModel>;

export const JobModelsSummary = z
  .object({
    counts: z.record(JobModelState, z.number().int()).describe('series per model state'),
    lastError: z.object({ message: z.string(), at: epochMs }).nullable().describe('last failed training'),
  })
  .describe('the per-series models of a job with a neural detector');

export const JobStatus = z.object({
  name: z.string(),
  source: z.string().describe('kind of source: simulator, prometheus, fake'),
  detector: z.string(),
  sensitivity: z
    .number()
    .describe(
      "the job's sensitivity: set through PUT /api/v1/jobs/{name}/sensitivity, else the jobs file's (a series may have its own)",
    ),
  intervalMs: z.number(),
  stepMs: z.number(),
  health: JobHealth,
  running: z.boolean().describe('a run is in progress'),
  lastRunAt: epochMs.nullable().describe('start of the last finished run'),
  lastRunDurationMs: z.number().nullable(),
  lastSuccessAt: epochMs.nullable(),
  dataUntil: epochMs.nullable().describe('newest timestamp fetched; the next run fetches after it'),
  scoredUntil: epochMs
    .nullable()
    .describe(
      'while a run scores a long range fetched in pieces (a backfill, a refit, a catch-up after an outage): the end of its last piece scored; null between runs',
    ),
  runs: z.number().int(),
  errors: z.number().int().describe('failed runs'),
  consecutiveErrors: z.number().int(),
  missedRuns: z.number().int().describe('ticks skipped because the previous run was still going'),
  overruns: z.number().int().describe('runs longer than the interval'),
  lastError: z.object({ message: z.string(), at: epochMs }).nullable(),
  series: z.number().int().describe('series currently scored'),
  pointsScored: z.number().int(),
  openEpisodes: z.number().int().describe('series with an anomaly episode going on'),
  droppedSeries: z.number().int().describe('series ignored because the job had max_series already'),
  droppedLabelSeries: z
    .number()
    .int()
    .describe(
      'series ignored because a label name or value was too large (names over 1024 bytes, values over 2048, more than 30 labels), counted per fetch',
    ),
  models: JobModelsSummary.nullable().describe('null unless the detector is neural'),
});
export type JobStatus = z.infer<typeof JobStatus>;

export const JobsListResponse = z.object({ jobs: z.array(JobStatus) });
export type JobsListResponse = z.infer<typeof JobsListResponse>;

export const DATA_QUALITY_STATES = ['ok', 'stale', 'gap', 'flatline'] as const;
export const DataQuality = z
  .enum(DATA_QUALITY_STATES)
  .describe(
    'stale: no sample for stale_intervals job intervals; gap: over 20% of the last 60 steps missing; ' +
      'flatline: the last 10 or more values identical where the series moved before (docs/jobs.md)',
  );
export type DataQuality = z.infer<typeof DataQuality>;

export const JobSeries = SeriesScore.pick({
  labels: true,
  unit: true,
  state: true,
  detector: true,
  timestamps: true,
  values: true,
  score: true,
  expected: true,
  lower: true,
  upper: true,
  anomaly: true,
  direction: true,
  episodes: true,
})
  .extend({
    model: JobSeriesModel.nullable(),
    quality: DataQuality.describe(
      "the series' data quality, also while a maintenance window suppresses it (state then says suppressed)",
    ),
    tolerated: z
      .array(epochMs)
      .optional()
      .describe(
        'points (their timestamps) that were anomalous and are not, because a false positive on an earlier ' +
          'episode taught the series to tolerate that deviation: their score is scaled below 1 and the band ' +
          'widened to hold them (GET /api/v1/jobs/{name}/feedback lists the tolerances); absent when none',
      ),
    maintenance: z
      .array(z.object({ start: epochMs, end: epochMs }))
      .optional()
      .describe(
        'the maintenance windows over the returned points (GET /api/v1/windows): their points are scored and ' +
          'shown, never anomalous, not learnt; absent when none',
      ),
    sensitivity: z
      .number()
      .optional()
      .describe(
        "the sensitivity the series is scored at from its next point: its own setting, else the job's (GET /api/v1/jobs/{name}/sensitivity)",
      ),
    periodMs: z
      .number()
      .nullable()
      .describe(
        "the season the series' detector found, in ms; null while none is known. A false positive teaches a " +
          'pattern of at most a quarter of it (6 hours without one): feedback on a longer episode is refused, 409',
      ),
  })
  .describe('retained results of one series, scored causally point by point');
export type JobSeries = z.infer<typeof JobSeries>;

export const JobSeriesResponse = z.object({
  job: z.string(),
  from: epochMs.nullable().describe('the range asked for; null when open'),
  to: epochMs.nullable(),
  series: z.array(JobSeries),
});
export type JobSeriesResponse = z.infer<typeof JobSeriesResponse>;

export const JobLabelsResponse = z.object({
  job: z.string(),
  labels: z
    .record(z.string(), z.array(z.string()))
    .describe('every label name of the series the job scores now, with its values, sorted'),
});
export type JobLabelsResponse = z.infer<typeof JobLabelsResponse>;

const ISO_8601 = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2}))?$/;

/** A time in a query string: epoch milliseconds or ISO 8601 (a date-time needs Z or an offset). */
export const TimeParam = z.string().transform((text, ctx) => {
  if (/^\d{1,15}(?:\.\d+)?$/.test(text)) return Number(text);
  const ms = ISO_8601.test(text) ? Date.parse(text) : NaN;
  if (Number.isFinite(ms)) return ms;
  ctx.addIssue({
    code: 'custom',
    message: `expected epoch milliseconds or an ISO 8601 time with Z or an offset, got ${JSON.stringify(text.slice(0, 64))}`,
  });
  return z.NEVER;
});

/** A PromQL-style matcher in a query string: site="ams", link=~"transit-.*". */
const MatcherParam = z.string().transform((text, ctx): LabelMatcher => {
  const parsed = parseMatcher(text);
  if (typeof parsed !== 'string') return parsed;
  ctx.addIssue({ code: 'custom', message: parsed });
  return z.NEVER;
});

/** Grafana's maxDataPoints: the most points per series the caller will draw. */
export const MAX_DATA_POINTS = { min: 10, max: 1_000_000 };

/** The path parameter of every route about one job. */
export const JobPathParams = z.object({ name: z.string().describe('job name') });

const timeParam = (description: string) =>
  TimeParam.optional().describe(`${description}: epoch milliseconds or ISO 8601 (e.g. 2025-01-13T08:00:00Z)`);

/**
 * GET /api/v1/jobs/{name}/series' query, each value a string as the query parser gives it (the
 * handler turns a repeated one into an error, except match).
 */
export const JobSeriesQuery = z
  .object({
    from: timeParam('earliest point'),
    to: timeParam('latest point'),
    match: z
      .array(MatcherParam)
      .optional()
      .describe(
        'keep only the series whose labels match (PromQL matchers: site="ams", link=~"transit-.*"); ' +
          'repeat for several, all must match',
      ),
    maxDataPoints: z
      .string()
      // Documented as any whole number; more than 7 digits is refused with the same message.
      .regex(/^[0-9]+$/, { message: 'expected a whole number', abort: true })
      .refine((digits) => digits.length <= 7, 'expected a whole number')
      .transform(Number)
      .pipe(z.number().int().min(MAX_DATA_POINTS.min).max(MAX_DATA_POINTS.max))
      .optional()
      .describe(
        `at most this many points per series (${MAX_DATA_POINTS.min}–${MAX_DATA_POINTS.max}); ` +
          'longer series are thinned keeping, per bucket, the lowest and highest value and the highest score',
      ),
  })
  .refine((q) => q.from === undefined || q.to === undefined || q.from <= q.to, {
    message: 'must not be before from',
    path: ['to'],
  });

/** GET /api/v1/jobs/{name}/forecasts' query. */
export const JobForecastsQuery = z.object({
  match: z
    .array(MatcherParam)
    .optional()
    .describe('keep only the series whose labels match (as for /series); repeat for several, all must match'),
});

const secondsOrNull = (what: string) =>
  z
    .number()
    .nullable()
    .describe(
      `seconds from the series' last point at the refresh until ${what} reaches the threshold (0: already there); null: not within the horizon`,
    );

/** One series' latest continuous forecast (jobs/forecast.ts), as the trafficlens_forecast_* gauges export it. */
export const JobSeriesForecast = z.object({
  labels: z.record(z.string(), z.string()),
  state: z
    .union([ForecastState, z.literal('history_too_short')])
    .describe(
      'as POST /api/v1/forecast; history_too_short: the retained history is shorter than the horizon',
    ),
  atHorizon: z
    .object({ mean: z.number(), upper95: z.number() })
    .nullable()
    .describe('the median and upper 95 % forecast at the horizon; null without a forecast'),
  capacity: z
    .number()
    .nullable()
    .describe("the series' capacity, from the job's forecast.capacity; null: none"),
  secondsToThreshold: z
    .object({ median: secondsOrNull('the median path'), upper: secondsOrNull('the upper 95 % path') })
    .nullable()
    .describe('with a capacity: when capacity × fraction is reached'),
});

export const JobForecastsResponse = z.object({
  job: z.string(),
  forecast: z
    .object({
      horizonMs: z.number().int(),
      refreshMs: z.number().int(),
      fraction: z.number().describe('share of the capacity that counts as full'),
      refreshedAt: epochMs.nullable().describe('the last refresh began; null before the first'),
      lastError: z
        .string()
        .nullable()
        .describe("the last refresh's problem (the forecasts carry on without it)"),
    })
    .nullable()
    .describe("the job's forecast block; null: the job has none (series is then empty)"),
  series: z.array(JobSeriesForecast).describe('as of the last refresh, every series still in the job'),
});
export type JobForecastsResponse = z.infer<typeof JobForecastsResponse>;

/** Component schemas of the jobs API's answers, by the id /openapi.json gives them. */
export const JOBS_COMPONENTS: [z.ZodType, string][] = [
  [JobsListResponse, 'JobsListResponse'],
  [JobStatus, 'JobStatus'],
  [JobSeriesResponse, 'JobSeriesResponse'],
  [JobSeries, 'JobSeries'],
  [JobLabelsResponse, 'JobLabelsResponse'],
  [JobForecastsResponse, 'JobForecastsResponse'],
  [JobSeriesForecast, 'JobSeriesForecast'],
];
