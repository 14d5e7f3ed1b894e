/**
 * The models API, mounted by the service at /api/v1/models: train (202 + an id to poll), list, get,
 * delete. Errors go to the service's central error handler, in its error shape.
 */
import { basename } from 'node:path';
import type { RequestHandler } from 'express';
import {
  MODELS_COMPONENTS,
  MODELS_INPUT_COMPONENTS,
  ModelPathParams,
  ModelStatus,
  ModelsListResponse,
  TrainModelRequest,
  TrainModelResponse,
  type LabelRange,
  type TrainSpec,
} from '../../contract/models.js';
import { ApiError, parseOrThrow } from '../errors.js';
import type { PrometheusClient } from '../../sources/prometheus/index.js';
import { ModelError, type ModelRegistry } from '../../models/registry.js';
import { fetchTrainingSeries } from '../../models/source.js';
import { errorResponse as error } from './errors.js';
import { pathParam, type RouteGroup } from './route.js';

export const MODELS_BASE_PATH = '/api/v1/models';

export interface ModelsRouteLimits {
  maxPointsPerSeries: number;
}

export interface ModelsRouteDeps {
  limits: ModelsRouteLimits;
  /** The server's Prometheus, for PromQL training sources; absent or null: they answer 503. */
  prometheus?: PrometheusClient | null;
  /** The clock a training window ends at (tests fix it). */
  now?: () => number;
}

/** Seconds a client is told to wait when the training pool is full (a training takes seconds to minutes). */
export const TRAINING_RETRY_AFTER_S = 30;

function toApi(err: unknown): unknown {
  if (!(err instanceof ModelError)) return err;
  switch (err.kind) {
    case 'overloaded':
      return new ApiError(503, 'overloaded', err.message, 'overload', [], {
        'Retry-After': String(TRAINING_RETRY_AFTER_S),
      });
    case 'storage': {
      const status = err.status ?? 503;
      const code = status === 507 ? 'insufficient_storage' : 'storage_unavailable';
      return new ApiError(status, code, err.message, 'internal');
    }
    case 'not_found':
      return new ApiError(404, 'not_found', err.message, 'validation');
    case 'busy':
      return new ApiError(409, 'conflict', err.message, 'validation');
    default:
      return new ApiError(400, 'invalid_request', err.message, 'validation');
  }
}

/** Every model route answers 503 while the models directory cannot be used at all. */
function unavailable(registry: ModelRegistry): RequestHandler {
  return (_req, _res, next) => {
    const { state, problem } = registry.storage();
    if (state !== 'unavailable') return next();
    throw new ApiError(
      503,
      'models_unavailable',
      `models are unavailable: ${problem}; set TRAFFICLENS_MODELS_DIR to a usable folder and restart (scoring without a model works)`,
      'internal',
    );
  };
}

/** Before a write: the directory probed again (it may have turned read-only, or been fixed). */
async function assertWritable(registry: ModelRegistry, action: string): Promise<void> {
  const { state, problem } = await registry.refreshStorage();
  if (state === 'ready') return;
  throw new ApiError(503, 'storage_unavailable', `cannot ${action}: ${problem}`, 'internal');
}

const notFound = (id: string) =>
  new ApiError(
    404,
    'not_found',
    `no model ${JSON.stringify(id.slice(0, 100))}; GET ${MODELS_BASE_PATH} lists them`,
    'routing',
  );

function countLabelled(timestamps: readonly number[], labels: readonly LabelRange[]): number {
  let n = 0;
  for (const t of timestamps) if (labels.some((r) => t >= r.start && t <= r.end)) n++;
  return n;
}

/** Refusals that need no training to know: mismatched arrays, too many points, no value at all, a classifier without both classes. */
function precheck(request: TrainSpec, limits: ModelsRouteLimits): void {
  const { timestamps, values } = request.series;
  if (timestamps.length !== values.length) {
    throw new ApiError(
      400,
      'invalid_request',
      `series: timestamps has ${timestamps.length} points but values has ${values.length}; they must pair up`,
      'validation',
      [{ path: 'series', message: 'timestamps and values must have the same length' }],
    );
  }
  if (timestamps.length > limits.maxPointsPerSeries) {
    throw new ApiError(
      413,
      'too_many_points',
      `series has ${timestamps.length} points; the limit is ${limits.maxPointsPerSeries} points per series (TRAFFICLENS_MAX_POINTS_PER_SERIES)`,
      'limits',
    );
  }
  if (!values.some((v) => v !== null)) {
    // Training would run and write a version whose normalization is NaN, which can never load.
    throw new ApiError(
      400,
      'invalid_request',
      `series.values: all ${values.length} values are null; training needs values`,
      'validation',
      [{ path: 'series.values', message: 'every value is null' }],
    );
  }
  if (request.detector === 'classifier') {
    const labels = request.options?.labels ?? [];
    const positives = countLabelled(timestamps, labels);
    if (positives === 0 || positives === timestamps.length) {
      throw new ApiError(
        400,
        'invalid_request',
        `classifier needs labels with both classes: ${positives} of ${timestamps.length} points fall in the labelled anomalous ranges` +
          (labels.length === 0 ? ' (no options.labels given)' : ''),
        'validation',
        [{ path: 'options.labels', message: 'give anomalous ranges that cover some points but not all' }],
      );
    }
  }
}

