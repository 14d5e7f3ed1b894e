/**
 * Live sensitivity of continuous jobs, per job and per series, and the alert-volume preview: the shapes
 * that validate the requests and document them (api/routes/sensitivity.ts declares the routes). A series
 * is named by its labels, as the jobs API returns them, written as a PromQL series selector:
 * `{link="transit-1",site="ams"}` (every label, exact values, any order).
 */
import { z } from 'zod';
import { parseMatcher, seriesKey, type LabelMatcher, type Labels } from './labels.js';
import { Sensitivity } from './sensitivity.js';

export const MAX_PREVIEW_SENSITIVITIES = 10;
export const MAX_PREVIEW_MATCHERS = 20;
const MAX_SELECTOR_CHARS = 8192;

/** `{a="x",b="y"}` of a series' labels (the form `series=` takes; seriesKey's, in braces). */
export const seriesSelector = (labels: Labels): string => `{${seriesKey(labels)}}`;

const PAIR = /\s*([a-zA-Z_][a-zA-Z0-9_]*\s*=\s*"(?:[^"\\]|\\.)*")\s*(,|$)/y;

/**
 * A series selector of exact labels, `{a="x",b="y"}`, as its labels; an error message otherwise. Each
 * pair is read by the matcher language (parseMatcher), so values are escaped as in every matcher.
 */
export function parseSeriesSelector(text: string): Labels | string {
  const body = /^\s*\{(.*)\}\s*$/s.exec(text)?.[1];
  const shown = JSON.stringify(text.slice(0, 200));
  if (body === undefined) {
    return `series ${shown} is not a series selector: write every label of the series as {name="value",…}`;
  }
  const labels: Labels = {};
  PAIR.lastIndex = 0;
  while (PAIR.lastIndex < body.length) {
    const at = PAIR.lastIndex;
    const m = PAIR.exec(body);
    if (!m) {
      return `series ${shown}: expected name="value" at character ${at + 1} of the labels (only exact values, no =~ or !=)`;
    }
    const parsed = parseMatcher(m[1]);
    if (typeof parsed === 'string') return parsed;
    if (parsed.name in labels) return `series ${shown} names the label ${parsed.name} twice`;
    labels[parsed.name] = parsed.value;
    if (m[2] === '') break;
  }
  if (Object.keys(labels).length === 0) return `series ${shown} has no labels`;
  return labels;
}

const SeriesParam = z
  .string()
  .max(MAX_SELECTOR_CHARS)
  .transform((text, ctx): Labels => {
    const parsed = parseSeriesSelector(text);
    if (typeof parsed !== 'string') return parsed;
    ctx.addIssue({ code: 'custom', message: parsed });
    return z.NEVER;
  });

/** The query of the per-series routes. */
export const SeriesSensitivityQuery = z.object({
  series: SeriesParam.describe(
    'the series, by every one of its labels as the jobs API returns them: {link="transit-1",site="ams"}',
  ),
});

export const SensitivitySettingInput = z
  .object({
    sensitivity: Sensitivity,
    author: z.string().trim().max(200).default('').describe('who set it'),
    comment: z.string().max(2000).default('').describe('why: a ticket, a noisy link, a change'),
  })
  .strict()
  .describe('a sensitivity to score at from the next point');
export type SensitivitySettingInput = z.output<typeof SensitivitySettingInput>;

const epochMs = z.number().describe('epoch milliseconds');

export const SensitivitySettingRecord = z
  .object({
    sensitivity: z.number(),
    author: z.string(),
    comment: z.string(),
    updatedAt: epochMs,
  })
  .describe('a setting made through the API');

export const SensitivitySourceEnum = z
  .enum(['series', 'job', 'config'])
  .describe("where it comes from: the series' own setting, the job's setting, or the jobs file (default 50)");

export const SeriesSensitivity = z
  .object({
    labels: z.record(z.string(), z.string()),
    series: z.string().describe('the series selector naming it in ?series='),
    sensitivity: z.number().describe('what it scores at from its next point'),
    from: SensitivitySourceEnum,
    setting: SensitivitySettingRecord.nullable().describe("the series' own setting; null when it has none"),
    scored: z.boolean().describe('the job scores the series now (a setting may name one that is gone)'),
  })
  .describe("one series' sensitivity");
export type SeriesSensitivity = z.infer<typeof SeriesSensitivity>;

