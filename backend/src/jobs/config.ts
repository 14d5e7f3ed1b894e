/**
 * The job configuration: one zod schema gives validation (errors name the field and the bound), the
 * input type a config file follows, and the normalized JobSpec the job runs on. Keys are snake_case,
 * as in Prometheus and vmanomaly config files; durations are strings ("15s", "2d") or milliseconds.
 */
import { z } from 'zod';
import { TrainOptions } from '../contract/models.js';
import { PromQLExpr } from '../contract/query.js';
import { DetectorName, STATISTICAL_DETECTORS, ScoreOptions, WEEK_SEEN_AFTER_MS } from '../contract/score.js';
import { DEFAULT_SENSITIVITY, Sensitivity } from '../contract/sensitivity.js';
import { Unit } from '../contract/unit.js';
import { PrometheusSource, type PrometheusClient } from '../sources/prometheus/index.js';
import { SIMULATOR_KINDS, SimulatorSource } from '../sources/simulator/index.js';
import { parseMatcher, type LabelMatcher, type Source } from '../sources/source.js';
import { formatDuration, parseDuration } from '../contract/duration.js';
import { TimeParam } from '../contract/jobs.js';
import { cronProblem } from '../store/index.js';
import { ForecastMethod, ThresholdFraction } from '../contract/forecast.js';
import { DEFAULT_STALE_INTERVALS } from './quality.js';
import { compileWindow, type SuppressionWindow } from './suppression.js';

const MAX_BACKFILL_POINTS = 100_000;
/** Neural detectors a job can train a model per series for. */
export const JOB_NEURAL_DETECTORS = ['lstm', 'autoencoder'] as const;
const MAX_RETENTION_POINTS = 100_000;
const MAX_SERIES_LIMIT = 1_000_000;
/**
 * Results kept per series when a job sets no `retention`: 12 h at the default 1-minute step. The API's
 * job series, the quality states (370 points), the alert-volume preview (it says how many days it
 * replayed) and the network detector's window (288) work from it; dashboards read longer history from
 * Prometheus (the exported gauges). A job whose features need more gets more by default
 * (defaultRetentionPoints), and a smaller explicit retention is refused (forecasts) or announced (cold
 * start). 720 points instead of 2,880: the ring is 18.9 instead of 71.6 KiB a series (issue 15).
 */
export const DEFAULT_RETENTION_POINTS = 720;
const DAY_MS = 86_400_000;

/**
 * fit_window's default: 2,880 steps, at least 2 days and at most WEEK_SEEN_AFTER_MS, 9¼ days (2 days at a
 * 1-minute step, 4 at 2 minutes, 9¼ days from 5 minutes up). Why: from a 5-minute step on, a series' first
 * week is blind to a drop (the primary's calibration range, learnt from the fallback median's first days,
 * keeps the band wide) until every time of the week has been seen. With two days, a 4-hour 40 % drop on
 * a job's first Tuesday or Thursday was not flagged at 5, 10, 15, 30 or 60 minutes a step (covered
 * 0.00–0.06 on six seeds); with 9¼ days of backfill, 0.94–1.00 at 5 minutes, 0.58–1.00 at 10, 0.50–1.00
 * at 15 (jobs/firstWeek.test.ts). At 1 minute two days already catch it (0.96–1.00), and 2,880 steps keep
 * every default backfill at most as many points as a 1-minute job's.
 */
export function defaultFitWindowMs(stepMs: number): number {
  return Math.min(WEEK_SEEN_AFTER_MS, Math.max(2 * DAY_MS, 2_880 * stepMs));
}

/** A series absent from the source is kept (shown stale) this long by default before it is dropped. */
const DEFAULT_DROP_AFTER_MS = 24 * 3_600_000;

