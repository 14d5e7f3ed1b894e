/**
 * The datasource's provisioning — provisioning/datasources/trafficlens.yaml, the dashboard provider and
 * dashboard of provisioning/dashboards/, provisioning/compose.yaml — checked against each other, against
 * the plugin (its id, its routes' template fields, its query model) and against the structure Grafana
 * expects. That the dashboard's queries answer from a real scorer is checked in datasource.contract.test.js.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { REPO } from './support/scorer.js';

const PLUGIN_ID = 'trafficlens-anomaly-datasource';
const PANEL_ID = 'trafficlens-anomaly-panel';
const read = (path) => readFileSync(join(REPO, path), 'utf8');
const yaml = (path) => parse(read(path));
const pluginJson = JSON.parse(read('plugin/datasource/src/plugin.json'));
const pluginPackage = JSON.parse(read('plugin/datasource/package.json'));

const DATASOURCE_UID = 'trafficlens';
const DASHBOARD = 'provisioning/dashboards/trafficlens-datasource.json';

/** The query fields of src/types.ts (TrafficLensQuery), plus what Grafana adds to every query. */
const QUERY_KEYS = new Set([
  'refId',
  'datasource',
  'hide',
  'key',
  'queryType',
  'mode',
  'job',
  'filter',
  'expr',
  'step',
  'rescore',
  'detector',
  'sensitivity',
  'legendFormat',
  'fields',
  'format',
]);
const FIELDS = new Set(['value', 'expected', 'band', 'score', 'anomaly']);
/** Built-in panels a Grafana without extra plugins has, of the kinds this dashboard uses. */
const BUILT_IN_PANELS = new Set(['timeseries', 'table', 'stat', 'text', 'row']);

const trafficlensDatasource = () => {
  const file = yaml('provisioning/datasources/trafficlens.yaml');
  assert.equal(file.apiVersion, 1);
  const ds = file.datasources.filter((d) => d.type === PLUGIN_ID);
  assert.equal(ds.length, 1, 'one TrafficLens datasource');
  return ds[0];
};

const compose = () => yaml('provisioning/compose.yaml');

/** Checks one query of the dashboard against the plugin's query model. */
function checkQuery(where, query) {
  for (const key of Object.keys(query))
    assert.ok(QUERY_KEYS.has(key), `${where}: unknown query field ${key}`);
  assert.deepEqual(query.datasource, { type: PLUGIN_ID, uid: DATASOURCE_UID }, `${where}: datasource`);
  assert.ok(['job', 'promql'].includes(query.mode), `${where}: mode ${query.mode}`);
  if (query.mode === 'job') assert.ok(query.job, `${where}: a job`);
  else assert.ok(query.expr, `${where}: an expression`);
  assert.ok(['series', 'episodes'].includes(query.format ?? 'series'), `${where}: format`);
  for (const f of query.fields ?? []) assert.ok(FIELDS.has(f), `${where}: field ${f}`);
  if (query.sensitivity !== undefined) assert.ok(query.sensitivity >= 0 && query.sensitivity <= 100);
}

describe('provisioning/datasources/trafficlens.yaml', () => {
  it('provisions the plugin by id with a stable uid, proxy access and the fields its route needs', () => {
    const ds = trafficlensDatasource();
    assert.equal(ds.uid, DATASOURCE_UID);
    assert.equal(ds.access, 'proxy');
    assert.match(ds.jsonData.scorerUrl, /^https?:\/\/[^/\s]+$/);
    // Every {{ .JsonData.x }} / {{ .SecureJsonData.y }} of the plugin's routes has a value here.
    const routeText = JSON.stringify(pluginJson.routes);
    for (const [, kind, key] of routeText.matchAll(/\.(JsonData|SecureJsonData)\.(\w+)/g)) {
      const source = kind === 'JsonData' ? ds.jsonData : ds.secureJsonData;
      assert.ok(source && key in source, `${kind}.${key} is provisioned`);
    }
    assert.equal(
      ds.secureJsonData.apiToken,
      '$TRAFFICLENS_API_TOKEN',
      'the token comes from the environment',
    );
    assert.ok(!('apiToken' in ds.jsonData), 'the token never goes into jsonData');
    assert.ok(ds.jsonData.defaultSensitivity >= 0 && ds.jsonData.defaultSensitivity <= 100);
  });

  it('points at the scorer service of compose.yaml', () => {
    const url = new URL(trafficlensDatasource().jsonData.scorerUrl);
    const scorer = compose().services[url.hostname];
    assert.ok(scorer, `compose.yaml has a service named ${url.hostname}`);
    assert.equal(String(scorer.environment.PORT), url.port);
    assert.equal(
      scorer.environment.HOST,
      '0.0.0.0',
      'the scorer listens beyond loopback inside its container',
    );
  });
});

