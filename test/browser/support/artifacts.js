/**
 * Where the browser tests write their screenshots: test/artifacts/out/, which git ignores, so `npm test`
 * leaves the tracked pictures alone. The README shows the tracked copies in test/artifacts/; the root's
 * `npm run screenshots` refreshes them by running the same tests with TRAFFICLENS_SCREENSHOTS=test/artifacts
 * (a folder relative to the repository).
 */
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));

export const ARTIFACTS = process.env.TRAFFICLENS_SCREENSHOTS
  ? resolve(REPO, process.env.TRAFFICLENS_SCREENSHOTS)
  : join(REPO, 'test', 'artifacts', 'out');
