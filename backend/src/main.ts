/**
 * The scoring service's entry point (`node backend/dist/main.js`, or `npm start`). It only wires:
 * config → logger → registry → executor → jobs → app → listen, plus signal handling.
 * Configuration: environment variables or flags, see docs/service.md.
 */
import { Registry } from 'prom-client';
import { createApp, type JobsMount } from './api/app.js';
import { createScoringExecutor } from './api/executor.js';
import { Lifecycle } from './api/lifecycle.js';
import { createLogger } from './api/logging.js';
import { gracefulShutdown, listen } from './api/server.js';
import { ConfigError, loadConfig, readVersion, type Config } from './config/index.js';

function configOrExit(): Config {
  try {
    return loadConfig({ env: process.env, argv: process.argv.slice(2) });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`trafficlens: ${err.message}\n`);
    process.exit(2);
  }
}

type RunningJobs = JobsMount & { start(): void; stop(): Promise<void> };

/**
 * Continuous jobs and the embedded simulator (backend/src/jobs): wired here once that module
 * exports JobManager, createJobsRouter, jobsOpenApiPaths and createDefaultJobs.
 */
function continuousJobs(): RunningJobs | undefined {
  return undefined;
}

async function main(): Promise<void> {
  const config = configOrExit();
  const logger = createLogger(config.logLevel);
  const version = readVersion();
  const lifecycle = new Lifecycle();
  const registry = new Registry();
  const executor = createScoringExecutor(config.scoring, logger);

  const jobs = continuousJobs();

  const app = createApp({ config, logger, registry, executor, version, lifecycle, jobs });
  const { server, url } = await listen(app, config);
  jobs?.start();
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

  const shutdown = gracefulShutdown({
    server,
    lifecycle,
    logger,
    timeoutMs: config.shutdownTimeoutMs,
    steps: [
      ...(jobs ? [{ name: 'jobs', run: () => jobs.stop() }] : []),
      { name: 'scoring pool', run: () => executor.close() },
    ],
  });
  const exitAfterShutdown = (reason: string, code: number) =>
    void shutdown(reason).then(() => process.exit(code));

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (lifecycle.shuttingDown) {
        logger.warn({ stage: 'shutdown', signal }, 'second signal during shutdown: exiting now');
        process.exit(1);
      }
      exitAfterShutdown(signal, 0);
    });
  }
  process.on('uncaughtException', (err) => {
    logger.fatal({ stage: 'internal', err }, 'uncaught exception');
    process.exit(1);
  });
  process.on('unhandledRejection', (err) => {
    logger.fatal({ stage: 'internal', err }, 'unhandled promise rejection');
    process.exit(1);
  });

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
