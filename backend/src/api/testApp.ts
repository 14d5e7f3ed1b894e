/** Builds an isolated app for tests: its own registry, a silent logger, the given executor. */
import { pino, type Logger } from 'pino';
import { Registry } from 'prom-client';
import { loadConfig, type Config } from '../config/index.js';
import { createApp, type FeedbackMount, type JobsMount, type ModelsMount, type WindowsMount } from './app.js';
import type { ScoringExecutor } from './executor.js';
import { FakeExecutor } from './fakeExecutor.js';
import { Lifecycle } from './lifecycle.js';
import type { RouteGroup } from './routes/route.js';
import type { PrometheusClient } from '../sources/prometheus/index.js';

export interface TestAppOptions {
  env?: Record<string, string>;
  executor?: ScoringExecutor;
  jobs?: JobsMount;
  models?: ModelsMount;
  windows?: WindowsMount;
  feedback?: FeedbackMount;
  sensitivity?: { api: RouteGroup };
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
  windows,
  feedback,
  sensitivity,
  lifecycle = new Lifecycle(),
  defaultMetrics = false,
  version = '0.0.0-test',
  prometheus = null,
  demo,
  logger = pino({ level: 'silent' }),
}: TestAppOptions = {}) {
  // The admission's busy check (a request read while the event loop was busy for more than 40 ms is
  // refused) depends on how loaded the machine running the tests is: off unless a test asks for it
  // (admission.test.ts runs its own server with it on).
  const config: Config = loadConfig({ env: { TRAFFICLENS_MAX_EVENT_LOOP_DELAY_MS: '0', ...env } });
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
    windows,
    feedback,
    sensitivity,
    prometheus,
    // Process metrics install observers per registry; only the test about them turns them on.
    defaultMetrics,
    demo,
  });
  return { app, registry, executor, lifecycle, config };
}
