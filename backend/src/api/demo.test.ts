import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { testApp } from './testApp.js';

const TOKEN = 'a-long-enough-token';
let root: string;
let demo: { dir: string; panelDir: string };

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'trafficlens-demo-'));
  demo = { dir: join(root, 'demo'), panelDir: join(root, 'panel') };
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function build({ page = true, panel = true } = {}) {
  mkdirSync(demo.dir, { recursive: true });
  mkdirSync(demo.panelDir, { recursive: true });
  if (page) {
    writeFileSync(join(demo.dir, 'index.html'), '<!doctype html><title>TrafficLens demo</title>');
    writeFileSync(join(demo.dir, 'demo.js'), 'window.demo = 1;');
    writeFileSync(join(demo.dir, 'externals.js'), 'window.__grafanaExternals = {};');
  }
  if (panel) writeFileSync(join(demo.dir, '..', 'panel', 'module.js'), 'define([], function () {});');
}

describe('the demo page at /', () => {
  test('serves the built page, its scripts and the panel bundle where Grafana serves plugins', async () => {
    build();
    const { app } = testApp({ demo });
    const page = await request(app).get('/').expect(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.text).toContain('<title>TrafficLens demo</title>');
    expect(page.headers['cache-control']).toBe('no-cache');
    const script = await request(app).get('/demo/demo.js').expect(200);
    expect(script.headers['content-type']).toMatch(/javascript/);
    expect(script.text).toBe('window.demo = 1;');
    const panel = await request(app).get('/public/plugins/trafficlens-anomaly-panel/module.js').expect(200);
    expect(panel.text).toContain('define(');
  });

  test('is public when a token protects the API, which still answers 401 without it', async () => {
    build();
    const { app } = testApp({ demo, env: { TRAFFICLENS_API_TOKEN: TOKEN } });
    await request(app).get('/').expect(200);
    await request(app).get('/demo/externals.js').expect(200);
    await request(app).get('/api/v1/detectors').expect(401);
    await request(app).get('/api/v1/detectors').set('Authorization', `Bearer ${TOKEN}`).expect(200);
  });

  test.each([
    ['nothing is built', { page: false, panel: false }, ['plugin/demo', 'plugin/panel']],
    ['only the panel is missing', { page: true, panel: false }, ['npm run build -w plugin/panel']],
    ['only the page is missing', { page: false, panel: true }, ['npm run build -w plugin/demo']],
  ])('when %s, answers 503 with a plain page that says how to build it', async (_, parts, says) => {
    build(parts);
    const { app } = testApp({ demo });
    const res = await request(app).get('/').expect(503);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.text).toContain('the demo page is not built');
    expect(res.text).toContain('npm run build');
    for (const s of says) expect(res.text).toContain(s);
    // The API does not depend on the page.
    await request(app).get('/healthz').expect(200);
  });

  test('missing files under the page answer the JSON 404, and the page never shadows the API', async () => {
    build();
    const { app } = testApp({ demo });
    const res = await request(app).get('/demo/nothing.js').expect(404);
    expect(res.body.error.code).toBe('not_found');
    await request(app).post('/').expect(404);
    await request(app).get('/api/v1/detectors').expect(200);
  });

  test('without demo folders (as in the API tests), / is an unknown route', async () => {
    const { app } = testApp();
    await request(app).get('/').expect(404);
  });
});

describe('the demo folders in the configuration', () => {
  test('default to the build outputs in the repository, and follow TRAFFICLENS_DEMO_DIR / _PANEL_DIR', async () => {
    const { loadConfig } = await import('../config/index.js');
    const defaults = loadConfig({ env: {} }).demo;
    expect(defaults.dir).toMatch(/plugin[/\\]demo[/\\]dist$/);
    expect(defaults.panelDir).toMatch(/plugin[/\\]panel[/\\]dist$/);
    const set = loadConfig({
      env: { TRAFFICLENS_DEMO_DIR: '/srv/demo', TRAFFICLENS_PANEL_DIR: '/srv/panel' },
    });
    expect(set.demo).toEqual({ dir: '/srv/demo', panelDir: '/srv/panel' });
  });
});
