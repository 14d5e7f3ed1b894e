/* global window -- in the page.waitForFunction callback, which runs in the page */
/**
 * Builds the browser harness page script (bundled with esbuild against plugin/demo's externals bundle of
 * Grafana's shared modules), serves it with the plugins' dist folders and the data-proxy emulation, and opens it in Debian's
 * headless Chromium through playwright-core.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO_DIST, buildPageScripts } from '../../../plugin/demo/build.mjs';
import { chromiumMissing, launchChromium } from './chromium.js';
import { startFakeGrafana } from '../../contract/support/fakeGrafana.js';

const HARNESS = fileURLToPath(new URL('../harness/', import.meta.url));

/** The harness page script, bundled against the demo's externals bundle (built by `npm run build`). */
export async function buildHarness(outDir) {
  await buildPageScripts({ harness: join(HARNESS, 'harness.js') }, outDir);
}

/**
 * @param {{ plugins: Record<string, string> }} options plugin id → dist folder
 */
export async function openHarness({ plugins }) {
  const missing = chromiumMissing();
  if (missing) {
    throw new Error(missing);
  }
  if (!existsSync(join(DEMO_DIST, 'externals.js'))) {
    throw new Error(
      `${DEMO_DIST}externals.js is missing: npm run build -w plugin/demo (or npm run build) first`,
    );
  }
  const outDir = await mkdtemp(join(tmpdir(), 'trafficlens-harness-'));
  await buildHarness(outDir);
  const grafana = await startFakeGrafana({
    mounts: { '/harness/dist/': outDir, '/harness/externals/': DEMO_DIST, '/harness/': HARNESS },
    plugins,
  });
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
  const errors = [];
  page.on('pageerror', (err) => errors.push(String(err)));
  await page.goto(`${grafana.url}/harness/index.html`);
  await page.waitForFunction(() => window.harnessReady === true, null, { timeout: 30_000 });
  return {
    grafana,
    page,
    errors,
    async close() {
      await browser.close();
      await grafana.close();
      await rm(outDir, { recursive: true, force: true });
    },
  };
}

export { ARTIFACTS } from './artifacts.js';