/** A duration ≥ min: "15s", "1h30m", or a number of milliseconds. Output: milliseconds. */
export const Duration = (min = 1) =>
  z.union([z.string(), z.number()]).transform((value, ctx) => {
    const ms = typeof value === 'number' ? value : parseDuration(value);
    if (ms === null || !Number.isFinite(ms)) {
      ctx.addIssue({
        code: 'custom',
        message: `${JSON.stringify(value)} is not a duration (use e.g. 500ms, 15s, 1m, 1h30m, 2d)`,
      });
      return z.NEVER;
    }
    if (ms < min) {
      ctx.addIssue({
        code: 'custom',
        message: `must be at least ${formatDuration(min)}, got ${formatDuration(ms)}`,
      });
      return z.NEVER;
    }
    return ms;
  });

export const SimulatorSourceConfig = z
  .object({
    type: z.literal('simulator'),
    seed: z.number().int().default(1),
    speed: z
      .number()
      .min(1)
      .max(3600)
      .default(1)
      .describe('simulated seconds per real second; timestamps stay on the real clock'),
    kinds: z.array(z.enum(SIMULATOR_KINDS)).min(1).default(['traffic', 'http']),
    incidents: z.boolean().default(true),
    incident_every: Duration(60_000).prefault('2h').describe('one incident per this much simulated time'),
  })
  .strict();

/** A PromQL expression on the server's Prometheus (TRAFFICLENS_PROMETHEUS_URL). */
export const PrometheusSourceConfig = z
  .object({
    type: z.literal('prometheus'),
    expr: PromQLExpr,
  })
  .strict();

export const SourceConfig = z.discriminatedUnion('type', [SimulatorSourceConfig, PrometheusSourceConfig]);
export type SourceConfig = z.output<typeof SourceConfig>;

const Matcher = z.string().transform((text, ctx): LabelMatcher => {
  const parsed = parseMatcher(text);
  if (typeof parsed === 'string') {
    ctx.addIssue({ code: 'custom', message: parsed });
    return z.NEVER;
  }
  return parsed;
});

/** A time in the jobs file: epoch milliseconds or ISO 8601 with Z or an offset. */
const Time = z.union([z.number().int(), TimeParam]);

/**
 * A maintenance window of the job (the API's, written in the jobs file): matchers (default: every
 * series of the job) and starts_at/ends_at, or cron + duration (UTC), optionally bounded by them.
 */
const MaintenanceConfig = z
  .object({
    matchers: z
      .array(z.string())
      .default([])
      .describe('PromQL-style matchers; none: every series of the job'),
    starts_at: Time.optional(),
    ends_at: Time.optional(),
    cron: z
      .string()
      .optional()
      .describe('five cron fields or @daily etc., in UTC: when each occurrence starts'),
    duration: Duration(60_000).optional().describe('how long each occurrence lasts'),
    author: z.string().optional(),
    comment: z.string().optional(),
  })
  .strict()
  .transform((m, ctx): SuppressionWindow => {
    for (const [i, text] of m.matchers.entries()) {
      const parsed = parseMatcher(text);
      if (typeof parsed === 'string')
        ctx.addIssue({ code: 'custom', path: ['matchers', i], message: parsed });
    }
    if ((m.cron === undefined) !== (m.duration === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: [m.cron === undefined ? 'cron' : 'duration'],
        message: 'give cron and duration together',
      });
    } else if (m.cron !== undefined) {
      // Checked from the window's start (or now): "never fires" is about the expression, not the clock.
      const problem = cronProblem(m.cron, m.starts_at ?? Date.now());
      if (problem) ctx.addIssue({ code: 'custom', path: ['cron'], message: problem });
    } else if (m.starts_at === undefined || m.ends_at === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['starts_at'],
        message: 'give starts_at and ends_at, or cron and duration',
      });
    }
    if (m.starts_at !== undefined && m.ends_at !== undefined && m.ends_at <= m.starts_at) {
      ctx.addIssue({ code: 'custom', path: ['ends_at'], message: 'must be after starts_at' });
    }
    return compileWindow({
      matchers: m.matchers,
      startsAt: m.starts_at ?? null,
      endsAt: m.ends_at ?? null,
      schedule:
        m.cron !== undefined && m.duration !== undefined ? { cron: m.cron, durationMs: m.duration } : null,
    });
  });

