/**
 * The demo page at `/` (plugin/demo): the built panel plugin on the live scores of the continuous jobs,
 * without Grafana. Static files only, outside the API: not in the OpenAPI document, no token (the page
 * holds no data; it calls /api/ like any client, with the token the user types when one is required).
 *
 * Whether the bundles exist is checked per request, so building them while the scorer runs is enough.
 * When they are missing, `/` says how to build them (503, plain text) rather than failing.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express, { Router } from 'express';

export interface DemoDirs {
  /** plugin/demo/dist: index.html, externals.js/.css, demo.js, icons/ */
  dir: string;
  /** plugin/panel/dist, served where Grafana serves plugins: /public/plugins/<id>/ */
  panelDir: string;
}

export const PANEL_PLUGIN_ID = 'trafficlens-anomaly-panel';
export const DEMO_MOUNT = '/demo';
const PANEL_MOUNT = `/public/plugins/${PANEL_PLUGIN_ID}`;
const ICONS_MOUNT = '/public/build/img/icons';

/** What is missing for the page to work, as the commands that build it. */
export function missingDemoParts({ dir, panelDir }: DemoDirs): string[] {
  const missing: string[] = [];
  if (!existsSync(join(dir, 'index.html')) || !existsSync(join(dir, 'demo.js'))) {
    missing.push(`${join(dir, 'index.html')} (build it: npm run build -w plugin/demo)`);
  }
  if (!existsSync(join(panelDir, 'module.js'))) {
    missing.push(`${join(panelDir, 'module.js')} (build it: npm run build -w plugin/panel)`);
  }
  return missing;
}

function labelled(mount: string): express.RequestHandler {
  return (_req, res, next) => {
    res.locals.mount = mount;
    next();
  };
}

export function demoRouter(dirs: DemoDirs): Router {
  const router = Router();
  router.get('/', (_req, res) => {
    const missing = missingDemoParts(dirs);
    if (missing.length > 0) {
      res
        .status(503)
        .type('text/plain')
        .send(
          'TrafficLens: the demo page is not built, so there is nothing to show at / yet.\n\n' +
            `Missing:\n${missing.map((m) => `  ${m}`).join('\n')}\n\n` +
            'From the repository root, `npm run build` builds everything (`npm install` does it too).\n' +
            'The scoring API works regardless: see /openapi.json, /healthz and /api/v1/jobs.\n',
        );
      return;
    }
    // no-cache: after a rebuild, the page and its scripts must not mix versions.
    res.set('Cache-Control', 'no-cache');
    res.sendFile(join(dirs.dir, 'index.html'));
  });
  router.use(DEMO_MOUNT, labelled(DEMO_MOUNT), express.static(dirs.dir, { index: false, maxAge: 0 }));
  // Where @grafana/ui's Icon looks for its SVGs (Grafana's public build folder).
  router.use(ICONS_MOUNT, labelled(ICONS_MOUNT), express.static(join(dirs.dir, 'icons'), { index: false }));
  router.use(PANEL_MOUNT, labelled(PANEL_MOUNT), express.static(dirs.panelDir, { index: false, maxAge: 0 }));
  return router;
}
