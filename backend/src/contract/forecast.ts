/**
 * POST /api/v1/forecast: each series' forecast for a horizon with 80 % and 95 % intervals, and, given
 * a capacity, the time until it reaches a share of it. One zod schema per shape, like the score
 * contract: validation, types and the OpenAPI document come from the same definition.
 */
import { z } from 'zod';
import { parseDuration } from './duration.js';
import { EpochMs, Labels, SeriesInput } from './score.js';
import { Unit } from './unit.js';

/** The methods a forecast can use; `seasonal_trend` is the default, chosen by `npm run bench` (README). */
export const FORECAST_METHODS = ['seasonal_trend', 'seasonal_naive', 'mstl', 'ets'] as const;
export const ForecastMethod = z
  .enum(FORECAST_METHODS)
  .describe(
    'seasonal_trend (default): the seasonal profile plus a damped trend, intervals from its own backtest; seasonal_naive: the last season repeated; mstl: augurs MSTL with an AutoETS trend; ets: augurs AutoETS without a season',
  );
export type ForecastMethod = z.infer<typeof ForecastMethod>;

/** Longest horizon a forecast may ask for. */
export const MAX_FORECAST_HORIZON_MS = 90 * 86_400_000;

export const ForecastHorizon = z
  .string()
  .refine(
    (v) => {
      const ms = parseDuration(v);
      return ms !== null && ms >= 60_000 && ms <= MAX_FORECAST_HORIZON_MS;
    },
    { message: 'expected a duration from 1m to 90d, such as 24h or 7d' },
  )
  .describe('how far ahead: a duration such as 24h or 7d (1m to 90d); the history must be at least as long');

export const ThresholdFraction = z
  .number()
  .gt(0)
  .max(1)
  .describe('share of the capacity that counts as "full" (default 0.8)');

export const ForecastRequest = z
  .object({
    series: z.array(SeriesInput).min(1),
    horizon: ForecastHorizon,
    method: ForecastMethod.optional(),
    counter: z
      .union([z.boolean(), z.literal('auto')])
      .optional()
      .describe(
        'treat values as a monotonic counter and forecast its per-second rate; "auto" detects it (default)',
      ),
    capacity: z
      .number()
      .positive()
      .finite()
      .optional()
      .describe(
        "each series' capacity in its values' unit (a counter's: per second), e.g. 1.25e9 for a 10 Gb/s link measured in bytes/s; with it each series gets `threshold`",
      ),
    thresholdFraction: ThresholdFraction.optional(),
  })
  .strict()
  .superRefine((request, ctx) => {
    request.series.forEach((series, index) => {
      if (series.timestamps.length !== series.values.length) {
        ctx.addIssue({
          code: 'custom',
          path: ['series', index],
          message: `timestamps has ${series.timestamps.length} points but values has ${series.values.length}; they must pair up`,
        });
      }
    });
  });
export type ForecastRequest = z.infer<typeof ForecastRequest>;

export const ForecastState = z
  .enum(['ok', 'flat', 'insufficient_history'])
  .describe(
    'ok: a forecast; flat: every value is the same (no line is drawn; `last` holds the value); insufficient_history: fewer than 16 valid points',
  );

const Path = z.array(z.number());

export const ThresholdCrossing = z
  .object({
    capacity: z.number(),
    fraction: z.number(),
    threshold: z.number().describe('capacity × fraction'),
    medianSeconds: z
      .number()
      .nullable()
      .describe(
        'seconds from the last point until the median path reaches the threshold; 0 already there; null not within the horizon',
      ),
    upperSeconds: z
      .number()
      .nullable()
      .describe('the same for the upper 95 % path: the earliest the threshold is plausibly reached'),
    horizonSeconds: z.number().describe('what the forecast covers; a null above means "not within this"'),
    sentence: z.string().describe('e.g. "ams/transit-1/out reaches 80 % of 10 Gb/s in about 3 days 4 hours"'),
  })
  .describe('when the forecast reaches a share of the capacity');
export type ThresholdCrossing = z.infer<typeof ThresholdCrossing>;

export const SeriesForecast = z.object({
  labels: Labels.optional(),
  unit: Unit.optional(),
  state: ForecastState,
  method: ForecastMethod,
  counter: z.boolean().describe('the input was read as a counter and its per-second rate is forecast'),
  stepMs: z
    .number()
    .describe("step of the forecast: the history's, coarser for a long one; 0 without a forecast"),
  period: z.number().int().nullable().describe('season length in steps the method used, or null'),
  last: z
    .object({ time: EpochMs, value: z.number() })
    .nullable()
    .describe("the last point of the history (a counter's: its rate); null without usable history"),
  timestamps: z.array(EpochMs).describe('one per step after `last.time`; empty unless state is ok'),
  mean: Path.describe('the median forecast'),
  lower80: Path,
  upper80: Path,
  lower95: Path,
  upper95: Path,
  threshold: ThresholdCrossing.optional(),
});
export type SeriesForecast = z.infer<typeof SeriesForecast>;

export const ForecastResponse = z.object({ series: z.array(SeriesForecast) });
export type ForecastResponse = z.infer<typeof ForecastResponse>;
