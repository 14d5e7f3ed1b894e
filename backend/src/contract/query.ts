/**
 * POST /api/v1/query: score what a PromQL expression returns. One zod schema per shape, like the score
 * contract, so validation, types and the OpenAPI document come from the same definition. The
 * Prometheus it reads is the server's (TRAFFICLENS_PROMETHEUS_URL); a request only brings an expression.
 */
import { z } from 'zod';
import { parseDuration } from './duration.js';
import { DetectorName, ScoreOptions, SeriesScore, inEpochMsRange } from './score.js';
import { Sensitivity } from './sensitivity.js';
import { Unit } from './unit.js';

/** Epoch milliseconds, or an RFC 3339 / ISO 8601 date-time with Z or an offset. Output: epoch ms. */
export const QueryTime = z
  .union([z.number().finite(), z.string()])
  .transform((value, ctx) => {
    const ms =
      typeof value === 'number'
        ? value
        : /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/.test(value)
          ? Date.parse(value)
          : NaN;
    if (inEpochMsRange(ms)) return ms;
    if (Number.isFinite(ms)) {
      ctx.addIssue({
        code: 'custom',
        message: `expected a time from 1970-01-01 to 2200-01-01, got ${JSON.stringify(value)}`,
      });
      return z.NEVER;
    }
    ctx.addIssue({
      code: 'custom',
      message: `expected epoch milliseconds or an RFC 3339 time with Z or an offset, got ${JSON.stringify(String(value).slice(0, 64))}`,
    });
    return z.NEVER;
  })
  .describe('epoch milliseconds, or RFC 3339 (2025-01-13T08:00:00Z); from 1970-01-01 to 2200-01-01');

/** Milliseconds, or a Prometheus duration ("15s", "1m", "1h30m"). Output: ms. */
export const QueryStep = z
  .union([z.number().finite(), z.string()])
  .transform((value, ctx) => {
    const ms = typeof value === 'number' ? value : (parseDuration(value) ?? NaN);
    if (!(ms >= 1000) || !Number.isFinite(ms)) {
      ctx.addIssue({
        code: 'custom',
        message: `expected a step of at least 1s, as milliseconds or a duration like 15s or 1m, got ${JSON.stringify(value)}`,
      });
      return z.NEVER;
    }
    return Math.round(ms);
  })
  .describe('evaluation step: milliseconds, or a duration such as 15s, 1m, 1h (at least 1s)');

/** A PromQL expression, run on the server's Prometheus (a request never names the URL). */
export const PromQLExpr = z
  .string()
  .trim()
  .min(1, 'expected a PromQL expression')
  .max(20_000, 'expected at most 20,000 characters');

export const QueryRequest = z
  .object({
    expr: PromQLExpr.describe('PromQL expression; every series it returns is scored'),
    start: QueryTime,
    end: QueryTime,
    step: QueryStep,
    detector: DetectorName.optional(),
    sensitivity: Sensitivity.optional(),
    options: ScoreOptions.optional(),
    unit: Unit.optional().describe(
      'Grafana unit id of the values of every series the expression returns (as scored: for a counter, of its rate); echoed in each series',
    ),
  })
  .strict()
  .superRefine((q, ctx) => {
    if (q.end < q.start) ctx.addIssue({ code: 'custom', path: ['end'], message: 'must not be before start' });
  })
  .describe(
    'Score a PromQL expression over [start, end]. The history the detector needs before start is fetched ' +
      'too (see QueryInfo.historyStart) and only [start, end] is returned.',
  );
export type QueryRequest = z.output<typeof QueryRequest>;

export const QueryInfo = z.object({
  expr: z.string(),
  start: z.number().describe('epoch ms, as asked'),
  end: z.number(),
  stepMs: z.number(),
  historyStart: z
    .number()
    .describe(
      'epoch ms: where the fetched history begins (start − max(9¼ days, 500 steps), at most 20,000 steps)',
    ),
  fetchedSeries: z.number().int(),
  fetchedPoints: z.number().int().describe('points fetched from Prometheus, history included'),
});
export type QueryInfo = z.infer<typeof QueryInfo>;

export const QueryResponse = z.object({
  series: z
    .array(SeriesScore)
    .describe('one scored series per series the expression returned, points within [start, end] only'),
  query: QueryInfo,
});
export type QueryResponse = z.infer<typeof QueryResponse>;
