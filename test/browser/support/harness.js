/* global window -- in the page.waitForFunction callback, which runs in the page */
/**
 * Builds the browser harness (Grafana's shared modules + the harness page script, bundled with esbuild),
 * serves it with the plugins' dist folders and the data-proxy emulation, and opens it in Debian's
 * headless Chromium through playwright-core.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { startFakeGrafana } from '../../contract/support/fakeGrafana.js';
import { REPO } from '../../contract/support/scorer.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const HARNESS = fileURLToPath(new URL('../harness/', import.meta.url));

/** Flags that work for a root user in a container (see ../shared/notes/grafana-plugins.md). */
const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function buildHarness(outDir) {
  await build({
    entryPoints: { externals: join(HARNESS, 'externals.js'), harness: join(HARNESS, 'harness.js') },
    outdir: outDir,
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'chrome120',
    minify: true,
    logLevel: 'error',
    define: { 'process.env.NODE_ENV': '"production"', global: 'window' },
    // CSS imported by the modules goes to externals.css; fonts and images are not needed.
    loader: { '.svg': 'empty', '.woff': 'empty', '.woff2': 'empty', '.png': 'empty', '.ttf': 'empty' },
  });
}

/**
 * @param {{ plugins: Record<string, string> }} options plugin id → dist folder
 */
export async function openHarness({ plugins }) {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium) or set CHROMIUM_PATH`,
    );
  }
  const outDir = await mkdtemp(join(tmpdir(), 'trafficlens-harness-'));
  await buildHarness(outDir);
  const grafana = await startFakeGrafana({
    mounts: { '/harness/dist/': outDir, '/harness/': HARNESS },
    plugins,
  });
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
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

export const ARTIFACTS = join(REPO, 'test', 'artifacts');
