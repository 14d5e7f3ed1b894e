/**
 * The score contract (README, "The score contract"): one zod schema per API shape. The same schemas validate
 * requests, give the TypeScript types, and generate the OpenAPI document, so they cannot drift.
 */
import { z } from 'zod';
import { parseDuration } from './duration.js';
import { TIME_ZONE_EXAMPLE, isTimeZone } from './timezone.js';
import { Sensitivity } from './sensitivity.js';
import { EXPLANATION_KINDS, SEVERITY_LABELS } from './severity.js';
import { Unit } from './unit.js';

export const DETECTOR_NAMES = [
  'auto',
  'robust',
  'seasonal',
  'kmeans',
  'autoencoder',
  'lstm',
  'classifier',
] as const;
export const DetectorName = z.enum(DETECTOR_NAMES);
/** The detectors that need no trained model (the neural ones are in contract/models.ts). */
export const STATISTICAL_DETECTORS = ['auto', 'robust', 'seasonal', 'kmeans'] as const;
export type DetectorName = z.infer<typeof DetectorName>;

/**
 * The times the service accepts, epoch ms: 1970-01-01 to 2200-01-01. Beyond that a timestamp is a
 * unit mistake (seconds ×1e6, nanoseconds) or garbage, and 1e20 or ±1.79e308 broke the cleaner's
 * grid arithmetic (outputPoints became null in the answer).
 */
export const EPOCH_MS_RANGE = { min: 0, max: Date.UTC(2200, 0, 1) } as const;

/** Whether `ms` lies in EPOCH_MS_RANGE (NaN does not): EpochMs' check, for code that reads raw numbers. */
export function inEpochMsRange(ms: number): boolean {
  return ms >= EPOCH_MS_RANGE.min && ms <= EPOCH_MS_RANGE.max;
}

const epochMsMessage = `expected epoch milliseconds from 0 (1970-01-01) to ${EPOCH_MS_RANGE.max} (2200-01-01)`;

export const EpochMs = z
  .number()
  .min(EPOCH_MS_RANGE.min, epochMsMessage)
  .max(EPOCH_MS_RANGE.max, epochMsMessage)
  .describe('epoch milliseconds, 1970-01-01 to 2200-01-01');

/** Label name → value. (A `__proto__` key is refused before validation: see api/errors.ts.) */
export const Labels = z.record(z.string(), z.string());

/** One input series. Timestamps are epoch milliseconds; values may contain null for missing points. */
export const SeriesInput = z
  .object({
    labels: Labels.optional(),
    timestamps: z.array(EpochMs),
    values: z.array(z.number().nullable()),
    unit: Unit.optional(),
  })
  .strict();
export type SeriesInput = z.infer<typeof SeriesInput>;

export const ScoreOptions = z
  .object({
    causal: z
      .boolean()
      .optional()
      .describe('score each point only from data at or before it (default false: fit on the whole range)'),
    counter: z
      .union([z.boolean(), z.literal('auto')])
      .optional()
      .describe('treat values as a monotonic counter and score its rate; "auto" detects it (default)'),
    period: z
      .union([z.number().int().min(2).max(100000), z.literal('auto'), z.literal('none')])
      .optional()
      .describe('season length in points, "auto" to detect (default) or "none"'),
    minEpisodePoints: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .optional()
      .describe('shortest episode kept (default 1)'),
    direction: z.enum(['both', 'up', 'down']).optional().describe('which deviations count (default both)'),
    acceptNewLevelAfter: z
      .string()
      .refine((v) => v === 'never' || parseDuration(v) !== null, {
        message: 'expected a duration such as 6h, 1d or 1w, or "never"',
      })
      .optional()
      .describe(
        'how long a sustained deviation stays anomalous before its level is learnt as normal: a duration (6h, 1d) or "never" (default 1d; a drop toward zero is never learnt; with a duration, never longer than the normal history the series had when the deviation began, nor shorter than a quarter of the duration)',
      ),
    timezone: z
      .string()
      .refine(isTimeZone, { message: `expected ${TIME_ZONE_EXAMPLE}` })
      .optional()
      .describe(
        "the time zone whose local clock the series' traffic keeps, an IANA name such as Europe/Berlin: its daily and weekly pattern moves with the zone's daylight-saving changes at their instant (default none: a pattern that keeps UTC, whose move by an hour is found from the data after a few hours)",
      ),
  })
  .strict();
export type ScoreOptions = z.infer<typeof ScoreOptions>;

/**
 * History after which `auto` has seen every time of the week: it confirms a day 2¼ days in
 * (detectors/seasonal/component.ts, calendarCheckDue) and its weekly correction has seen each time of the
 * week a week after that. Before, a time of the week is scored as a series' first week is (its noise scale
 * read from its level, its residual tests and the level CUSUM silent), and from a 5-minute step on a 40 %
 * drop there went unflagged. What the query API fetches before a range (QUERY_HISTORY) and a job's
 * default backfill (defaultFitWindowMs) reach for.
 */
export const WEEK_SEEN_AFTER_MS = 9.25 * 86_400_000;

/**
 * A series' state. The score API gives ok, learning or no_data; a job's series can also be suppressed
 * (a maintenance window) or in a data-quality state (stale, gap, flatline: docs/jobs.md, "Data quality").
 */
