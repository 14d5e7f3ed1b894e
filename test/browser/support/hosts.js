/* global window -- in the page.evaluate callback, which runs in the page */
/**
 * The Grafana versions the browser tests host the built plugins on: each is a build of plugin/demo's page
 * (externals.js: Grafana's shared modules, bundled from one npm package's dependencies) and every browser
 * test runs once on each, with the same dist/module.js of each plugin. Grafana 12.4 runs plugins on
 * React 18; Grafana 13 on React 19 (from 13.2 the @grafana/* packages require it).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ARTIFACTS } from './artifacts.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));

function host(packageDir, artifacts) {
  const { dependencies } = JSON.parse(readFileSync(join(REPO, packageDir, 'package.json'), 'utf8'));
  return {
    name: `Grafana ${dependencies['@grafana/runtime']} (React ${dependencies.react})`,
    /** what the page must report it runs (checked by assertHost) */
    grafana: dependencies['@grafana/runtime'],
    react: dependencies.react,
    /** the built page: index.html, externals.js/.css, demo.js, icons/ */
    dist: join(REPO, packageDir, 'dist'),
    build: `npm run build -w ${packageDir}`,
    artifacts,
  };
}

export const GRAFANA_HOSTS = [
  // The README's screenshots are this host's.
  host('plugin/demo', ARTIFACTS),
  // Its screenshots stay in the ignored folder: they would only repeat the ones above.
  host('plugin/externals-grafana13', join(REPO, 'test', 'artifacts', 'out', 'grafana13')),
];

/** Throws, with the command to run, when the host's page is not built. */
export function assertHostBuilt(host) {
  for (const file of ['externals.js', 'demo.js', 'index.html']) {
    if (!existsSync(join(host.dist, file))) {
      throw new Error(`${join(host.dist, file)} is missing: ${host.build} (or npm run build) first`);
    }
  }
}

/** Fails unless the page runs the host's React and @grafana/runtime (not the other host's). */
export async function assertHost(page, host) {
  const running = await page.evaluate(() => ({
    react: window.__grafanaExternals.react.version,
    grafana: window.__grafanaExternals['@grafana/runtime'].config.buildInfo.version,
  }));
  if (running.react !== host.react || running.grafana !== host.grafana) {
    throw new Error(
      `the page runs React ${running.react} and Grafana ${running.grafana}, not ${host.name} (${host.dist})`,
    );
  }
}
