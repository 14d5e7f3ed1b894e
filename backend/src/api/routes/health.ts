import type { ScoringExecutor } from '../executor.js';
import type { Lifecycle } from '../lifecycle.js';
import { HealthResponse, ReadyResponse, type JobStateHealth } from '../../contract/api.js';
import type { RouteSpec } from './route.js';

export interface HealthDeps {
  version: string;
  lifecycle: Lifecycle;
  executor: ScoringExecutor;
  /** Which TensorFlow.js backend loaded; null until the TF.js detectors report one. */
  tfjsBackend?: () => string | null;
  /** The continuous jobs' state persistence, when the service runs jobs. */
  jobState?: () => JobStateHealth;
  /** The models directory's state (models/storage.ts); absent without the models API. */
  models?: () => NonNullable<HealthResponse['models']>;
  /** The operator store's state (store/store.ts); absent without the windows API. */
  store?: () => NonNullable<HealthResponse['store']>;
  /** This replica's shard; absent when it scores every series. */
  shard?: NonNullable<HealthResponse['shard']>;
}

export function healthRoutes({
  version,
  lifecycle,
  executor,
  tfjsBackend = () => null,
  jobState,
  models,
  store,
  shard,
}: HealthDeps): RouteSpec[] {
  return [
    {
      method: 'get',
      path: '/healthz',
      operationId: 'liveness',
      summary: 'Liveness: the process answers',
      tag: 'operations',
      secured: false,
      responses: { 200: { description: 'alive', schema: HealthResponse } },
      handlers: [
        (_req, res) => {
          const body: HealthResponse = {
            status: 'ok',
            version,
            uptimeSeconds: Math.round(lifecycle.uptimeSeconds() * 1000) / 1000,
            tfjsBackend: tfjsBackend(),
            ...(jobState ? { jobState: jobState() } : {}),
            ...(models ? { models: models() } : {}),
            ...(store ? { store: store() } : {}),
            ...(shard ? { shard } : {}),
          };
          res.json(body);
        },
      ],
    },
    {
      method: 'get',
      path: '/readyz',
      operationId: 'readiness',
      summary: 'Readiness: the scoring pool is up and the service is not shutting down',
      tag: 'operations',
      secured: false,
      responses: {
        200: { description: 'ready to take traffic', schema: ReadyResponse },
        503: { description: 'starting or shutting down; route traffic elsewhere', schema: ReadyResponse },
      },
      handlers: [
        (_req, res) => {
          const poolUp = executor.isReady();
          const scoringPool: ReadyResponse['checks']['scoringPool'] =
            executor.stats().mode === 'inline'
              ? 'inline'
              : poolUp
                ? 'up'
                : lifecycle.shuttingDown
                  ? 'down'
                  : 'starting';
          const status: ReadyResponse['status'] = lifecycle.shuttingDown
            ? 'shutting_down'
            : poolUp
              ? 'ready'
              : 'starting';
          const body: ReadyResponse = { status, checks: { scoringPool } };
          res.status(status === 'ready' ? 200 : 503).json(body);
        },
      ],
    },
  ];
}