/** The request with its data: inline, fetched from its source, or fetched again from the model's own. */
async function resolveData(
  request: TrainModelRequest,
  registry: ModelRegistry,
  deps: ModelsRouteDeps,
  signal: AbortSignal,
): Promise<TrainSpec> {
  const { series, source, ...rest } = request;
  if (series) return { ...rest, series, source: null };
  const fetchDeps = {
    prometheus: deps.prometheus ?? null,
    maxPointsPerSeries: deps.limits.maxPointsPerSeries,
    now: deps.now ?? Date.now,
    signal,
  };
  if (source) return { ...rest, ...(await fetchTrainingSeries(source, fetchDeps)) };
  // Only an id: the source the model was last trained from.
  const id = request.id!;
  const model = registry.get(id);
  if (!model) throw notFound(id);
  const stored = model.metadata?.source ?? null;
  if (!stored) {
    throw new ApiError(
      400,
      'invalid_request',
      `model ${id} ${model.metadata ? 'was trained from inline data' : 'has no ready version'}, so there is no source to fetch again: give series or source`,
      'validation',
      [{ path: 'series', message: 'required for this model' }],
    );
  }
  if (stored.type === 'job') {
    throw new ApiError(
      409,
      'conflict',
      `model ${id} belongs to the continuous job ${stored.job}, which retrains it every fit_every; give series or source to train it here`,
      'validation',
    );
  }
  return { ...rest, ...(await fetchTrainingSeries(stored, fetchDeps)) };
}

const NO_SUCH_MODEL = error('no such model');

export function modelsApi(registry: ModelRegistry, deps: ModelsRouteDeps): RouteGroup {
  const { limits } = deps;
  const common = { tag: 'models', secured: true } as const;

  const train: RequestHandler = async (req, res) => {
    // Refused before the body's data is fetched or checked: no room in the pool, or nowhere to write.
    await assertWritable(registry, 'train');
    try {
      registry.assertAccepting();
    } catch (err) {
      throw toApi(err);
    }
    const clientGone = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) clientGone.abort(new Error('client closed the request'));
    });
    const request = await resolveData(
      parseOrThrow(TrainModelRequest, req.body),
      registry,
      deps,
      clientGone.signal,
    );
    precheck(request, limits);
    let started;
    try {
      started = registry.startTraining(request);
    } catch (err) {
      throw toApi(err);
    }
    const body: TrainModelResponse = {
      id: started.id,
      version: started.version,
      status: `${MODELS_BASE_PATH}/${started.id}`,
      training: started.training,
    };
    res.status(202).location(body.status).json(body);
  };

  const remove: RequestHandler = async (req, res) => {
    const id = pathParam(req, 'id');
    if (!registry.get(id)) throw notFound(id);
    await assertWritable(registry, `delete model ${id}`);
    let deleted: boolean;
    try {
      deleted = await registry.delete(id);
    } catch (err) {
      throw toApi(err);
    }
    if (!deleted) throw notFound(id);
    res.status(204).end();
  };

  return {
    mount: MODELS_BASE_PATH,
    before: [unavailable(registry)],
    components: { input: MODELS_INPUT_COMPONENTS, output: MODELS_COMPONENTS },
    tagsFirst: true,
    routes: [
      {
        ...common,
        method: 'post',
        path: MODELS_BASE_PATH,
        operationId: 'trainModel',
        summary: 'Train a model for a series (in a worker thread); poll the returned status URL',
        description:
          'Starts training and answers 202 at once. The data is inline (series) or the one series a PromQL ' +
          "source returns from the scorer's Prometheus (fetched before answering); with only an id, the " +
          "model's recorded source is fetched again (a window ends now). An existing id is retrained as " +
          'its next version; the previous version keeps scoring until the new one is ready. Score with ' +
          'it: POST /api/v1/score with "model": id.',
        requestBody: TrainModelRequest,
        responses: {
          202: { description: 'training started', schema: TrainModelResponse },
          400: error(
            'invalid request, a classifier without labels of both classes, or a source whose expression ' +
              'Prometheus refuses or that does not return exactly one series',
          ),
          404: error('only an id was given and there is no such model'),
          409: error('this model is already training, or (id alone) belongs to a continuous job'),
          413: error('too many points'),
          502: error('Prometheus (of a source) is unreachable or failing'),
          503: error(
            'the training pool is full (overloaded, with Retry-After), the models directory cannot be written (storage_unavailable) or used (models_unavailable), or a source was given but no Prometheus is configured',
          ),
          504: error('Prometheus (of a source) did not answer in time'),
        },
        handlers: [train],
      },
      {
        ...common,
        method: 'get',
        path: MODELS_BASE_PATH,
        operationId: 'listModels',
        summary: 'Models, their versions, training progress and problems',
        responses: { 200: { description: 'every model the service knows', schema: ModelsListResponse } },
        handlers: [
          (_req, res) => {
            // The folder's name only: its absolute path tells a client about the host's filesystem and user.
            const body: ModelsListResponse = { models: registry.list(), directory: basename(registry.dir) };
            res.json(body);
          },
        ],
      },
      {
        ...common,
        method: 'get',
        path: `${MODELS_BASE_PATH}/{id}`,
        operationId: 'getModel',
        summary: 'One model: state, versions, training progress and metadata',
        params: ModelPathParams,
        responses: { 200: { description: 'the model', schema: ModelStatus }, 404: NO_SUCH_MODEL },
        handlers: [
          (req, res) => {
            const id = pathParam(req, 'id');
            const status = registry.get(id);
            if (!status) throw notFound(id);
            res.json(status);
          },
        ],
      },
      {
        ...common,
        method: 'delete',
        path: `${MODELS_BASE_PATH}/{id}`,
        operationId: 'deleteModel',
        summary: 'Delete a model and all its versions',
        params: ModelPathParams,
        responses: {
          204: { description: 'deleted' },
          404: NO_SUCH_MODEL,
          503: error(
            'its files cannot be removed (read-only or unusable models directory); the model is kept',
          ),
          507: error('the disk is full; the model is kept'),
        },
        handlers: [remove],
      },
    ],
  };
}
