/**
 * plugin/demo's page (externals.js/.css, demo.js, index.html, icons) built into dist/ from this
 * package's dependencies: Grafana 13.2's shared modules on React 19. The browser tests host the same
 * built plugins on it and on plugin/demo/dist (Grafana 12.4, React 18); see test/browser/support/hosts.js.
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildDemo } from '../demo/build.mjs';

export const GRAFANA13_DIST = fileURLToPath(new URL('./dist/', import.meta.url));
const PACKAGE = fileURLToPath(new URL('./', import.meta.url));

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const started = Date.now();
  await buildDemo(GRAFANA13_DIST, PACKAGE);
  process.stdout.write(`demo page on Grafana 13 built in ${GRAFANA13_DIST} (${Date.now() - started} ms)\n`);
}