export const JobSensitivityResponse = z.object({
  job: z.string(),
  sensitivity: z.number().describe('what the series without their own setting score at'),
  from: z.enum(['job', 'config']).describe("the job's setting, or the jobs file's sensitivity"),
  configured: z.number().describe("the jobs file's sensitivity (50 unless it sets one)"),
  setting: SensitivitySettingRecord.nullable().describe("the job's setting; null when it has none"),
  series: z.array(SeriesSensitivity).describe('the series that have their own setting'),
});
export type JobSensitivityResponse = z.infer<typeof JobSensitivityResponse>;

export const SeriesSensitivityResponse = z.object({
  job: z.string(),
  series: SeriesSensitivity,
  warnings: z
    .array(z.string())
    .describe('accepted, but worth a look: e.g. the job does not score this series now'),
});
export type SeriesSensitivityResponse = z.infer<typeof SeriesSensitivityResponse>;

const MatcherText = z
  .string()
  .max(1024)
  .transform((text, ctx): LabelMatcher => {
    const parsed = parseMatcher(text);
    if (typeof parsed !== 'string') return parsed;
    ctx.addIssue({ code: 'custom', message: parsed });
    return z.NEVER;
  });

export const PreviewRequest = z
  .object({
    sensitivities: z
      .array(Sensitivity)
      .min(1)
      .max(MAX_PREVIEW_SENSITIVITIES)
      .describe(`candidate sensitivities (1–${MAX_PREVIEW_SENSITIVITIES})`),
    match: z
      .array(MatcherText)
      .max(MAX_PREVIEW_MATCHERS)
      .default([])
      .describe(
        'only the series whose labels match all of these (PromQL matchers: site="ams", link=~"transit-.*")',
      ),
  })
  .strict()
  .describe("candidate sensitivities to replay the job's retained history at");
export type PreviewRequest = z.output<typeof PreviewRequest>;

export const PreviewFigure = z.object({
  episodes: z.number().int().describe('anomaly episodes (alerts); none that start in a maintenance window'),
  episodesPerDay: z.number().describe('episodes per day scored (the learning period not counted)'),
});

export const PreviewCandidate = PreviewFigure.extend({
  sensitivity: z.number(),
  seriesAlerting: z.number().int().describe('series with at least one episode'),
  summary: z.string().describe('e.g. "at 60: ≈3 alerts/day over 29 series; now 7"'),
});

export const PreviewSeries = z.object({
  labels: z.record(z.string(), z.string()),
  sensitivity: z.number().describe('what the series scores at now'),
  days: z.number().describe('days scored in the replay (its retained points after the learning period)'),
  candidates: z.array(PreviewFigure).describe('one per candidate sensitivity, in the order asked'),
  current: PreviewFigure.describe('replayed at its current sensitivity'),
  live: PreviewFigure.describe(
    'what the live stream flagged over the points the replay scored (after its learning period); it differs ' +
      'from current when the live stream learnt from points older than those retained, or its sensitivity ' +
      'or maintenance windows changed meanwhile',
  ),
});

export const PreviewResponse = z.object({
  job: z.string(),
  series: z.number().int().describe('series replayed'),
  days: z.number().describe('days scored: the longest of the series'),
  points: z.number().int().describe('retained points replayed, per sensitivity'),
  from: epochMs.nullable(),
  to: epochMs.nullable(),
  candidates: z.array(PreviewCandidate).describe('in the order asked'),
  current: PreviewFigure.describe(
    "every series replayed at the sensitivity it scores at now ('now' in the summaries)",
  ),
  live: PreviewFigure.describe('what the live stream flagged over the same points (see PreviewSeries.live)'),
  perSeries: z.array(PreviewSeries),
});
export type PreviewResponse = z.infer<typeof PreviewResponse>;
export type PreviewFigure = z.infer<typeof PreviewFigure>;

export const SETTINGS_INPUT_COMPONENTS: [z.ZodType, string][] = [
  [SensitivitySettingInput, 'SensitivitySettingInput'],
  [PreviewRequest, 'PreviewRequest'],
];
export const SETTINGS_COMPONENTS: [z.ZodType, string][] = [
  [JobSensitivityResponse, 'JobSensitivityResponse'],
  [SeriesSensitivityResponse, 'SeriesSensitivityResponse'],
  [SeriesSensitivity, 'SeriesSensitivity'],
  [SensitivitySettingRecord, 'SensitivitySettingRecord'],
  [PreviewResponse, 'PreviewResponse'],
  [PreviewCandidate, 'PreviewCandidate'],
  [PreviewSeries, 'PreviewSeries'],
  [PreviewFigure, 'PreviewFigure'],
];
