/**
 * docs/api/openapi.json is the generated document, committed so that contract changes (here, in
 * the score contract or in the jobs API) show up in review. Regenerate it with
 *   UPDATE_OPENAPI=1 npm test -w backend -- src/api/openapi.committed.test.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';
import request from 'supertest';
import { readVersion } from '../config/index.js';
import type { JobManager } from '../jobs/manager.js';
import type { ModelRegistry } from '../models/registry.js';
import { jobsApi } from './routes/jobs.js';
import { modelsApi } from './routes/models.js';
import { windowsApi } from './routes/windows.js';
import type { FeedbackTable, SensitivitySettingsTable, WindowsTable } from '../store/index.js';
import { feedbackApi } from './routes/feedback.js';
import { sensitivityApi } from './routes/sensitivity.js';
import { testApp } from './testApp.js';

const COMMITTED = fileURLToPath(new URL('../../../docs/api/openapi.json', import.meta.url));

test('docs/api/openapi.json is the document the service serves', async () => {
  const { app } = testApp({
    version: readVersion(),
    // Only documented here: no request reaches the manager or the registry.
    jobs: { api: jobsApi({} as JobManager) },
    models: {
      api: modelsApi({} as ModelRegistry, { limits: { maxPointsPerSeries: 1000 } }),
      resolve: () => null,
    },
    windows: { api: windowsApi({ windows: {} as WindowsTable, seriesLabels: () => [] }) },
    feedback: { api: feedbackApi({ feedback: {} as FeedbackTable, jobs: {} as JobManager }) },
    sensitivity: {
      api: sensitivityApi({ jobs: {} as JobManager, settings: {} as SensitivitySettingsTable }),
    },
  });
  const body = (await request(app).get('/openapi.json').expect(200)).body;
  // Formatted as the repository's Prettier would, so `prettier --check .` accepts the file.
  const options = (await prettier.resolveConfig(COMMITTED)) ?? {};
  const served = await prettier.format(JSON.stringify(body), { ...options, parser: 'json' });
  if (process.env.UPDATE_OPENAPI === '1') writeFileSync(COMMITTED, served);
  let committed = '';
  try {
    committed = readFileSync(COMMITTED, 'utf8');
  } catch {
    // missing: reported by the comparison below
  }
  if (committed !== served) {
    throw new Error(
      'docs/api/openapi.json is out of date; regenerate it with ' +
        'UPDATE_OPENAPI=1 npm test -w backend -- src/api/openapi.committed.test.ts and commit it',
    );
  }
});