describe('provisioning/dashboards', () => {
  it('has a file provider loading the folder where compose.yaml mounts it', () => {
    const { apiVersion, providers } = yaml('provisioning/dashboards/trafficlens.yaml');
    assert.equal(apiVersion, 1);
    assert.equal(providers.length, 1);
    assert.equal(providers[0].type, 'file');
    const mount = compose().services.grafana.volumes.find((v) => v.startsWith('./dashboards:'));
    assert.ok(mount, 'compose.yaml mounts ./dashboards');
    assert.equal(mount.split(':')[1], providers[0].options.path);
  });

  it('holds dashboards with unique uids', () => {
    const files = readdirSync(join(REPO, 'provisioning/dashboards')).filter((f) => f.endsWith('.json'));
    const uids = files.map((f) => JSON.parse(read(`provisioning/dashboards/${f}`)).uid);
    assert.ok(uids.every(Boolean));
    assert.equal(new Set(uids).size, uids.length);
  });

  describe(DASHBOARD, () => {
    const dashboard = JSON.parse(read(DASHBOARD));

    it('is a dashboard Grafana imports: uid, title, schema version, time range', () => {
      assert.match(dashboard.uid, /^[a-zA-Z0-9_-]{1,40}$/);
      assert.ok(dashboard.title);
      assert.ok(Number.isInteger(dashboard.schemaVersion) && dashboard.schemaVersion >= 36);
      assert.ok(dashboard.time.from && dashboard.time.to);
      assert.equal(dashboard.id, undefined, 'no database id in a provisioned dashboard');
    });

    it('lays out built-in panels on the 24-column grid without overlaps', () => {
      const ids = new Set();
      const cells = new Set();
      for (const panel of dashboard.panels) {
        assert.ok(BUILT_IN_PANELS.has(panel.type), `panel ${panel.id}: ${panel.type} is built in`);
        assert.ok(!ids.has(panel.id), `panel id ${panel.id} is unique`);
        ids.add(panel.id);
        const { x, y, w, h } = panel.gridPos;
        assert.ok(x >= 0 && w > 0 && x + w <= 24 && y >= 0 && h > 0, `panel ${panel.id} fits the grid`);
        for (let i = x; i < x + w; i++)
          for (let j = y; j < y + h; j++) {
            assert.ok(!cells.has(`${i},${j}`), `panel ${panel.id} overlaps another at ${i},${j}`);
            cells.add(`${i},${j}`);
          }
      }
    });

    it('queries the TrafficLens datasource with valid queries, band, score and a PromQL panel', () => {
      const timeseries = dashboard.panels.filter((p) => p.type === 'timeseries');
      for (const panel of dashboard.panels) {
        assert.deepEqual(panel.datasource, { type: PLUGIN_ID, uid: DATASOURCE_UID });
        assert.ok(panel.targets.length > 0);
        assert.equal(new Set(panel.targets.map((t) => t.refId)).size, panel.targets.length);
        panel.targets.forEach((t) => checkQuery(`panel ${panel.id} ${t.refId}`, t));
      }
      const fieldsOf = (p) => p.targets.flatMap((t) => t.fields ?? [...FIELDS]);
      assert.ok(
        timeseries.some((p) => fieldsOf(p).includes('band')),
        'a panel draws the band',
      );
      assert.ok(
        timeseries.some((p) => fieldsOf(p).includes('score')),
        'a panel draws the score',
      );
      assert.ok(
        dashboard.panels.some((p) => p.targets.some((t) => t.mode === 'promql')),
        'a PromQL panel',
      );
      assert.ok(
        dashboard.panels.some((p) => p.targets.some((t) => t.format === 'episodes')),
        'an episode table',
      );
    });

    it('shows the episodes as annotations and defines the variables its queries use', () => {
      const anno = dashboard.annotations.list.filter((a) => a.datasource?.uid === DATASOURCE_UID);
      assert.equal(anno.length, 1);
      assert.equal(anno[0].enable, true);
      checkQuery('annotation', anno[0].target);
      const variables = new Set(dashboard.templating.list.map((v) => v.name));
      const used = JSON.stringify([dashboard.panels, dashboard.annotations]).matchAll(/\$\{?(\w+)/g);
      for (const [, name] of used) {
        if (name.startsWith('__')) continue;
        assert.ok(variables.has(name), `variable $${name} is defined`);
      }
    });
  });
});

describe('provisioning/compose.yaml', () => {
  const { services } = compose();

  it('starts Grafana at the version the plugins are built against, with both unsigned plugins allowed', () => {
    const grafana = services.grafana;
    const [, version] = /^grafana\/grafana(?:-oss)?:(\d+\.\d+\.\d+)$/.exec(grafana.image) ?? [];
    assert.ok(version, `Grafana is pinned to a version: ${grafana.image}`);
    assert.equal(version, pluginPackage.dependencies['@grafana/data']);
    const allowed = grafana.environment.GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS.split(',');
    assert.deepEqual(allowed.toSorted(), [PLUGIN_ID, PANEL_ID]);
  });

  it('mounts both plugin dist folders and the provisioning folders that exist', () => {
    const mounts = Object.fromEntries(
      services.grafana.volumes.map((v) => {
        const [host, container] = v.split(':');
        return [container, host];
      }),
    );
    assert.equal(mounts[`/var/lib/grafana/plugins/${PLUGIN_ID}`], '../plugin/datasource/dist');
    assert.equal(mounts[`/var/lib/grafana/plugins/${PANEL_ID}`], '../plugin/panel/dist');
    for (const kind of ['datasources', 'dashboards', 'alerting']) {
      assert.equal(mounts[`/etc/grafana/provisioning/${kind}`], `./${kind}`);
      assert.ok(existsSync(join(REPO, 'provisioning', kind)), `provisioning/${kind} exists`);
    }
    assert.ok(
      services.grafana.environment.TRAFFICLENS_API_TOKEN,
      'Grafana gets the token the datasource provisioning reads',
    );
  });

  it('runs Prometheus pinned, with the scrape config that targets the scorer service', () => {
    const prometheus = services.prometheus;
    assert.match(prometheus.image, /^prom\/prometheus:v\d+\.\d+\.\d+$/);
    const [host, container] = prometheus.volumes[0].split(':');
    assert.equal(container, '/etc/prometheus');
    const config = yaml(join('provisioning', host, 'prometheus.yml'));
    const targets = config.scrape_configs.flatMap((s) => s.static_configs.flatMap((c) => c.targets));
    assert.ok(targets.includes(`trafficlens:${services.trafficlens.environment.PORT}`), targets.join(', '));
    assert.equal(services.trafficlens.environment.TRAFFICLENS_PROMETHEUS_URL, 'http://prometheus:9090');
    const promDatasource = yaml('provisioning/datasources/prometheus.yaml').datasources[0];
    assert.equal(promDatasource.url, 'http://prometheus:9090');
  });

  it('runs the scorer from this checkout with a token', () => {
    const scorer = services.trafficlens;
    assert.match(scorer.image, /^node:20[\w.-]*$/);
    assert.deepEqual(scorer.command, ['node', 'backend/dist/main.js']);
    assert.ok(scorer.volumes.includes('..:/app'));
    assert.match(scorer.environment.TRAFFICLENS_API_TOKEN, /^\$\{TRAFFICLENS_API_TOKEN:\?/);
  });
});
