/**
 * A job manager with one job, `edge`, on a fake source, its metrics in its own registry and its clock in
 * the test's hands: the set-up the job metrics and data-quality tests share.
 */
import { Registry } from 'prom-client';
import { FakeSource } from '../../sources/fake.js';
import type { JobConfigInput } from '../config.js';
import { createFakeStream } from '../fakeStream.js';
import { JobManager } from '../manager.js';
import { captureLogger, TestClock } from './helpers.js';

export const EDGE_T0 = Date.UTC(2025, 0, 13, 12);

export function edgeJob(config: Partial<JobConfigInput>) {
  const registry = new Registry();
  const clock = new TestClock(EDGE_T0);
  const { logger, lines } = captureLogger();
  const manager = new JobManager({
    logger,
    registry,
    now: clock.now,
    createStream: () => createFakeStream(),
  });
  const source = new FakeSource();
  manager.addJob({ name: 'edge', source: { type: 'simulator' }, step: '1m', ...config }, source);
  return { registry, clock, manager, source, lines };
}
