/** Builds an isolated app for tests: its own registry, a silent logger, the given executor. */
import { pino, type Logger } from 'pino';
import { Registry } from 'prom-client';
import { loadConfig, type Config } from '../config/index.js';
import { createApp, type JobsMount, type ModelsMount } from './app.js';
import type { ScoringExecutor } from './executor.js';
import { FakeExecutor } from './fakeExecutor.js';
import { Lifecycle } from './lifecycle.js';
import type { PrometheusClient } from '../sources/prometheus/index.js';

export interface TestAppOptions {
  env?: Record<string, string>;
  executor?: ScoringExecutor;
  jobs?: JobsMount;
  models?: ModelsMount;
  lifecycle?: Lifecycle;
  defaultMetrics?: boolean;
  version?: string;
  prometheus?: PrometheusClient | null;
  /** Serve the demo page from these folders. */
  demo?: { dir: string; panelDir: string };
  /** Default: silent. */
  logger?: Logger;
}

export function testApp({
  env = {},
  executor = new FakeExecutor(),
  jobs,
  models,
  lifecycle = new Lifecycle(),
  defaultMetrics = false,
  version = '0.0.0-test',
  prometheus = null,
  demo,
  logger = pino({ level: 'silent' }),
}: TestAppOptions = {}) {
  const config: Config = loadConfig({ env });
  const registry = new Registry();
  const app = createApp({
    config,
    logger,
    registry,
    executor,
    version,
    lifecycle,
    jobs,
    models,
    prometheus,
    // Process metrics install observers per registry; only the test about them turns them on.
    defaultMetrics,
    demo,
  });
  return { app, registry, executor, lifecycle, config };
}
