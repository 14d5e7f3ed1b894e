/**
 * The whole API surface for tests that cross routes (client errors, the fuzz suite): testApp plus the
 * jobs API on one fake-sourced job, the models API on a temporary folder and the windows API on a
 * store in it. Training always fails
 * at once (its trainer throws), so a hostile-but-valid training request costs no CPU.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { JobManager } from '../jobs/manager.js';
import { createFakeStream } from '../jobs/fakeStream.js';
import { jobsApi } from './routes/jobs.js';
import { windowsApi } from './routes/windows.js';
import { FeedbackTable, SensitivitySettingsTable, Store, WindowsTable } from '../store/index.js';
import { feedbackApi } from './routes/feedback.js';
import { sensitivityApi } from './routes/sensitivity.js';
import { points, TestClock } from '../jobs/testing/helpers.js';
import { openModels } from './models.js';
import { FakeSource } from '../sources/fake.js';
import { testApp, type TestAppOptions } from './testApp.js';

const MINUTE = 60_000;
export const FULL_APP_T0 = Date.UTC(2025, 0, 13, 12);
/** The series of the job `edge`; the metric label is long enough to make a backtracking regex hang. */
export const FULL_APP_SERIES = [
  { metric: 'interface_bytes_total', site: 'ams', link: 'transit-1' },
  { metric: 'interface_bytes_total', site: 'fra', link: 'peering-2' },
];

export async function fullTestApp(
  options: Omit<TestAppOptions, 'jobs' | 'models' | 'windows' | 'feedback'> = {},
) {
  const silent = pino({ level: 'silent' });
  const clock = new TestClock(FULL_APP_T0);
  const dir = await mkdtemp(join(tmpdir(), 'tl-full-app-'));
  const storeDir = await mkdtemp(join(tmpdir(), 'tl-full-app-store-'));
  const store = Store.open({ path: join(storeDir, 'trafficlens.db') });
  const windows = new WindowsTable(store);
  const feedback = new FeedbackTable(store);
  const settings = new SensitivitySettingsTable(store);
  const manager = new JobManager({
    logger: silent,
    now: clock.now,
    createStream: () => createFakeStream(),
    windows,
    feedback,
    settings,
  });
  const source = new FakeSource();
  FULL_APP_SERIES.forEach((labels, k) =>
    source.add(
      labels,
      points(FULL_APP_T0 - 10 * MINUTE, FULL_APP_T0, MINUTE, (t) => 100 + k + ((t / MINUTE) % 3)),
    ),
  );
  manager.addJob({ name: 'edge', source: { type: 'simulator' }, step: '1m', fit_window: '10m' }, source);
  await manager.runOnce('edge');

  const models = await openModels({
    dir,
    trainingThreads: 1,
    limits: { maxPointsPerSeries: 10_000 },
    logger: silent,
    version: 'test',
    trainer: {
      train: () => Promise.reject(new Error('training is disabled in this test app')),
      close: async () => {},
    },
  });
  const built = testApp({
    ...options,
    jobs: { api: jobsApi(manager) },
    models: models.mount,
    windows: { api: windowsApi({ windows, seriesLabels: () => manager.seriesLabels(), now: clock.now }) },
    feedback: { api: feedbackApi({ feedback, jobs: manager, now: clock.now }) },
    sensitivity: { api: sensitivityApi({ jobs: manager, settings, now: clock.now }) },
  });
  return {
    ...built,
    manager,
    models,
    modelsDir: dir,
    async close() {
      await models.close();
      store.close();
      await rm(dir, { recursive: true, force: true });
      await rm(storeDir, { recursive: true, force: true });
    },
  };
}
