/**
 * The scoring service's entry point (`node backend/dist/main.js`, or `npm start`). It only wires:
 * config → logger → registry → executor → jobs → app → listen, plus signal handling.
 * Configuration: environment variables or flags, see docs/service.md.
 */
import { Registry } from 'prom-client';
import type { Logger } from 'pino';
import { createApp } from './api/app.js';
import { createScoringExecutor } from './api/executor.js';
import { Lifecycle } from './api/lifecycle.js';
import { createLogger } from './api/logging.js';
import { createHttpServer, exitOnSignals, gracefulShutdown, listenOn } from './api/server.js';
import { ConfigError, loadConfig, readVersion, type Config } from './config/index.js';
import { createDefaultJobs, createJobsRouter, JobManager, jobsOpenApi } from './jobs/index.js';
import { PrometheusClient } from './sources/prometheus/index.js';
import { tfjsBackend } from './models/runtime.js';

function configOrExit(): Config {
  try {
    return loadConfig({ env: process.env, argv: process.argv.slice(2) });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`trafficlens: ${err.message}\n`);
    process.exit(2);
  }
}

/**
 * Continuous scoring jobs, exported as Prometheus gauges on the same registry. By default they
 * score the embedded traffic simulator so a fresh install shows anomalies with nothing set up;
 * TRAFFICLENS_SIMULATOR=false leaves the jobs API mounted with no jobs.
 */
function continuousJobs(config: Config, logger: Logger, registry: Registry) {
  const manager = config.simulator
    ? createDefaultJobs({ logger, registry })
    : new JobManager({ logger, registry });
  return {
    router: createJobsRouter(manager),
    openApi: jobsOpenApi,
    start: () => manager.start(),
    stop: () => manager.stop(),
  };
}

async function main(): Promise<void> {
  const config = configOrExit();
  const logger = createLogger(config.logLevel);
  const version = readVersion();
  const lifecycle = new Lifecycle();
  const registry = new Registry();
  const executor = createScoringExecutor(config.scoring, logger);

  const jobs = continuousJobs(config, logger, registry);

  const app = createApp({ config, logger, registry, executor, version, lifecycle, jobs, tfjsBackend });
  const server = createHttpServer(app);

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
    ],
  });
  const exitAfterShutdown = exitOnSignals({ shutdown, lifecycle, logger });

  const url = await listenOn(server, config);
  if (lifecycle.shuttingDown) return;
  logger.info(
    { url, version, auth: Boolean(config.apiToken), workerThreads: config.scoring.workerThreads },
    `listening on ${url}`,
  );
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