/** Where a series' capacity comes from. */
export type CapacitySpec =
  | { kind: 'value'; value: number }
  /** The value of this label of the series (e.g. a link's speed written into its labels). */
  | { kind: 'label'; name: string }
  /** The newest value of another PromQL series whose labels all appear, equal, in the series'. */
  | { kind: 'expr'; expr: string };

/** A job's `forecast:` block, normalized (jobs/forecast.ts runs it). */
export interface ForecastSpec {
  horizonMs: number;
  refreshMs: number;
  method?: ForecastMethod;
  capacity: CapacitySpec | null;
  fraction: number;
}

/**
 * The job's continuous forecasts (jobs/forecast.ts): refreshed every `refresh`, exported as
 * trafficlens_forecast_* gauges. At most one capacity source: a number, a label of the series, or a
 * PromQL expression whose series carry a subset of the job series' labels.
 */
const ForecastConfig = z
  .object({
    horizon: Duration(60_000).prefault('24h').describe('how far ahead (default 24h)'),
    refresh: Duration(1000)
      .prefault('15m')
      .describe('forecast every series again this often (default 15m; at least the interval)'),
    method: ForecastMethod.optional(),
    capacity: z.number().positive().finite().optional().describe("every series' capacity, in its units"),
    capacity_label: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a label name')
      .optional()
      .describe("the label holding each series' capacity, e.g. speed_bytes"),
    capacity_expr: PromQLExpr.optional().describe(
      'PromQL whose series give the capacity of each job series with the same labels (e.g. link speeds)',
    ),
    threshold: ThresholdFraction.default(0.8),
  })
  .strict();

