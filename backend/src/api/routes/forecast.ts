/**
 * POST /api/v1/forecast: each series' forecast for a horizon with 80 % and 95 % intervals
 * (forecast/), and with a capacity the time until the median and upper paths reach a share of it.
 *
 * Runs on the event loop, yielding between series: the default method takes a few ms per series of
 * up to 4,032 modelled points (`npm run bench -- --only-forecast`), and the request's size is bounded
 * by the same series and point limits as /api/v1/score. augurs' methods (mstl, ets) cost 100–250 ms a
 * series and are there for comparison, on request.
 */
import express, { type RequestHandler } from 'express';
import type { Config } from '../../config/index.js';
import { ForecastRequest, ForecastResponse, type SeriesForecast } from '../../contract/forecast.js';
import { parseDuration } from '../../contract/duration.js';
import type { Labels } from '../../contract/labels.js';
import {
  augursEts,
  augursMstl,
  forecastSeries,
  HistoryTooShort,
  loadAugurs,
  timeToThreshold,
  type ForecastFn,
  type ForecastMethodName,
} from '../../forecast/index.js';
import { ApiError, parseOrThrow } from '../errors.js';
import { checkCountLimits } from '../scoreBody.js';
import { errorResponses } from './errors.js';
import type { RouteSpec } from './route.js';
import { requireJson } from './requireJson.js';

export interface ForecastRouteDeps {
  limits: Config['limits'];
}

/** How a series is named in a sentence: its label values ("ams/transit-1/out"), or its position. */
export function seriesName(labels: Labels | undefined, index: number): string {
  const values = Object.entries(labels ?? {})
    .filter(([k]) => k !== '__name__' && k !== 'metric')
    .map(([, v]) => v);
  return values.length > 0 ? values.join('/') : `series ${index}`;
}

async function methodsFor(method: ForecastMethodName | undefined) {
  if (method !== 'mstl' && method !== 'ets') return {};
  const lib = await loadAugurs();
  return { mstl: augursMstl(lib), ets: augursEts(lib) } satisfies Partial<
    Record<ForecastMethodName, ForecastFn>
  >;
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

export function forecastRoutes({ limits }: ForecastRouteDeps): RouteSpec[] {
  const forecast: RequestHandler = async (req, res) => {
    checkCountLimits(req.body, limits);
    const request = parseOrThrow(ForecastRequest, req.body);
    const horizonMs = parseDuration(request.horizon)!;
    const methods = await methodsFor(request.method);
    const out: SeriesForecast[] = [];
    for (const [index, s] of request.series.entries()) {
      if (index > 0) await nextTurn();
      let f;
      try {
        f = forecastSeries(s.timestamps, s.values, {
          horizonMs,
          method: request.method,
          methods,
          counter: request.counter,
        });
      } catch (err) {
        if (!(err instanceof HistoryTooShort)) throw err;
        throw new ApiError(400, 'history_too_short', `series[${index}]: ${err.message}`, 'validation', [
          { path: `series[${index}]`, message: err.message },
        ]);
      }
      const item: SeriesForecast = {
        ...(s.labels && { labels: s.labels }),
        ...(s.unit && { unit: s.unit }),
        ...f,
      };
      if (request.capacity !== undefined) {
        const c = timeToThreshold(f, request.capacity, {
          fraction: request.thresholdFraction,
          name: seriesName(s.labels, index),
          unit: s.unit,
        });
        item.threshold = {
          capacity: c.capacity,
          fraction: c.fraction,
          threshold: c.threshold,
          medianSeconds: c.medianMs === null ? null : c.medianMs / 1000,
          upperSeconds: c.upperMs === null ? null : c.upperMs / 1000,
          horizonSeconds: c.horizonMs / 1000,
          sentence: c.sentence,
        };
      }
      out.push(item);
    }
    res.json({ series: out } satisfies ForecastResponse);
  };

  return [
    {
      method: 'post',
      path: '/api/v1/forecast',
      operationId: 'forecastSeries',
      summary: 'Forecast series for a horizon, with intervals and the time to a capacity threshold',
      description:
        'Forecasts each series (a counter as its per-second rate) for the horizon, with 80 % and 95 % ' +
        'intervals, on timestamps after its last point. A flat or almost empty series gets a state instead ' +
        'of a line; a horizon longer than the history is refused with 400 history_too_short naming the ' +
        'minimum. With `capacity`, each series also gets when its median and upper paths reach ' +
        '`thresholdFraction` (default 0.8) of it, and a sentence saying so.',
      tag: 'scoring',
      secured: true,
      requestBody: ForecastRequest,
      responses: {
        200: { description: 'one forecast per input series, same order', schema: ForecastResponse },
        ...errorResponses(400, 401, 413, 415),
      },
      handlers: [express.json({ limit: limits.maxBodyBytes, strict: true }), requireJson, forecast],
    },
  ];
}
