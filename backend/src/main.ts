/**
 * The scoring service's entry point (`node backend/dist/main.js`, or `npm start`). It only wires:
 * config → logger → registry → executor → jobs → app → listen, plus signal handling.
 * Configuration: environment variables or flags, see docs/service.md.
 */
import type { Server } from 'node:http';
import { Registry } from 'prom-client';
import type { Logger } from 'pino';
import { createApp } from './api/app.js';
import { missingDemoParts } from './api/demo.js';
import { createScoringExecutor, type ScoringExecutor } from './api/executor.js';
import { Lifecycle } from './api/lifecycle.js';
import { createLogger } from './api/logging.js';
import { createHttpServer, exitOnSignals, gracefulShutdown, listenOn } from './api/server.js';
import { ConfigError, loadConfig, readVersion, serviceHelp, wantsHelp, type Config } from './config/index.js';
import {
  createDefaultJobs,
  JobManager,
  JobsFileError,
  JobStateStore,
  loadJobsFile,
  type JobSpec,
} from './jobs/index.js';
import { jobsApi } from './api/routes/jobs.js';
import { storeHealth, windowsApi } from './api/routes/windows.js';
import { FeedbackTable, SensitivitySettingsTable, Store, WindowsTable } from './store/index.js';
import { feedbackApi } from './api/routes/feedback.js';
import { sensitivityApi } from './api/routes/sensitivity.js';
import { PrometheusClient } from './sources/prometheus/index.js';
import { openModels, type Models } from './api/models.js';
import { tfjsBackend } from './models/index.js';

function configOrExit(): Config {
  const argv = process.argv.slice(2);
  if (wantsHelp(argv)) {
    process.stdout.write(serviceHelp());
    process.exit(0);
  }
  try {
    return loadConfig({ env: process.env, argv });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`trafficlens: ${err.message}\n`);
    process.exit(2);
  }
}

/** The jobs file, validated whole; a bad one stops the service like any bad configuration (exit 2). */
async function jobsFileOrExit(config: Config): Promise<JobSpec[]> {
  if (!config.jobsFile) return [];
  try {
    return await loadJobsFile(config.jobsFile, { prometheusConfigured: config.prometheus !== null });
  } catch (err) {
    if (!(err instanceof JobsFileError)) throw err;
    process.stderr.write(`trafficlens: ${err.message}\n`);
    process.exit(2);
  }
}

/**
 * Continuous scoring jobs, exported as Prometheus gauges on the same registry: those of the jobs file
 * (TRAFFICLENS_CONFIG), and the embedded traffic simulator's when no Prometheus and no jobs file is
 * configured (or TRAFFICLENS_SIMULATOR=true), so a fresh install shows anomalies with nothing set up.
 */
function continuousJobs(
  config: Config,
  specs: JobSpec[],
  logger: Logger,
  registry: Registry,
  prometheus: PrometheusClient | null,
  models: Models,
  state: JobStateStore | null,
  windows: WindowsTable,
  feedback: FeedbackTable,
  settings: SensitivitySettingsTable,
  executor: ScoringExecutor,
) {
  // Jobs with a neural detector train a model per series in the training pool, through its queue.
  const jobModels = { registry: models.registry, queue: models.queue };
  const options = {
    logger,
    registry,
    prometheus,
    models: jobModels,
    state,
    windows,
    feedback,
    settings,
    shard: config.shard,
  };
  const manager = config.simulator ? createDefaultJobs(options) : new JobManager(options);
  for (const spec of specs) {
    if (manager.get(spec.name)) {
      process.stderr.write(
        `trafficlens: invalid jobs file ${config.jobsFile}: job "${spec.name}" has the name of a built-in simulator job (rename it, or set TRAFFICLENS_SIMULATOR=false)\n`,
      );
      process.exit(2);
    }
    manager.addJob(spec);
  }
  return {
    api: jobsApi(manager),
    ...(state ? { health: () => state.health() } : {}),
    ...(config.shard ? { shard: config.shard } : {}),
    windowsApi: windowsApi({ windows, seriesLabels: () => manager.seriesLabels() }),
    feedbackApi: feedbackApi({ feedback, jobs: manager }),
    sensitivityApi: sensitivityApi({ jobs: manager, settings, executor }),
    start: () => manager.start(),
    stop: () => manager.stop(),
  };
}

/**
 * Listens, or stops the service with one line saying why and what to change (exit 1): a taken port,
 * a port it may not open, an address it cannot listen on. Anything else is thrown.
 */
async function listenOrExit(server: Server, config: Config): Promise<string> {
  try {
    return await listenOn(server, config);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const { port, host } = config;
    const another = `choose another with PORT=<port> or --port <port> (PORT=0 picks a free one)`;
    const why =
      code === 'EADDRINUSE'
        ? `port ${port} on ${host} is already in use (is TrafficLens already running?); ${another}`
        : code === 'EACCES'
          ? `not allowed to listen on port ${port} on ${host} (ports below 1024 need privileges); ${another}`
          : code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN'
            ? `cannot listen on HOST=${host} (${code}: not an address of this machine); set HOST (or --host) to one, e.g. 127.0.0.1`
            : null;
    if (why === null) throw err;
    process.stderr.write(`trafficlens: ${why}\n`);
    process.exit(1);
  }
}