export const SeriesState = z.enum(['ok', 'learning', 'no_data', 'suppressed', 'stale', 'gap', 'flatline']);
export type SeriesState = z.infer<typeof SeriesState>;

export const Direction = z.enum(['up', 'down']);
export type Direction = z.infer<typeof Direction>;

export const ExplanationKind = z.enum(EXPLANATION_KINDS);
export type ExplanationKind = z.infer<typeof ExplanationKind>;

export const Explanation = z.object({
  kind: ExplanationKind,
  summary: z.string(),
  expected: z.number().nullable(),
  actual: z.number().nullable(),
  features: z.array(z.object({ name: z.string(), contribution: z.number() })),
  /**
   * Episodes of 10 or more anomalous points (kind level_shift, or variance_change when they lie on both
   * sides of expected): when the change began (ms since epoch).
   */
  since: z.number().optional(),
  /** With `since` on a level_shift: its mean size, value − expected over the episode's anomalous points. */
  shift: z.number().optional(),
});
export type Explanation = z.infer<typeof Explanation>;

export const SeverityLabel = z.enum(SEVERITY_LABELS);
export type SeverityLabel = z.infer<typeof SeverityLabel>;

export const Episode = z.object({
  start: z.number(),
  end: z.number(),
  peakTime: z.number(),
  peakScore: z.number(),
  severity: z.number().min(0).max(100),
  severityLabel: SeverityLabel,
  direction: Direction,
  open: z.boolean().describe('true while the episode is still going on at the last point'),
  explanation: Explanation,
});
export type Episode = z.infer<typeof Episode>;

export const CleaningReport = z.object({
  inputPoints: z.number(),
  outputPoints: z.number(),
  stepMs: z.number(),
  unsorted: z.boolean(),
  duplicates: z.number(),
  invalid: z.number().describe('NaN, Inf or null values dropped'),
  gaps: z.number().describe('points missing on the regular grid (left missing, never zero)'),
  counter: z.boolean(),
  counterResets: z.number(),
});
export type CleaningReport = z.infer<typeof CleaningReport>;

export const ModelInfo = z.object({
  detector: z.string(),
  components: z.array(z.string()),
  period: z.number().nullable(),
  threshold: z.number().describe('raw deviation at score 1 for the chosen sensitivity'),
  learningPoints: z.number(),
  causal: z.boolean(),
  trained: z
    .object({
      id: z.string(),
      version: z.number().int().nullable(),
      state: z.enum(['ready', 'training', 'failed', 'quarantined', 'missing']),
    })
    .optional()
    .describe('the trained model a neural detector scored with (or was asked for)'),
  fallback: z
    .object({ from: z.string(), reason: z.string() })
    .optional()
    .describe(
      'set when a neural detector had no trained model: `detector` is the statistical one that scored instead, and the state is `learning`',
    ),
});
export type ModelInfo = z.infer<typeof ModelInfo>;

const nullableNumbers = z.array(z.number().nullable());

/** One scored series: the score contract, point by point on the cleaned grid. */
export const SeriesScore = z.object({
  labels: Labels,
  unit: z
    .string()
    .nullable()
    .describe(
      'Grafana unit id of values, expected and the band, as the request or job gave it; null: unknown',
    ),
  state: SeriesState,
  detector: z.string(),
  model: ModelInfo,
  cleaning: CleaningReport,
  timestamps: z.array(z.number()),
  values: nullableNumbers,
  score: z.array(z.number().min(0)),
  expected: nullableNumbers,
  lower: nullableNumbers,
  upper: nullableNumbers,
  anomaly: z.array(z.boolean()),
  direction: z.array(Direction.nullable()),
  episodes: z.array(Episode),
});
export type SeriesScore = z.infer<typeof SeriesScore>;

/** Label names from the broadest down, as a job's `groups` (jobs/config.ts), for one request's series. */
export const GroupLabels = z
  .array(
    z
      .string()
      .regex(
        /^[A-Za-z_][A-Za-z0-9_]*$/,
        'must be a label name (letters, digits, "_", not starting with a digit)',
      ),
  )
  .min(1)
  .max(4)
  .refine((names) => new Set(names).size === names.length, { message: 'a label may appear only once' })
  .describe(
    "label names from the broadest down, e.g. [site, link]: the request's series sharing the first one's value form a group, and its series anomalous together (episodes starting within 5 steps of each other) are told as one incident in the response's `incidents`",
  );

export const ScoreRequest = z
  .object({
    series: z.array(SeriesInput).min(1),
    detector: DetectorName.optional(),
    sensitivity: Sensitivity.optional(),
    options: ScoreOptions.optional(),
    model: z
      .string()
      .max(64)
      .optional()
      .describe(
        'id of a trained model (POST /api/v1/models) to score with; until it is ready, a statistical detector scores and the state is `learning`',
      ),
    groups: GroupLabels.optional(),
  })
  .strict();
export type ScoreRequest = z.infer<typeof ScoreRequest>;

export const ScoreResponse = z.object({ series: z.array(SeriesScore) });
export type ScoreResponse = z.infer<typeof ScoreResponse>;
