import express, { type Request, type RequestHandler, type Response } from 'express';
import type { ScoreRequest } from '../../contract/score.js';
import type { Config } from '../../config/index.js';
import { ApiError } from '../errors.js';
import { engineError, ScoringError, type ScoringExecutor } from '../executor.js';
import { checkCountLimits, parseScoreRequest } from '../scoreBody.js';
import type { ApiMetrics } from '../metrics.js';
import { ScoreRequestBody, ScoreResponseBody } from '../../contract/api.js';
import { requestedGroups, withIncidents } from '../scoreIncidents.js';
import { pointsOf, type ResolvedModel } from '../scoring.js';
import type { ModelResolver } from '../../models/registry.js';
import { errorResponses } from './errors.js';
import type { RouteSpec } from './route.js';
import { requireJson } from './requireJson.js';

export interface ScoreRouteDeps {
  limits: Config['limits'];
  executor: ScoringExecutor;
  metrics: ApiMetrics;
  /** Trained models by id (request field `model`); absent: every `model` is unknown. */
  models?: ModelResolver;
}

/** The trained model a request names: unknown → 404; known but not ready → the engine falls back. */
function resolveModel(
  name: string | undefined,
  models: ModelResolver | undefined,
): ResolvedModel | undefined {
  if (name === undefined) return undefined;
  const found = models?.(name) ?? null;
  if (!found) {
    throw new ApiError(
      404,
      'model_not_found',
      `no model ${JSON.stringify(name)}; GET /api/v1/models lists them`,
      'validation',
      [{ path: 'model', message: 'no such model' }],
    );
  }
  return { detector: found.detector, model: found.bundle, trained: found.ref };
}

export { checkCountLimits };

/**
 * The Content-Types whose body is read as bytes and handed to the executor unparsed (JSON is UTF-8;
 * clients send these). Any other (another charset, extra parameters) goes through express.json on
 * the main thread, as before, so its rarer answers stay exactly what they were.
 */
const RAW_JSON_TYPES = new Set(['application/json', 'application/json;charset=utf-8']);

const isRawJson = (req: Request) =>
  RAW_JSON_TYPES.has((req.headers['content-type'] ?? '').toLowerCase().replace(/[\s"]/g, ''));

/** A response whose body is several buffers, written in order without joining them (executor.ts, ScoredBody). */
function sendPieces(res: Response, pieces: readonly Buffer[]): void {
  res.setHeader(
    'Content-Length',
    pieces.reduce((n, p) => n + p.byteLength, 0),
  );
  // One writev for the lot: corked writes are flushed together on uncork.
  res.cork();
  for (const piece of pieces) res.write(piece);
  res.uncork();
  res.end();
}

export function scoreRoutes({ limits, executor, metrics, models }: ScoreRouteDeps): RouteSpec[] {
  const readRaw = express.raw({ type: 'application/json', limit: limits.maxBodyBytes });
  const readJson = express.json({ limit: limits.maxBodyBytes, strict: true });
  // Body-parser errors (size, encoding) are the same either way: both read through raw-body.
  const readBody: RequestHandler = (req, res, next) => (isRawJson(req) ? readRaw : readJson)(req, res, next);

  const scoreRaw = async (body: Buffer, res: Response, signal: AbortSignal) => {
    const countError = (err: unknown, detector: string) => {
      if (!(err instanceof ScoringError && (err.kind === 'aborted' || err.kind === 'input'))) {
        metrics.scoringErrors.inc({ detector, kind: err instanceof ScoringError ? err.kind : 'unknown' });
      }
    };
    const run = async (bytes: Uint8Array, model?: ResolvedModel) => {
      try {
        return await executor.scoreBody(bytes, { limits, signal, model });
      } catch (err) {
        // Before the worker parsed the body the detector is not known.
        countError(err, (err instanceof ScoringError && err.detector) || model?.detector || 'unknown');
        throw err;
      }
    };
    let result = await run(body);
    if (!result.ok && result.kind === 'model') {
      result = await run(result.body, resolveModel(result.model, models));
    }
    if (!result.ok) {
      switch (result.kind) {
        case 'client': {
          const { status, code, message, stage, details } = result.error;
          throw new ApiError(status, code, message, stage, details);
        }
        case 'engine': {
          const err = engineError(result);
          countError(err, result.detector);
          throw err;
        }
        default:
          throw new ScoringError('worker', 'the request named a model twice');
      }
    }
    metrics.pointsScored.inc({ detector: result.detector }, result.points);
    // Serialized by the executor (in a worker when pooled): sent as it is, unless incidents are asked for.
    const pieces = result.pieces.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength));
    const groups = requestedGroups(body);
    res.set('Content-Type', 'application/json; charset=utf-8');
    if (groups) res.send(withIncidents(Buffer.concat(pieces).toString('utf8'), groups));
    else if (pieces.length === 1) res.send(pieces[0]);
    else sendPieces(res, pieces);
  };

  const score: RequestHandler = async (req, res) => {
    // A client that gives up should not keep a worker busy: cancel its queued and running chunks.
    const clientGone = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) clientGone.abort();
    });
    if (Buffer.isBuffer(req.body)) {
      await scoreRaw(req.body, res, clientGone.signal);
      return;
    }

    checkCountLimits(req.body, limits);
    const request: ScoreRequest = parseScoreRequest(req.body);
    const model = resolveModel(request.model, models);
    const detector = request.detector ?? model?.detector ?? 'auto';

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
    const response = `{"series":[${json.join(',')}]}`;
    res.type('application/json').send(request.groups ? withIncidents(response, request.groups) : response);
  };

  return [
    {
      method: 'post',
      path: '/api/v1/score',
      operationId: 'scoreSeries',
      summary: 'Score series for anomalies',
      description:
        'Scores each series (batch: the detector may use the whole range; set options.causal to score ' +
        'each point only from data at or before it). The response lists the series in request order; ' +
        'with `groups`, also the incidents across them (series of one group anomalous together).',
      tag: 'scoring',
      secured: true,
      requestBody: ScoreRequestBody,
      responses: {
        200: {
          description: 'one scored series per input series, same order (and incidents, with groups)',
          schema: ScoreResponseBody,
        },
        ...errorResponses(400, 401, 404, 413, 415, 500, 503),
      },
      handlers: [readBody, requireJson, score],
    },
  ];
}
