import express, { type RequestHandler } from 'express';
import { ScoreResponse, type ScoreRequest } from '../../contract/score.js';
import type { Config } from '../../config/index.js';
import { ApiError, parseOrThrow } from '../errors.js';
import { ScoringError, type ScoringExecutor } from '../executor.js';
import type { ApiMetrics } from '../metrics.js';
import { ScoreRequestBody } from '../schemas.js';
import { pointsOf, type ResolvedModel } from '../scoring.js';
import type { ModelResolver } from '../../models/registry.js';
import { errorResponses } from './errors.js';
import type { RouteSpec } from './route.js';

export interface ScoreRouteDeps {
  limits: Config['limits'];
  executor: ScoringExecutor;
  metrics: ApiMetrics;
  /** Trained models by id (request field `model`); absent: every `model` is unknown. */
  models?: ModelResolver;
}

/** The trained model a request names: unknown → 404; known but not ready → the engine falls back. */
function resolveModel(request: ScoreRequest, models: ModelResolver | undefined): ResolvedModel | undefined {
  if (request.model === undefined) return undefined;
  const found = models?.(request.model) ?? null;
  if (!found) {
    throw new ApiError(
      404,
      'model_not_found',
      `no model ${JSON.stringify(request.model)}; GET /api/v1/models lists them`,
      'validation',
      [{ path: 'model', message: 'no such model' }],
    );
  }
  return { detector: found.detector, model: found.bundle, trained: found.ref };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/**
 * Count limits are checked on the raw parsed body, before schema validation, so an oversized
 * request is refused without validating millions of points first.
 */
export function checkCountLimits(body: unknown, limits: Config['limits']): void {
  if (!isObject(body) || !Array.isArray(body.series)) return;
  const series = body.series;
  if (series.length > limits.maxSeriesPerRequest) {
    throw new ApiError(
      413,
      'too_many_series',
      `request has ${series.length} series; the limit is ${limits.maxSeriesPerRequest} series per request (TRAFFICLENS_MAX_SERIES)`,
      'limits',
      [{ path: 'series', message: `at most ${limits.maxSeriesPerRequest} series` }],
    );
  }
  series.forEach((s: unknown, index) => {
    if (!isObject(s)) return;
    for (const key of ['timestamps', 'values'] as const) {
      const points = s[key];
      if (Array.isArray(points) && points.length > limits.maxPointsPerSeries) {
        throw new ApiError(
          413,
          'too_many_points',
          `series[${index}].${key} has ${points.length} points; the limit is ${limits.maxPointsPerSeries} points per series (TRAFFICLENS_MAX_POINTS_PER_SERIES)`,
          'limits',
          [{ path: `series[${index}].${key}`, message: `at most ${limits.maxPointsPerSeries} points` }],
        );
      }
    }
  });
}

export function scoreRoutes({ limits, executor, metrics, models }: ScoreRouteDeps): RouteSpec[] {
  const requireJson: RequestHandler = (req, _res, next) => {
    if (!req.is('application/json')) {
      throw new ApiError(
        415,
        'unsupported_media_type',
        `expected Content-Type: application/json, got ${req.headers['content-type'] ?? 'none'}`,
        'parse',
      );
    }
    next();
  };

  const score: RequestHandler = async (req, res) => {
    checkCountLimits(req.body, limits);
    const request: ScoreRequest = parseOrThrow(ScoreRequestBody, req.body);
    const model = resolveModel(request, models);
    const detector = request.detector ?? model?.detector ?? 'auto';

    // A client that gives up should not keep a worker busy: cancel its queued and running chunks.
    const clientGone = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) clientGone.abort();
    });

    let json: string[];
    try {
      json = await executor.score(request, clientGone.signal, model);
    } catch (err) {
      if (!(err instanceof ScoringError && (err.kind === 'aborted' || err.kind === 'input'))) {
        metrics.scoringErrors.inc({ detector, kind: err instanceof ScoringError ? err.kind : 'unknown' });
      }
      throw err;
    }
    metrics.pointsScored.inc({ detector }, pointsOf(request.series));
    // The executor already serialized each series (off the event loop when pooled).
    res.type('application/json').send(`{"series":[${json.join(',')}]}`);
  };

  return [
    {
      method: 'post',
      path: '/api/v1/score',
      operationId: 'scoreSeries',
      summary: 'Score series for anomalies',
      description:
        'Scores each series (batch: the detector may use the whole range; set options.causal to score ' +
        'each point only from data at or before it). The response lists the series in request order.',
      tag: 'scoring',
      secured: true,
      requestBody: ScoreRequestBody,
      responses: {
        200: { description: 'one scored series per input series, same order', schema: ScoreResponse },
        ...errorResponses(400, 401, 404, 413, 415, 500, 503),
      },
      handlers: [express.json({ limit: limits.maxBodyBytes, strict: true }), requireJson, score],
    },
  ];
}