async function main(): Promise<void> {
  const config = configOrExit();
  const jobSpecs = await jobsFileOrExit(config);
  const logger = createLogger(config.logLevel);
  const version = readVersion();
  const lifecycle = new Lifecycle();
  const registry = new Registry();
  const executor = createScoringExecutor(config.scoring, logger);

  const prometheus = config.prometheus ? new PrometheusClient(config.prometheus) : null;
  // Reading the models directory never fails the start: corrupt versions are quarantined and logged.
  const models = await openModels({
    dir: config.models.dir,
    trainingThreads: config.models.trainingThreads,
    workerNice: config.scoring.workerNice,
    limits: config.limits,
    prometheus,
    logger,
    version,
  });
  // Never fails the start either: an unusable folder is logged and shown in /healthz (jobState).
  // Without jobs there is nothing to persist, and no folder is created.
  const jobState =
    config.simulator || jobSpecs.length > 0
      ? await JobStateStore.open({
          dir: config.jobState.dir,
          intervalMs: config.jobState.snapshotIntervalMs,
          logger,
        })
      : null;
  // Never fails the start: an unusable file is logged, the windows API answers 503 naming it, and the
  // next use tries it again.
  const store = Store.open({ path: config.store.path, logger });
  const jobs = continuousJobs(
    config,
    jobSpecs,
    logger,
    registry,
    prometheus,
    models,
    jobState,
    new WindowsTable(store),
    new FeedbackTable(store),
    new SensitivitySettingsTable(store),
    executor,
  );

  const app = createApp({
    config,
    logger,
    registry,
    executor,
    version,
    lifecycle,
    jobs,
    models: models.mount,
    windows: { api: jobs.windowsApi, health: () => storeHealth(store) },
    feedback: { api: jobs.feedbackApi },
    sensitivity: { api: jobs.sensitivityApi },
    prometheus,
    tfjsBackend,
    demo: config.demo,
  });
  const server = createHttpServer(app, config.http);

  // Handlers go in before listening: a signal that arrives as soon as the port is open must
  // already find them (an orchestrator may stop a container that has only just started).
  const shutdown = gracefulShutdown({
    server,
    lifecycle,
    logger,
    timeoutMs: config.shutdownTimeoutMs,
    steps: [
      { name: 'jobs', run: () => jobs.stop() },
      { name: 'scoring pool', run: () => executor.close() },
      { name: 'training pool', run: () => models.close() },
      { name: 'store', run: async () => store.close() },
    ],
  });
  const exitAfterShutdown = exitOnSignals({ shutdown, lifecycle, logger });

  const url = await listenOrExit(server, config);
  if (lifecycle.shuttingDown) return;
  logger.info(
    {
      url,
      version,
      models: config.models.dir,
      ...(jobState ? { jobState: jobState.dir } : {}),
      store: config.store.path,
      auth: Boolean(config.apiToken),
      workerThreads: config.scoring.workerThreads,
      // TF.js loads on first training: tfjs-node, else wasm, else cpu (models/runtime.ts).
      tfjsBackend: tfjsBackend() ?? 'not loaded yet',
    },
    `listening on ${url}`,
  );
  const storeState = store.health();
  if (storeState.state === 'ready') {
    logger.info(
      { store: storeState.path },
      `operator store (maintenance windows, feedback, sensitivity settings): ${storeState.path}`,
    );
  } else {
    logger.warn(
      { store: storeState.path, problem: storeState.problem },
      `operator store ${storeState.path} ${storeState.problem}: the windows and feedback APIs answer 503 until it can be used; scoring goes on`,
    );
  }
  const demoMissing = missingDemoParts(config.demo);
  if (demoMissing.length === 0) {
    logger.info({ demo: `${url}/` }, `demo page: ${url}/ (the panel on the live scores, without Grafana)`);
  } else {
    logger.warn({ missing: demoMissing }, `demo page not built: ${url}/ says how to build it`);
  }
  if (!config.apiToken && !['127.0.0.1', '::1', 'localhost'].includes(config.host)) {
    logger.warn(
      { host: config.host },
      'listening beyond loopback without TRAFFICLENS_API_TOKEN: /api/ is open',
    );
  }
  jobs.start();

  try {
    await executor.start();
    logger.info({ stage: 'scoring', ...executor.stats() }, 'scoring executor ready');
  } catch (err) {
    logger.fatal({ stage: 'scoring', err }, 'scoring worker pool failed to start');
    exitAfterShutdown('scoring pool failed to start', 1);
  }
}

main().catch((err: unknown) => {
  // Before the logger exists (or listen failed): a plain line on stderr, exit non-zero.
  process.stderr.write(`trafficlens: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
