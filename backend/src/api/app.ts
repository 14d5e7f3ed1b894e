/**
 * createApp only wires: logging, metrics, auth, the declared routes, the optional jobs and models
 * APIs (route groups, each under its own path), the optional demo page, the 404/405 fallback and the
 * central error handler. Everything it uses is injected, so a test builds an isolated app with its own
 * registry, executor and logger.
 */
import express, { type Express, type RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Config } from '../config/index.js';
import { attachAdmission, createAdmission } from './admission.js';
import { requireBearerToken } from './auth.js';
import { demoRouter, type DemoDirs } from './demo.js';
import { ApiError, errorHandler } from './errors.js';
import type { ScoringExecutor } from './executor.js';
import { allowedHosts, requireAllowedHost } from './hosts.js';
import { Lifecycle } from './lifecycle.js';
import { createHttpLogger } from './logging.js';
import { createApiMetrics, type ApiMetrics } from './metrics.js';
import { buildOpenApiDocument } from './openapi.js';
import type { JobStateHealth } from '../contract/api.js';
import { detectorsRoutes } from './routes/detectors.js';
import { forecastRoutes } from './routes/forecast.js';
import { healthRoutes } from './routes/health.js';
import { metricsRoutes } from './routes/metrics.js';
import { openApiRoutes } from './routes/openapi.js';
import { expressPath, groupRouter, type RouteGroup, type RouteSpec } from './routes/route.js';
import { queryRoutes } from './routes/query.js';
import { scoreRoutes } from './routes/score.js';
import type { ModelResolver } from '../models/registry.js';
import type { PrometheusClient } from '../sources/prometheus/index.js';

/** The continuous-jobs API (routes/jobs.ts), mounted at /api/v1/jobs when present. */
export interface JobsMount {
  api: RouteGroup;
  /** Whether the jobs' state is persisted across restarts (shown in /healthz as jobState). */
  health?: () => JobStateHealth;
  /** This replica's share of the series (config/shard.ts), shown in /healthz; absent: all of them. */
  shard?: { index: number; count: number };
}

/** The maintenance-windows API (routes/windows.ts), mounted at /api/v1/windows when present. */
export interface WindowsMount {
  api: RouteGroup;
  /** The operator store's state, for /healthz. */
  health?: () => { state: 'ready' | 'unavailable'; problem: string | null };
}

/** The feedback API (routes/feedback.ts): its groups under /api/v1/jobs/{name}/feedback and /api/v1/feedback. */
export interface FeedbackMount {
  api: RouteGroup[];
}

/** The models API (routes/models.ts), mounted at /api/v1/models when present. */
export interface ModelsMount {
  api: RouteGroup;
  resolve: ModelResolver;
  /** The models directory's state, for /healthz. */
  health?: () => { state: 'ready' | 'read_only' | 'unavailable'; problem: string | null };
}

export interface AppDeps {
  config: Pick<Config, 'apiToken' | 'limits' | 'host' | 'allowedHosts' | 'metricsAuth' | 'http'>;
  logger: Logger;
  /** The registry /metrics exposes; jobs register their gauges on the same one. */
  registry: Registry;
  executor: ScoringExecutor;
  version: string;
  lifecycle?: Lifecycle;
  jobs?: JobsMount;
  models?: ModelsMount;
  /** The maintenance-windows API (routes/windows.ts), mounted at /api/v1/windows when present. */
  windows?: WindowsMount;
  /** Feedback on episodes (routes/feedback.ts), mounted after the jobs API when present. */
  feedback?: FeedbackMount;
  /** Jobs' live sensitivity and the alert-volume preview (routes/sensitivity.ts), under /api/v1/jobs. */
  sensitivity?: { api: RouteGroup };
  /** The server's Prometheus for POST /api/v1/query; absent or null: the route answers 503. */
  prometheus?: PrometheusClient | null;
  tfjsBackend?: () => string | null;
  /** Node process metrics on the registry (default true). */
  defaultMetrics?: boolean;
  /** The demo page at / (absent: no page, / answers 404). */
  demo?: DemoDirs;
}

function mount(app: Express, route: RouteSpec): void {
  app[route.method](expressPath(route.path), ...route.handlers);
}

/**
 * A group under its prefix: labelled by it in the metrics (also when nothing in it matches), its
 * JSON bodies parsed for every route, then its own middleware and routes.
 */
function mountGroup(app: Express, group: RouteGroup, maxBodyBytes: number): void {
  app.use(
    group.mount,
    (_req, res, next) => {
      res.locals.mount = group.mount;
      next();
    },
    express.json({ limit: maxBodyBytes }),
    groupRouter(group),
  );
}

