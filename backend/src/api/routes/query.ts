import express, { type RequestHandler } from 'express';
import { QueryRequest, QueryResponse } from '../../contract/query.js';
import type { Config } from '../../config/index.js';
import type { PrometheusClient } from '../../sources/prometheus/index.js';
import { ApiError, parseOrThrow } from '../errors.js';
import { engineError, ScoringError, type ScoringExecutor } from '../executor.js';
import { prometheusErrorOf, queryDetector, type QueryResult } from '../queryAnswers.js';
import type { ApiMetrics } from '../metrics.js';
import { gridPoints, historyStart } from '../../sources/prometheus/promql.js';
import { errorResponses } from './errors.js';
import type { RouteSpec } from './route.js';
import { requireJson } from './requireJson.js';

export interface QueryRouteDeps {
  /** The server's Prometheus; null when none is configured (the route then answers 503). */
  prometheus: PrometheusClient | null;
  limits: Config['limits'];
  executor: ScoringExecutor;
  metrics: ApiMetrics;
}

export function queryRoutes({ prometheus, limits, executor, metrics }: QueryRouteDeps): RouteSpec[] {
  const query: RequestHandler = async (req, res) => {
    const q = parseOrThrow(QueryRequest, req.body);
    if (!prometheus) {
      throw new ApiError(
        503,
        'prometheus_not_configured',
        'no Prometheus is configured on this scorer: set TRAFFICLENS_PROMETHEUS_URL (or --prometheus-url) to score PromQL queries',
        'upstream',
      );
    }
    const points = gridPoints(q.start, q.end, q.step);
    if (points > limits.maxPointsPerSeries) {
      throw new ApiError(
        413,
        'too_many_points',
        `[start, end] at this step is ${points} points per series; the limit is ${limits.maxPointsPerSeries} (TRAFFICLENS_MAX_POINTS_PER_SERIES): use a larger step or a shorter range`,
        'limits',
        [{ path: 'step', message: `at most ${limits.maxPointsPerSeries} points per series` }],
      );
    }

    const clientGone = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) clientGone.abort(new Error('client closed the request'));
    });

    const from = historyStart(q.start, q.step);
    // PrometheusErrors go to the central handler, which answers 502/504 (400 for a bad expression).
    // Only fetched here: the answers are parsed where they are scored (a worker when pooled), as a
    // large answer's JSON.parse would hold up every other request.
    const answers = await prometheus.queryRangeAnswers(q.expr, {
      start: from,
      end: q.end,
      step: q.step,
      signal: clientGone.signal,
    });
    const detector = queryDetector(q);
    const countError = (err: unknown) => {
      if (!(err instanceof ScoringError && (err.kind === 'aborted' || err.kind === 'input'))) {
        metrics.scoringErrors.inc({ detector, kind: err instanceof ScoringError ? err.kind : 'unknown' });
      }
    };
    let result: QueryResult;
    try {
      result = await executor.scoreQuery(
        { query: q, historyStart: from, answers, maxSeries: limits.maxSeriesPerRequest },
        { signal: clientGone.signal },
      );
    } catch (err) {
      countError(err);
      throw err;
    }
    if (!result.ok) {
      switch (result.kind) {
        case 'upstream':
          throw prometheusErrorOf(result.error);
        case 'client': {
          const { status, code, message, stage, details } = result.error;
          throw new ApiError(status, code, message, stage, details);
        }
        case 'engine': {
          const err = engineError(result);
          countError(err);
          throw err;
        }
      }
    }
    // Nothing was scored when the expression returned no series.
    if (result.points > 0) metrics.pointsScored.inc({ detector }, result.points);
    // Serialized where it was scored and cut to [start, end]: sent as it is.
    const bytes = Buffer.from(result.body.buffer, result.body.byteOffset, result.body.byteLength);
    res.set('Content-Type', 'application/json; charset=utf-8').send(bytes);
  };

  return [
    {
      method: 'post',
      path: '/api/v1/query',
      operationId: 'scoreQuery',
      summary: 'Score every series a PromQL expression returns',
      description:
        "Runs the expression as a range query on the scorer's configured Prometheus over [start, end] " +
        'plus the history the detector needs before start (max(9¼ days, 500 steps), at most 20,000 steps: ' +
        'a daily period found and every time of the week seen), ' +
        'scores each series like POST /api/v1/score, and returns the points within [start, end]. ' +
        'Prometheus unreachable or failing → 502 with its message; too slow → 504; expression refused → ' +
        '400; no Prometheus configured → 503.',
      tag: 'scoring',
      secured: true,
      requestBody: QueryRequest,
      responses: {
        200: { description: 'one scored series per series the expression returned', schema: QueryResponse },
        ...errorResponses(400, 401, 413, 415, 500, 502, 503, 504),
      },
      handlers: [express.json({ limit: limits.maxBodyBytes, strict: true }), requireJson, query],
    },
  ];
}
