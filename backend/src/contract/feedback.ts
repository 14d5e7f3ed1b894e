/**
 * Operators' feedback on an episode of a continuous job's series: `false_positive` (the series learns to
 * tolerate that deviation at that time of day, jobs/feedback.ts) or `true_incident` (its points are kept
 * out of the baselines and models, and listed as labels). These shapes validate the feedback API and
 * document it (api/routes/feedback.ts); the store keeps the records (store/feedback.ts).
 */
import { z } from 'zod';
import { Direction, EpochMs } from './score.js';
import { parseMatcher, type LabelMatcher } from './labels.js';

export const FEEDBACK_BASE_PATH = '/api/v1/feedback';
export const MAX_FEEDBACK_NOTE_CHARS = 2000;

/** The service's time range (score.ts, EPOCH_MS_RANGE), in whole milliseconds, as the windows API's. */
const epochMs = EpochMs.int();

export const FeedbackVerdict = z
  .enum(['false_positive', 'true_incident'])
  .describe(
    'false_positive: the series learns to tolerate that deviation (same direction, same point of its season, ' +
      'up to 1.2× its peak); true_incident: its points are kept out of baselines and model training and listed as a label',
  );
export type FeedbackVerdict = z.infer<typeof FeedbackVerdict>;

export const FeedbackInput = z
  .object({
    labels: z
      .record(z.string(), z.string())
      .describe("the series' labels, exactly as GET /api/v1/jobs/{name}/series returns them"),
    episodeStart: epochMs.describe("the episode's start, as the series' episodes give it"),
    episodeEnd: epochMs
      .optional()
      .describe("the episode's end, to check that it is the episode meant (optional; a closed episode only)"),
    verdict: FeedbackVerdict,
    note: z.string().max(MAX_FEEDBACK_NOTE_CHARS).default('').describe('why: a ticket, a cause'),
    author: z.string().trim().max(200).default('').describe('who says so'),
  })
  .strict()
  .describe('feedback on one episode of a series of the job');
export type FeedbackInput = z.output<typeof FeedbackInput>;

export const FeedbackTolerance = z
  .object({
    direction: Direction,
    periodMs: z
      .number()
      .nullable()
      .describe(
        "the series' season when the feedback was given (its detector's period: a day for daily traffic); " +
          'null: it had none, and the tolerance applies at any time',
      ),
    fromPhaseMs: z
      .number()
      .nullable()
      .describe(
        'start of the window, as t mod periodMs (for a one-day period: ms after 00:00 UTC): the episode start ' +
          'less 1/48 of the period (30 minutes of a day); null without a period',
      ),
    toPhaseMs: z
      .number()
      .nullable()
      .describe(
        'end of the window, likewise: the episode end plus 1/48 of the period; the window wraps when it is before fromPhaseMs',
      ),
    magnitude: z
      .number()
      .describe(
        "deviation from the expected value tolerated, in the series' units: 1.2 × the episode's peak, capped",
      ),
    capped: z
      .boolean()
      .describe(
        "the magnitude was cut to its cap (20 × the band's half-width at the peak): the same peak would still alert",
      ),
    bothSides: z
      .boolean()
      .describe(
        'deviations on both sides of the expected value are tolerated, not only in `direction`: the episode was ' +
          'a variance change (its points on both sides), and its magnitude is 1.2 × the larger side’s peak',
      ),
  })
  .describe(
    'what a false positive teaches its series: inside this window of its season, deviations in this direction (or on both sides) up to magnitude are not anomalous',
  );
export type FeedbackTolerance = z.infer<typeof FeedbackTolerance>;

export const Feedback = z
  .object({
    id: z.string(),
    job: z.string(),
    labels: z.record(z.string(), z.string()),
    episodeStart: epochMs,
    episodeEnd: epochMs.nullable().describe('null while an episode marked true_incident is still open'),
    verdict: FeedbackVerdict,
    direction: Direction.describe("the episode's direction"),
    note: z.string(),
    author: z.string(),
    createdAt: epochMs,
    peakDeviation: z
      .number()
      .nullable()
      .describe(
        "the episode's largest deviation from the expected value in its direction (on either side for a variance change), in the series' units",
      ),
    tolerance: FeedbackTolerance.nullable().describe('for a false positive: the tolerance it taught'),
    undoneAt: epochMs.nullable().describe('when it was undone (DELETE); it has no effect from then on'),
  })
  .describe('feedback on an episode');
export type Feedback = z.infer<typeof Feedback>;

export const FeedbackResponse = z.object({
  feedback: Feedback,
  effect: z.string().describe('what the feedback changes, in words'),
});
export type FeedbackResponse = z.infer<typeof FeedbackResponse>;

export const FeedbackListResponse = z.object({ job: z.string(), feedback: z.array(Feedback) });
export type FeedbackListResponse = z.infer<typeof FeedbackListResponse>;

const MatcherParam = z.string().transform((text, ctx): LabelMatcher => {
  const parsed = parseMatcher(text);
  if (typeof parsed !== 'string') return parsed;
  ctx.addIssue({ code: 'custom', message: parsed });
  return z.NEVER;
});

/** GET /api/v1/jobs/{name}/feedback's query, each value a string as the query parser gives it. */
export const FeedbackListQuery = z.object({
  match: z
    .array(MatcherParam)
    .optional()
    .describe('keep only the feedback on series whose labels match (PromQL matchers); repeat for several'),
  verdict: FeedbackVerdict.optional().describe(
    'only this verdict (true_incident: the labels for a classifier)',
  ),
  undone: z
    .enum(['true', 'false'])
    .optional()
    .describe('true: also the feedback that was undone (default false)'),
});

export const FeedbackPathParams = z.object({ id: z.string().describe('feedback id') });

export const FEEDBACK_INPUT_COMPONENTS: [z.ZodType, string][] = [[FeedbackInput, 'FeedbackInput']];
export const FEEDBACK_COMPONENTS: [z.ZodType, string][] = [
  [FeedbackResponse, 'FeedbackResponse'],
  [FeedbackListResponse, 'FeedbackListResponse'],
  [Feedback, 'Feedback'],
  [FeedbackTolerance, 'FeedbackTolerance'],
];