/** Route label for metrics: the pattern, never the raw URL, so label cardinality stays bounded. */
function routeLabel(req: express.Request, res: express.Response): string {
  const base = typeof res.locals.mount === 'string' ? res.locals.mount : '';
  if (req.route) return base + String(req.route.path);
  return base ? `${base}/*` : 'unmatched';
}

function measure(metrics: ApiMetrics): RequestHandler {
  return (req, res, next) => {
    const stop = metrics.httpDuration.startTimer();
    let done = false;
    const observe = () => {
      if (done) return;
      done = true;
      stop({
        route: routeLabel(req, res),
        method: req.method,
        status: res.writableFinished ? res.statusCode : 499,
      });
    };
    res.once('finish', observe);
    res.once('close', observe);
    next();
  };
}

function notFound(routes: RouteSpec[]): RequestHandler {
  const methods = new Map<string, string[]>();
  for (const r of routes) methods.set(r.path, [...(methods.get(r.path) ?? []), r.method.toUpperCase()]);
  return (req) => {
    const path = req.path.length > 200 ? `${req.path.slice(0, 200)}…` : req.path;
    const allowed = methods.get(req.path);
    if (allowed) {
      throw new ApiError(
        405,
        'method_not_allowed',
        `${req.method} is not supported on ${path}; use ${allowed.join(', ')}`,
        'routing',
        [],
        { Allow: allowed.join(', ') },
      );
    }
    throw new ApiError(404, 'not_found', `no route for ${req.method} ${path}; see /openapi.json`, 'routing');
  };
}

export function createApp(deps: AppDeps): Express {
  const lifecycle = deps.lifecycle ?? new Lifecycle();
  const metrics = createApiMetrics({
    registry: deps.registry,
    executor: deps.executor,
    version: deps.version,
    defaultMetrics: deps.defaultMetrics,
  });

  const routes: RouteSpec[] = [
    ...scoreRoutes({
      limits: deps.config.limits,
      executor: deps.executor,
      metrics,
      models: deps.models?.resolve,
    }),
    ...queryRoutes({
      prometheus: deps.prometheus ?? null,
      limits: deps.config.limits,
      executor: deps.executor,
      metrics,
    }),
    ...forecastRoutes({ limits: deps.config.limits }),
    ...detectorsRoutes(),
    ...healthRoutes({
      version: deps.version,
      lifecycle,
      executor: deps.executor,
      tfjsBackend: deps.tfjsBackend,
      jobState: deps.jobs?.health,
      shard: deps.jobs?.shard,
      models: deps.models?.health,
      store: deps.windows?.health,
    }),
    ...metricsRoutes(deps.registry, deps.logger),
    // The document describes every route including its own; built once, here, so a bad schema fails at start.
    ...openApiRoutes(() => document),
  ];
  const groups = [
    deps.jobs?.api,
    deps.models?.api,
    deps.windows?.api,
    ...(deps.feedback?.api ?? []),
    deps.sensitivity?.api,
  ].filter((g): g is RouteGroup => !!g);
  const document = buildOpenApiDocument({ routes, groups, version: deps.version });

  const app = express();
  app.disable('x-powered-by');
  // ETags would hash every (possibly 100 MB) score response on the event loop for no benefit.
  app.set('etag', false);

  // Before auth and every body parser: refusals cost microseconds and never read the body. The HTTP
  // server runs it before the app (server.ts); the middleware covers an app served otherwise.
  const admission = createAdmission(
    { maxBodyBytes: deps.config.limits.maxBodyBytes, ...deps.config.http },
    deps.registry,
    deps.logger,
  );
  attachAdmission(app, admission);
  app.use(createHttpLogger(deps.logger));
  app.use(measure(metrics));
  app.use(admission.middleware);
  app.use((_req, res, next) => {
    // Keep-alive clients must reconnect (to another instance) once shutdown has begun.
    if (lifecycle.shuttingDown) res.set('Connection', 'close');
    next();
  });
  const hosts = allowedHosts(deps.config.host, deps.config.allowedHosts);
  if (hosts) app.use(requireAllowedHost(hosts));
  if (deps.config.apiToken) {
    const auth = requireBearerToken(deps.config.apiToken);
    app.use('/api', auth);
    if (deps.config.metricsAuth) app.use('/metrics', auth);
  }

  for (const route of routes) mount(app, route);
  for (const group of groups) mountGroup(app, group, deps.config.limits.maxBodyBytes);

  if (deps.demo) app.use(demoRouter(deps.demo));

  // Only the app's own routes answer a wrong method with 405: a group's unknown method falls through
  // its router (which answers OPTIONS itself) to a 404, as the routers it replaced did.
  app.use(notFound(routes));
  app.use(errorHandler(deps.logger));
  return app;
}
