import express, { type RequestHandler } from 'express';
import { QueryRequest, QueryResponse, type QueryInfo } from '../../contract/query.js';
import type { Config } from '../../config/index.js';
import type { PrometheusClient } from '../../sources/prometheus/index.js';
import { ApiError, parseOrThrow } from '../errors.js';
import { ScoringError, type ScoringExecutor } from '../executor.js';
import type { ApiMetrics } from '../metrics.js';
import { gridPoints, historyStart, scoreRequestFor } from '../../sources/prometheus/promql.js';
import { pointsOf } from '../scoring.js';
import { errorResponses } from './errors.js';
import type { RouteSpec } from './route.js';

export interface QueryRouteDeps {
  /** The server's Prometheus; null when none is configured (the route then answers 503). */
  prometheus: PrometheusClient | null;
  limits: Config['limits'];
  executor: ScoringExecutor;
  metrics: ApiMetrics;
}

export function queryRoutes({ prometheus, limits, executor, metrics }: QueryRouteDeps): RouteSpec[] {
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
    const fetched = await prometheus.queryRange(q.expr, {
      start: from,
      end: q.end,
      step: q.step,
      signal: clientGone.signal,
    });
    if (fetched.length > limits.maxSeriesPerRequest) {
      throw new ApiError(
        413,
        'too_many_series',
        `the expression returned ${fetched.length} series; the limit is ${limits.maxSeriesPerRequest} (TRAFFICLENS_MAX_SERIES): aggregate or filter it`,
        'limits',
        [{ path: 'expr', message: `at most ${limits.maxSeriesPerRequest} series` }],
      );
    }
    const info: QueryInfo = {
      expr: q.expr,
      start: q.start,
      end: q.end,
      stepMs: q.step,
      historyStart: from,
      fetchedSeries: fetched.length,
      fetchedPoints: pointsOf(fetched),
    };
    if (fetched.length === 0) {
      res.json({ series: [], query: info } satisfies QueryResponse);
      return;
    }

    const request = scoreRequestFor(q, fetched);
    const detector = request.detector ?? 'auto';
    let json: string[];
    try {
      // Cut to [start, end] and serialized where it was scored (a worker when pooled).
      json = await executor.score(request, clientGone.signal, undefined, { from: q.start, to: q.end });
    } catch (err) {
      if (!(err instanceof ScoringError && (err.kind === 'aborted' || err.kind === 'input'))) {
        metrics.scoringErrors.inc({ detector, kind: err instanceof ScoringError ? err.kind : 'unknown' });
      }
      throw err;
    }
    metrics.pointsScored.inc({ detector }, info.fetchedPoints);
    // Same bytes as res.json({ series, query: info }), without parsing the series back.
    res.type('application/json').send(`{"series":[${json.join(',')}],"query":${JSON.stringify(info)}}`);
  };

  return [
    {
      method: 'post',
      path: '/api/v1/query',
      operationId: 'scoreQuery',
      summary: 'Score every series a PromQL expression returns',
      description:
        "Runs the expression as a range query on the scorer's configured Prometheus over [start, end] " +
        'plus the history the detector needs before start (max(3 days, 500 steps), at most 20,000 steps), ' +
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