const JobConfigObject = z
  .object({
    name: z
      .string()
      .regex(
        /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/,
        'must be 1–63 letters, digits, "_", "." or "-", starting alphanumeric',
      ),
    expr: z
      .string()
      .optional()
      .describe('PromQL expression on the configured Prometheus; short for source: {type: prometheus, expr}'),
    source: SourceConfig.optional(),
    // A neural detector trains a model per series (jobs/models.ts). Not the classifier: it needs labels.
    detector: z
      .enum([...STATISTICAL_DETECTORS, ...JOB_NEURAL_DETECTORS], {
        error: (issue) =>
          issue.input === 'classifier'
            ? 'classifier needs labelled anomalies, which a continuous job does not have: use lstm or autoencoder'
            : `expected one of ${[...STATISTICAL_DETECTORS, ...JOB_NEURAL_DETECTORS].join(', ')}`,
      })
      .default('auto'),
    training: z
      .object({
        epochs: TrainOptions.shape.epochs,
        window: TrainOptions.shape.window,
      })
      .strict()
      .optional()
      .describe('neural detectors: training options of the per-series models (defaults per detector)'),
    sensitivity: Sensitivity.default(DEFAULT_SENSITIVITY),
    unit: Unit.optional().describe(
      "Grafana unit id of every series' values as scored (default: the source's, e.g. the simulator's; else none)",
    ),
    options: ScoreOptions.omit({ causal: true })
      .optional()
      .describe('passed to the engine; scoring is always causal'),
    interval: Duration(1000).prefault('15s').describe('how often the job fetches and scores new points'),
    step: Duration(1000).prefault('60s').describe('resolution of the series fetched'),
    fit_window: Duration(1000)
      .optional()
      .describe(
        'history fetched and scored at start, so detectors are past learning when live points come ' +
          '(default: 2,880 steps, at least 2 days, at most 9¼ days)',
      ),
    fit_every: Duration(60_000)
      .optional()
      .describe(
        'rebuild every series model from a fresh fit_window this often (default: never; models learn online)',
      ),
    retention: z
      .union([z.number().int().min(1).max(MAX_RETENTION_POINTS), z.string()])
      .optional()
      .describe(
        `results kept per series: a number of points, or a duration converted at the step (default ${DEFAULT_RETENTION_POINTS} points, more for a forecast's horizon or a day for groups)`,
      ),
    stale_intervals: z
      .number()
      .int()
      .min(1)
      .max(10_000)
      .default(DEFAULT_STALE_INTERVALS)
      .describe(
        'a series with no sample for this many intervals (or steps, when the step is longer) is stale: shown as such, not dropped',
      ),
    stale_after: Duration(1000)
      .optional()
      .describe(
        'a series absent from the source this long is dropped (default: 1 day, or twice the stale time if longer)',
      ),
    timeout: Duration(100)
      .optional()
      .describe('a fetch taking longer is aborted (default: 2 intervals, at least 30s)'),
    filters: z.array(Matcher).default([]).describe('PromQL-style matchers: site="ams", link=~"transit-.*"'),
    // One process keeps 200,000 series (issue 15, `bench --scale`); the limit only catches typos.
    max_series: z
      .number()
      .int()
      .min(1)
      .max(MAX_SERIES_LIMIT)
      .default(1000)
      .describe('series beyond this are ignored'),
    groups: z
      .array(
        z
          .string()
          .regex(
            /^[A-Za-z_][A-Za-z0-9_]*$/,
            'must be a label name (letters, digits, "_", not starting with a digit)',
          )
          .refine((name) => name !== 'job' && name !== 'detector', {
            message: "job and detector are the scorer's own labels, not a series label to group by",
          }),
      )
      .max(4)
      .default([])
      .refine((names) => new Set(names).size === names.length, { message: 'a label may appear only once' })
      .describe(
        "label names from the broadest down, e.g. [site, device]: series sharing the first one's value form a group, whose co-anomalous series become one incident",
      ),
    incident_window: Duration(1000)
      .optional()
      .describe(
        'episodes of one group starting within this of an incident (still open, or ended this recently) join it (default: 5 intervals)',
      ),
    network: z
      .object({
        detector: z
          .enum(['pca', 'none'])
          .default('pca')
          .describe(
            "pca: the PCA subspace detector on each group's aligned series; none: incidents from the series' own episodes only",
          ),
        window: z
          .number()
          .int()
          .min(20)
          .max(10_000)
          .default(288)
          .describe('vectors (steps) the normal subspace is fitted on'),
        refit_every: z
          .number()
          .int()
          .min(1)
          .max(10_000)
          .default(24)
          .describe('refit the subspace after this many new steps'),
      })
      .strict()
      .prefault({})
      .describe('the network-wide detector of jobs with groups'),
    forecast: ForecastConfig.optional().describe(
      'forecast each series on a schedule, with the time until it reaches `threshold` of its capacity',
    ),
    maintenance: z
      .array(MaintenanceConfig)
      .default([])
      .describe(
        "maintenance windows of the job's series: suppressed (scored, never an alert) while one is active",
      ),
  })
  .strict();

/** What a job runs on: config validated, defaults applied, durations in ms. */
export interface JobSpec {
  name: string;
  source: SourceConfig;
  detector: DetectorName;
  sensitivity: number;
  /** Grafana unit id of every series; null: the source's per series (if it knows). */
  unit: string | null;
  options?: Omit<ScoreOptions, 'causal'>;
  intervalMs: number;
  stepMs: number;
  fitWindowMs: number;
  /** Rebuild the models from a fresh fit window this often; null: never (they learn with every point). */
  fitEveryMs: number | null;
  /** Neural detectors: options of the per-series models' training. */
  training?: { epochs?: number; window?: number };
  retentionPoints: number;
  /** No sample for this long: the series is stale (jobs/quality.ts); stale_intervals × max(interval, step). */
  qualityStaleMs: number;
  /** Absent from the source for this long: the series is dropped. */
  staleAfterMs: number;
  timeoutMs: number;
  matchers: LabelMatcher[];
  maxSeries: number;
  /** The job's own maintenance windows (the jobs file's `maintenance:`); the store's apply too. */
  maintenance: SuppressionWindow[];
  /** Label names from the broadest down (`[site, device]`); none: the job has no groups nor incidents. */
  groups: string[];
  /** An episode starting this close after an incident (open or recently ended) of its group joins it. */
  incidentWindowMs: number;
  /** The network-wide detector of each group (network/detector.ts); used only with groups. */
  network: { detector: 'pca' | 'none'; window: number; refitEvery: number };
  /** Continuous forecasts (jobs/forecast.ts); null: none. */
  forecast: ForecastSpec | null;
}

