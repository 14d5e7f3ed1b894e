/* global window -- in the page.waitForFunction callback, which runs in the page */
/**
 * Builds the browser harness page script (bundled with esbuild against plugin/demo's externals bundle of
 * Grafana's shared modules), serves it with the plugins' dist folders and the data-proxy emulation, and opens it in Debian's
 * headless Chromium through playwright-core, on one Grafana version's externals (hosts.js).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildPageScripts } from '../../../plugin/demo/build.mjs';
import { chromiumMissing, launchChromium } from './chromium.js';
import { assertHost, assertHostBuilt } from './hosts.js';
import { startFakeGrafana } from '../../contract/support/fakeGrafana.js';

const HARNESS = fileURLToPath(new URL('../harness/', import.meta.url));

/** The harness page script, bundled against the demo's externals bundle (built by `npm run build`). */
export async function buildHarness(outDir) {
  await buildPageScripts({ harness: join(HARNESS, 'harness.js') }, outDir);
}

/**
 * @param {{ plugins: Record<string, string>, host: object }} options plugin id → dist folder; the
 *   Grafana version (an entry of GRAFANA_HOSTS) whose shared modules the page hands the plugins
 */
export async function openHarness({ plugins, host }) {
  const missing = chromiumMissing();
  if (missing) {
    throw new Error(missing);
  }
  assertHostBuilt(host);
  const outDir = await mkdtemp(join(tmpdir(), 'trafficlens-harness-'));
  await buildHarness(outDir);
  const grafana = await startFakeGrafana({
    mounts: { '/harness/dist/': outDir, '/harness/externals/': host.dist, '/harness/': HARNESS },
    plugins,
  });
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
  const errors = [];
  page.on('pageerror', (err) => errors.push(String(err)));
  await page.goto(`${grafana.url}/harness/index.html`);
  await page.waitForFunction(() => window.harnessReady === true, null, { timeout: 30_000 });
  await assertHost(page, host);
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

export { GRAFANA_HOSTS } from './hosts.js';