/**
 * A job's retention when it sets none: DEFAULT_RETENTION_POINTS, or more where a feature reads further
 * back: a forecast needs its horizon of history, and a series joining a group is primed from its
 * siblings' retained points covering their period (jobs/coldStart.ts), a day for daily traffic.
 */
export function defaultRetentionPoints(c: {
  step: number;
  groups: readonly string[];
  forecast?: { horizon: number };
}): number {
  const needs = [DEFAULT_RETENTION_POINTS];
  if (c.forecast) needs.push(Math.ceil(c.forecast.horizon / c.step));
  if (c.groups.length > 0) needs.push(Math.ceil(DAY_MS / c.step));
  return Math.min(MAX_RETENTION_POINTS, Math.max(...needs));
}

export const JobConfig = JobConfigObject.transform((c, ctx): JobSpec => {
  let source: SourceConfig;
  if (c.source && c.expr !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['expr'], message: 'give either expr or source, not both' });
    return z.NEVER;
  } else if (c.source) {
    source = c.source;
  } else if (c.expr !== undefined) {
    const parsed = PrometheusSourceConfig.safeParse({ type: 'prometheus', expr: c.expr });
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        ctx.addIssue({ code: 'custom', path: ['expr'], message: issue.message });
      }
      return z.NEVER;
    }
    source = parsed.data;
  } else {
    ctx.addIssue({
      code: 'custom',
      path: ['expr'],
      message: 'expected a PromQL expression (expr), or a source such as {type: simulator}',
    });
    return z.NEVER;
  }
  let retentionPoints: number;
  if (c.retention === undefined) {
    retentionPoints = defaultRetentionPoints(c);
  } else if (typeof c.retention === 'number') {
    retentionPoints = c.retention;
  } else {
    const ms = parseDuration(c.retention);
    if (ms === null) {
      ctx.addIssue({
        code: 'custom',
        path: ['retention'],
        message: `${JSON.stringify(c.retention)} is neither a number of points nor a duration`,
      });
      return z.NEVER;
    }
    retentionPoints = Math.max(1, Math.floor(ms / c.step));
  }
  if (retentionPoints > MAX_RETENTION_POINTS) {
    ctx.addIssue({
      code: 'custom',
      path: ['retention'],
      message: `keeps ${retentionPoints} points per series at this step; the limit is ${MAX_RETENTION_POINTS}`,
    });
  }
  const fitWindowMs = c.fit_window ?? defaultFitWindowMs(c.step);
  const backfill = Math.floor(fitWindowMs / c.step);
  if (backfill > MAX_BACKFILL_POINTS) {
    ctx.addIssue({
      code: 'custom',
      path: ['fit_window'],
      message: `is ${backfill} points at step ${formatDuration(c.step)}; the limit is ${MAX_BACKFILL_POINTS}`,
    });
  }
  const qualityStaleMs = c.stale_intervals * Math.max(c.interval, c.step);
  const staleAfterMs = c.stale_after ?? Math.max(DEFAULT_DROP_AFTER_MS, 2 * qualityStaleMs);
  if (staleAfterMs < c.interval) {
    ctx.addIssue({ code: 'custom', path: ['stale_after'], message: 'must be at least the interval' });
  }
  if (c.fit_every !== undefined && c.fit_every < c.interval) {
    ctx.addIssue({ code: 'custom', path: ['fit_every'], message: 'must be at least the interval' });
  }
  let forecast: ForecastSpec | null = null;
  if (c.forecast) {
    const f = c.forecast;
    const given = (['capacity', 'capacity_label', 'capacity_expr'] as const).filter(
      (k) => f[k] !== undefined,
    );
    if (given.length > 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['forecast', given[1]],
        message: `give one of ${given.join(', ')}`,
      });
    }
    if (f.refresh < c.interval) {
      ctx.addIssue({
        code: 'custom',
        path: ['forecast', 'refresh'],
        message: 'must be at least the interval',
      });
    }
    // A forecast needs at least its horizon of history (forecast/forecast.ts): the job must retain it.
    const retainedMs = retentionPoints * c.step;
    if (f.horizon > retainedMs) {
      ctx.addIssue({
        code: 'custom',
        path: ['forecast', 'horizon'],
        message: `a ${formatDuration(f.horizon)} forecast needs at least ${formatDuration(f.horizon)} of history; retention keeps ${formatDuration(retainedMs)} (${retentionPoints} points at ${formatDuration(c.step)}): raise retention`,
      });
    }
    forecast = {
      horizonMs: f.horizon,
      refreshMs: f.refresh,
      ...(f.method ? { method: f.method } : {}),
      capacity:
        f.capacity !== undefined
          ? { kind: 'value', value: f.capacity }
          : f.capacity_label !== undefined
            ? { kind: 'label', name: f.capacity_label }
            : f.capacity_expr !== undefined
              ? { kind: 'expr', expr: f.capacity_expr }
              : null,
      fraction: f.threshold,
    };
  }
  return {
    name: c.name,
    source,
    detector: c.detector,
    sensitivity: c.sensitivity,
    unit: c.unit ?? null,
    ...(c.options ? { options: c.options } : {}),
    intervalMs: c.interval,
    stepMs: c.step,
    fitWindowMs,
    fitEveryMs: c.fit_every ?? null,
    ...(c.training ? { training: c.training } : {}),
    retentionPoints,
    qualityStaleMs,
    staleAfterMs,
    timeoutMs: c.timeout ?? Math.max(2 * c.interval, 30_000),
    matchers: c.filters,
    maxSeries: c.max_series,
    maintenance: c.maintenance,
    groups: c.groups,
    incidentWindowMs: c.incident_window ?? 5 * Math.max(c.interval, c.step),
    network: { detector: c.network.detector, window: c.network.window, refitEvery: c.network.refit_every },
    forecast,
  };
});

/** A job as written in a config file. */
export type JobConfigInput = z.input<typeof JobConfig>;

export class JobConfigError extends Error {
  constructor(
    message: string,
    readonly issues: { path: string; message: string }[],
  ) {
    super(message);
    this.name = 'JobConfigError';
  }
}

/** Validate one job; the error lists every problem as "path: message". */
export function parseJobConfig(input: unknown): JobSpec {
  const result = JobConfig.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => ({
    path: i.path.map(String).join('.'),
    message: i.message,
  }));
  const name =
    typeof input === 'object' && input !== null && typeof (input as { name?: unknown }).name === 'string'
      ? ` "${(input as { name: string }).name}"`
      : '';
  const list = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
  throw new JobConfigError(`invalid job${name}: ${list}`, issues);
}

export interface SourceDeps {
  /** The server's Prometheus (TRAFFICLENS_PROMETHEUS_URL); PromQL jobs need it. */
  prometheus?: PrometheusClient | null;
}

/** The Source a config names. */
export function createSource(config: SourceConfig, deps: SourceDeps = {}): Source {
  switch (config.type) {
    case 'prometheus':
      if (!deps.prometheus) {
        throw new JobConfigError(
          'a PromQL job needs a Prometheus: set TRAFFICLENS_PROMETHEUS_URL (or --prometheus-url)',
          [{ path: 'expr', message: 'no Prometheus configured' }],
        );
      }
      return new PrometheusSource(deps.prometheus, config.expr);
    case 'simulator':
      return new SimulatorSource({
        seed: config.seed,
        speed: config.speed,
        kinds: config.kinds,
        incidents: config.incidents,
        incidentEveryMs: config.incident_every,
      });
  }
}
