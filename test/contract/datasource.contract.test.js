/**
 * Contract test of the datasource plugin: the *built* plugin/datasource/dist/module.js, loaded in Node
 * with the shared modules Grafana provides (AMD define shim), its requests going through an emulation
 * of Grafana's data proxy (plugin.json routes, token from the secure settings) to a real scorer running
 * the embedded simulator jobs (and a second one reading a stand-in Prometheus, for PromQL queries).
 * Checks query(), testDatasource(), annotations, variable queries and error reporting against real answers.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { createBackendSrv, createTemplateSrv } from './support/backendSrv.js';
import { startFakeGrafana } from './support/fakeGrafana.js';
import { startFakePrometheus } from './support/fakePrometheus.js';
import { getJson, request as httpRequest } from './support/http.js';
import { closeGrafanaWindow, grafanaExternals, loadPlugin } from './support/grafanaNode.js';
import { REPO, startScorer } from './support/scorer.js';

const DIST = `${REPO}plugin/datasource/dist`;
const HOUR = 3_600_000;

const MIN = 60_000;
const spike = { spikeStart: Date.now() - 40 * MIN, spikeEnd: Date.now() - 35 * MIN };
let scorer;
/** a second scorer, reading the stand-in Prometheus, for PromQL queries */
let promScorer;
let prometheus;
let grafana;
let pluginJson;
let plugin;
let data;
const now = Date.now();

/** The scorer's own answer, asked directly with the token, to compare the plugin's output with. */
function api(path) {
  return getJson(`${scorer.url}${path}`, { Authorization: `Bearer ${scorer.token}` });
}

function datasource(uid, jsonData, secureJsonData) {
  const settings = grafana.addDatasource({ uid, pluginJson, jsonData, secureJsonData });
  return { ds: new plugin.DataSourceClass(settings), settings };
}

function request(targets, { from = now - 6 * HOUR, to = now, scopedVars = {} } = {}) {
  const range = { from: data.dateTime(from), to: data.dateTime(to) };
  return {
    requestId: 'contract',
    interval: '1m',
    intervalMs: 60_000,
    range: { ...range, raw: range },
    scopedVars,
    targets,
    timezone: 'utc',
    app: 'dashboard',
    startTime: Date.now(),
  };
}

const require = createRequire(import.meta.url);
const fieldNamed = (frame, name) => frame.fields.find((f) => f.name === name);

/** What the shared modules print on console.info while the file runs (i18next's advertisement, say). */
const infos = [];
const consoleInfo = console.info;

before(async () => {
  console.info = (...args) => {
    infos.push(args.join(' '));
    consoleInfo(...args);
  };
  pluginJson = JSON.parse(readFileSync(`${DIST}/plugin.json`, 'utf8'));
  // One at a time, so that `after` can close whatever started if the other fails.
  grafana = await startFakeGrafana();
  scorer = await startScorer();
  prometheus = await startFakePrometheus(spike);
  promScorer = await startScorer({ env: { TRAFFICLENS_PROMETHEUS_URL: prometheus.url }, jobs: false });
  const shared = grafanaExternals();
  data = shared['@grafana/data'];
  ({ plugin } = loadPlugin(DIST, pluginJson.id));
  shared['@grafana/runtime'].setBackendSrv(
    createBackendSrv({ Observable: shared.rxjs.Observable, baseUrl: grafana.url }),
  );
  shared['@grafana/runtime'].setTemplateSrv(
    createTemplateSrv({
      job: { value: 'simulator' },
      sites: { value: ['ams', 'fra'], multi: true },
      // the provisioned dashboard's variables, at "All"
      site: { value: ['ams', 'fra', 'nyc'], multi: true, includeAll: true },
    }),
  );
});

after(async () => {
  console.info = consoleInfo;
  await Promise.all([scorer?.stop(), promScorer?.stop(), prometheus?.close(), grafana?.close()]);
  closeGrafanaWindow();
});

describe('the built module', () => {
  it('exports a datasource plugin with config and query editors', () => {
    assert.equal(typeof plugin.DataSourceClass, 'function');
    assert.equal(typeof plugin.components.ConfigEditor, 'function');
    assert.equal(typeof plugin.components.QueryEditor, 'function');
  });

  it('declares metrics, annotations and a scorer route that adds the bearer token from secure settings', () => {
    assert.equal(pluginJson.id, 'trafficlens-anomaly-datasource');
    assert.equal(pluginJson.metrics, true);
    assert.equal(pluginJson.annotations, true);
    assert.deepEqual(pluginJson.routes, [
      {
        path: 'scorer',
        url: '{{ .JsonData.scorerUrl }}',
        headers: [{ name: 'Authorization', content: 'Bearer {{ .SecureJsonData.apiToken }}' }],
      },
    ]);
  });
});

describe('testDatasource()', () => {
  it('reports the version, the TensorFlow.js backend, the detectors and the jobs', async () => {
    const { ds, settings } = datasource('ok', { scorerUrl: scorer.url }, { apiToken: scorer.token });
    assert.ok(
      !JSON.stringify(settings).includes(scorer.token),
      'the browser-side settings never hold the token',
    );
    const health = await api('/healthz');
    const result = await ds.testDatasource();
    assert.equal(result.status, 'success', result.message);
    assert.match(
      result.message,
      new RegExp(`^TrafficLens scorer ${health.version} is up \\(TensorFlow\\.js backend: `),
    );
    assert.match(result.message, /detectors: auto, robust, seasonal, kmeans/);
    assert.match(result.message, /jobs: simulator \(simulator, ok\), simulator-counters \(simulator, ok\)/);
  });

  it("says the token was refused, with the scorer's message", async () => {
    const { ds } = datasource('bad-token', { scorerUrl: scorer.url }, { apiToken: 'not-the-right-token' });
    const result = await ds.testDatasource();
    assert.equal(result.status, 'error');
    assert.match(
      result.message,
      /is up .* but the API refused the request: GET \/api\/v1\/detectors: invalid bearer token \(HTTP 401 unauthorized\)/,
    );
    assert.match(result.message, /TRAFFICLENS_API_TOKEN/);
  });

  it('says the scorer cannot be reached when nothing listens at the URL', async () => {
    const { ds } = datasource('down', { scorerUrl: 'http://127.0.0.1:9' }, { apiToken: scorer.token });
    const result = await ds.testDatasource();
    assert.equal(result.status, 'error');
    assert.equal(
      result.message,
      'Cannot reach the TrafficLens scorer at http://127.0.0.1:9: GET /healthz: HTTP 502 Bad Gateway. Is it running, and reachable from the Grafana server?',
    );
  });
});

describe('query()', () => {
  let ds;
  before(() => {
    ({ ds } = datasource('main', { scorerUrl: scorer.url }, { apiToken: scorer.token }));
  });

  it("returns one frame per job series over the panel range, matching the scorer's results", async () => {
    const from = now - 3 * HOUR;
    const expected = await api(`/api/v1/jobs/simulator/series?from=${from}&to=${now}`);
    const res = await ds.query(request([{ refId: 'A', job: 'simulator' }], { from }));
    assert.equal(res.errors, undefined);
    assert.equal(res.data.length, expected.series.length);
    assert.ok(res.data.length >= 20, `only ${res.data.length} series`);

    const byName = new Map(expected.series.map((s) => [JSON.stringify(s.labels), s]));
    let anomalies = 0;
    for (const frame of res.data) {
      assert.equal(frame.refId, 'A');
      assert.deepEqual(
        frame.fields.map((f) => f.name),
        ['time', 'value', 'lower', 'upper', 'expected', 'score', 'anomaly', 'anomalous'],
      );
      const value = fieldNamed(frame, 'value');
      const source = byName.get(JSON.stringify(value.labels));
      assert.ok(source, `frame ${frame.name} has labels the scorer does not know`);
      // Points may have arrived between the two requests; everything the scorer had first must match.
      const n = source.timestamps.length;
      assert.ok(frame.length >= n && n > 0);
      assert.deepEqual(fieldNamed(frame, 'time').values.slice(0, n), source.timestamps);
      assert.deepEqual(value.values.slice(0, n), source.values);
      assert.deepEqual(fieldNamed(frame, 'score').values.slice(0, n), source.score);

      const score = fieldNamed(frame, 'score').values;
      const flag = fieldNamed(frame, 'anomaly').values;
      const lower = fieldNamed(frame, 'lower').values;
      const upper = fieldNamed(frame, 'upper').values;
      for (let i = 0; i < frame.length; i++) {
        assert.ok(score[i] >= 0);
        assert.equal(flag[i], score[i] >= 1, `anomaly flag at ${i} of ${frame.name}`);
        if (lower[i] !== null && upper[i] !== null) assert.ok(lower[i] <= upper[i]);
        if (flag[i]) anomalies++;
      }
      for (const f of frame.fields.slice(1)) assert.deepEqual(f.labels, source.labels);

      // The band's fillBelowTo names a field of the frame by its display name.
      const names = frame.fields.map((f) => data.getFieldDisplayName(f, frame, res.data));
      assert.ok(names.includes(fieldNamed(frame, 'upper').config.custom.fillBelowTo), frame.name);
    }
    assert.ok(anomalies > 0, 'the simulator injects incidents: some points must be anomalous');
  });

  it('gives interface series byte rates as units and keeps the score unitless on its own axis', async () => {
    const res = await ds.query(
      request([{ refId: 'A', job: 'simulator', filter: 'metric="interface_bytes_per_second"' }]),
    );
    assert.ok(res.data.length > 0);
    for (const frame of res.data) {
      assert.equal(fieldNamed(frame, 'value').config.unit, 'Bps');
      assert.equal(fieldNamed(frame, 'score').config.unit, 'none');
      assert.equal(fieldNamed(frame, 'score').config.custom.axisPlacement, 'right');
    }
  });

  it("takes each series' unit from the scorer: byte counters, scored as rates, are Bps, not the bytes their name says", async () => {
    const scored = await api(
      '/api/v1/jobs/simulator-counters/series?match=metric%3D%22interface_bytes_total%22',
    );
    assert.ok(scored.series.length > 0);
    for (const s of scored.series) assert.equal(s.unit, 'Bps', JSON.stringify(s.labels));
    const res = await ds.query(request([{ refId: 'A', job: 'simulator-counters' }]));
    assert.equal(res.errors, undefined);
    assert.equal(res.data.length, scored.series.length);
    for (const frame of res.data) {
      assert.equal(fieldNamed(frame, 'value').labels.metric, 'interface_bytes_total');
      for (const name of ['value', 'lower', 'upper', 'expected']) {
        assert.equal(fieldNamed(frame, name).config.unit, 'Bps', `${frame.name} ${name}`);
      }
    }
    const http = await ds.query(request([{ refId: 'B', job: 'simulator', filter: 'service="api"' }]));
    const units = Object.fromEntries(
      http.data.map((f) => [fieldNamed(f, 'value').labels.metric, fieldNamed(f, 'value').config.unit]),
    );
    assert.deepEqual(units, {
      http_requests_per_second: 'reqps',
      http_error_ratio: 'percentunit',
      http_latency_p95_seconds: 's',
    });
  });

  it('selects series with label matchers and template variables, and names them with the legend', async () => {
    const res = await ds.query(
      request([
        {
          refId: 'A',
          job: '$job',
          filter: 'metric="interface_bytes_per_second", site=~"$sites", direction="in"',
          legendFormat: '{{site}} {{link}}',
          fields: ['value', 'score'],
        },
      ]),
    );
    assert.equal(res.errors, undefined);
    assert.ok(res.data.length >= 2);
    for (const frame of res.data) {
      assert.match(frame.name, /^(ams|fra) /);
      assert.deepEqual(
        frame.fields.map((f) => f.name),
        ['time', 'value', 'score'],
      );
    }
  });

  it('has the scorer thin long series to maxDataPoints, keeping every anomalous point and the extremes', async () => {
    const target = { refId: 'A', job: 'simulator', filter: 'metric="interface_bytes_per_second"' };
    const full = await ds.query(request([target]));
    const thin = await ds.query({ ...request([target]), maxDataPoints: 60 });
    assert.equal(thin.errors, undefined);
    assert.equal(thin.data.length, full.data.length);
    const byName = new Map(full.data.map((f) => [f.name, f]));
    let anomalies = 0;
    for (const frame of thin.data) {
      const whole = byName.get(frame.name);
      assert.ok(whole.length > 60, `${frame.name}: ${whole.length} points is not long enough to thin`);
      assert.ok(frame.length <= 60, `${frame.name}: ${frame.length} points`);
      const values = (f) => fieldNamed(f, 'value').values.filter((v) => v !== null);
      // Points may arrive between the two requests: compare extremes over the older range only.
      const end = fieldNamed(frame, 'time').values.at(-1);
      const times = fieldNamed(whole, 'time').values;
      const older = fieldNamed(whole, 'value').values.filter((v, i) => v !== null && times[i] <= end);
      assert.ok(Math.max(...values(frame)) >= Math.max(...older) * 0.999999);
      const flagged = fieldNamed(frame, 'anomaly').values.filter(Boolean).length;
      const flaggedWhole = fieldNamed(whole, 'anomaly').values.filter((a, i) => a && times[i] <= end).length;
      assert.ok(flagged >= Math.min(1, flaggedWhole), `${frame.name} lost its anomalies`);
      anomalies += flagged;
    }
    assert.ok(anomalies > 0);
  });

  it("rescores the job's values with another detector and sensitivity through POST /api/v1/score", async () => {
    const res = await ds.query(
      request(
        [
          {
            refId: 'R',
            job: 'simulator',
            filter: 'metric="http_requests_per_second", site="ams", service="api"',
            rescore: true,
            detector: 'robust',
            sensitivity: 90,
          },
        ],
        { from: now - 2 * HOUR },
      ),
    );
    assert.equal(res.errors, undefined, JSON.stringify(res.errors));
    assert.equal(res.data.length, 1);
    assert.equal(res.data[0].meta.custom.detector, 'robust');
    assert.match(
      res.data[0].meta.executedQueryString,
      /POST \/api\/v1\/score \{"detector":"robust","sensitivity":90\}/,
    );
    assert.ok(grafana.proxied.some((r) => r.method === 'POST' && r.path === 'scorer/api/v1/score'));
  });

  it("reports a scorer error as the query's error, with the scorer's message", async () => {
    const res = await ds.query(
      request([
        { refId: 'A', job: 'simulator', fields: ['score'] },
        { refId: 'B', job: 'no-such-job' },
      ]),
    );
    assert.ok(res.data.length > 0, 'the good target still answers');
    assert.equal(res.errors.length, 1);
    assert.equal(res.errors[0].refId, 'B');
    assert.equal(res.errors[0].status, 404);
    assert.match(res.errors[0].message, /no job named "no-such-job"; GET \/api\/v1\/jobs lists them/);
  });
});

describe('scoreSeries() (the anomaly panel scoring series from another datasource)', () => {
  let ds;
  /** a scorer that takes at most 2 series a request, to see its 413 reach the caller */
  let limited;
  before(async () => {
    ({ ds } = datasource('score-series', { scorerUrl: scorer.url }, { apiToken: scorer.token }));
    limited = await startScorer({ env: { TRAFFICLENS_MAX_SERIES: '2' }, jobs: false });
  });
  after(() => limited?.stop());

  // What a Prometheus or InfluxDB frame would hold: 10 h of 1-minute points, a daily-ish wave with
  // deterministic jitter, and a burst 5× the level for 5 minutes near the end.
  const T = Date.UTC(2025, 0, 13, 0, 0, 0);
  const SPIKE = [520, 525];
  const plain = (name, labels, scale) => {
    const timestamps = Array.from({ length: 600 }, (_, i) => T + i * MIN);
    const values = timestamps.map((_, i) => {
      const level = scale * (100 + 20 * Math.sin((2 * Math.PI * i) / 240) + ((i * 7919) % 13) - 6);
      return i >= SPIKE[0] && i < SPIKE[1] ? level * 5 : level;
    });
    return { name, labels, timestamps, values };
  };
  const input = [
    plain('router1 ge-0/0/1 in', { host: 'router1', ifName: 'ge-0/0/1' }, 1),
    plain('', { host: 'router2' }, 3),
  ];

  it("returns one frame per series, in order, with the scorer's scores, and finds the burst", async () => {
    const frames = await ds.scoreSeries(input, { detector: 'robust', sensitivity: 50, refId: 'S' });
    const direct = await httpRequest(`${scorer.url}/api/v1/score`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${scorer.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        detector: 'robust',
        sensitivity: 50,
        series: input.map(({ labels, timestamps, values }) => ({ labels, timestamps, values })),
      }),
    });
    assert.equal(direct.status, 200);
    const expected = JSON.parse(direct.body.toString()).series;

    assert.deepEqual(
      frames.map((f) => [f.name, f.refId]),
      [
        ['router1 ge-0/0/1 in', 'S'],
        ['{host="router2"}', 'S'],
      ],
    );
    frames.forEach((frame, k) => {
      assert.deepEqual(
        frame.fields.map((f) => f.name),
        ['time', 'value', 'lower', 'upper', 'expected', 'score', 'anomaly', 'anomalous'],
      );
      assert.equal(frame.meta.custom.detector, 'robust');
      // The scorer's episodes, explanations included, for the panel's tooltip.
      assert.deepEqual(frame.meta.custom.episodes, expected[k].episodes);
      assert.ok(frame.meta.custom.episodes.some((e) => typeof e.explanation.summary === 'string'));
      assert.deepEqual(fieldNamed(frame, 'time').values, expected[k].timestamps);
      assert.deepEqual(fieldNamed(frame, 'score').values, expected[k].score);
      assert.deepEqual(fieldNamed(frame, 'value').labels, input[k].labels);
      const flagged = fieldNamed(frame, 'time').values.filter(
        (t, i) => fieldNamed(frame, 'anomaly').values[i],
      );
      assert.ok(
        flagged.some((t) => t >= T + SPIKE[0] * MIN && t < T + SPIKE[1] * MIN),
        `${frame.name}: no anomaly inside the burst; flagged ${flagged.length} points`,
      );
    });
    assert.match(
      frames[0].meta.executedQueryString,
      /^POST \/api\/v1\/score \{"detector":"robust","sensitivity":50\} \(2 series, 1200 points\)$/,
    );
    assert.ok(
      grafana.proxied.some(
        (r) =>
          r.method === 'POST' && r.path === 'scorer/api/v1/score' && r.target.startsWith(`${scorer.url}/`),
      ),
      'through the datasource proxy route',
    );
  });

  it("rejects with the scorer's 413 message when the request is above its limits", async () => {
    const { ds: small } = datasource(
      'score-limited',
      { scorerUrl: limited.url },
      { apiToken: limited.token },
    );
    await assert.rejects(small.scoreSeries([...input, plain('third', {}, 2)]), (err) => {
      assert.equal(err.status, 413);
      assert.equal(err.code, 'too_many_series');
      assert.match(err.message, /^POST \/api\/v1\/score: .*\b2\b.*\(HTTP 413 too_many_series\)$/);
      return true;
    });
  });

  it("rejects with the scorer's validation message", async () => {
    await assert.rejects(ds.scoreSeries(input, { detector: 'no-such-detector' }), (err) => {
      assert.equal(err.status, 400);
      assert.match(err.message, /^POST \/api\/v1\/score: .*detector.*\(HTTP 400 invalid_request\)$/);
      return true;
    });
  });

  it('rejects with an AbortError when cancelled', async () => {
    const controller = new AbortController();
    const pending = ds.scoreSeries(input, { signal: controller.signal });
    controller.abort();
    await assert.rejects(pending, { name: 'AbortError' });
  });
});

describe('query() in PromQL mode', () => {
  let ds;
  before(() => {
    ({ ds } = datasource('promql', { scorerUrl: promScorer.url }, { apiToken: promScorer.token }));
  });

  it('scores every series of the expression over the panel range and finds the spike', async () => {
    const res = await ds.query(
      request(
        [
          {
            refId: 'P',
            mode: 'promql',
            expr: 'rate(ifHCInOctets[5m])',
            step: '1m',
            legendFormat: '{{site}} {{link}}',
          },
        ],
        { from: now - 2 * HOUR },
      ),
    );
    assert.equal(res.errors, undefined, JSON.stringify(res.errors));
    assert.deepEqual(
      res.data.map((f) => f.name),
      ['ams transit-1', 'fra transit-1'],
    );
    assert.deepEqual(prometheus.requests.slice(-1), ['rate(ifHCInOctets[5m])']);
    assert.match(
      res.data[0].meta.executedQueryString,
      /^POST \/api\/v1\/query \{"expr":"rate\(ifHCInOctets\[5m\]\)"/,
    );
    const fra = res.data[1];
    const time = fieldNamed(fra, 'time').values;
    assert.ok(time[0] >= now - 2 * HOUR && time.at(-1) <= now, 'only the panel range comes back');
    const flagged = time.filter((t, i) => fieldNamed(fra, 'anomaly').values[i]);
    assert.ok(
      flagged.some((t) => t >= spike.spikeStart && t <= spike.spikeEnd),
      `no anomaly inside the spike; flagged: ${flagged.map((t) => new Date(t).toISOString())}`,
    );
    assert.equal(fieldNamed(fra, 'value').config.unit, 'Bps');
  });

  it("sends the query's unit: every series comes back with it, and a unit the scorer does not know is its 400", async () => {
    const res = await ds.query(
      request([{ refId: 'P', mode: 'promql', expr: 'rate(ifHCInOctets[5m]) * 8', step: '1m', unit: 'bps' }], {
        from: now - 2 * HOUR,
      }),
    );
    assert.equal(res.errors, undefined, JSON.stringify(res.errors));
    assert.equal(res.data.length, 2);
    for (const frame of res.data) {
      for (const name of ['value', 'lower', 'upper', 'expected']) {
        assert.equal(fieldNamed(frame, name).config.unit, 'bps', `${frame.name} ${name}`);
      }
    }
    const bad = await ds.query(request([{ refId: 'P', mode: 'promql', expr: 'traffic', unit: 'Mbit/s' }]));
    assert.equal(bad.errors[0].status, 400);
    assert.match(bad.errors[0].message, /unit: "Mbit\/s" is not a Grafana unit id/);
  });

  it('returns the episodes of the expression as annotations', async () => {
    const res = await ds.query(
      request([{ refId: 'A', mode: 'promql', expr: 'traffic', step: '1m', format: 'episodes' }], {
        from: now - 2 * HOUR,
      }),
    );
    const frame = res.data[0];
    const rows = fieldNamed(frame, 'time').values.map((t, i) => ({
      start: t,
      end: fieldNamed(frame, 'timeEnd').values[i],
      tags: fieldNamed(frame, 'tags').values[i],
    }));
    assert.ok(
      rows.some((r) => r.start <= spike.spikeEnd && r.end >= spike.spikeStart && r.tags.includes('site:fra')),
      JSON.stringify(rows),
    );
  });

  it("shows Prometheus' own message when it refuses the expression", async () => {
    const res = await ds.query(request([{ refId: 'P', mode: 'promql', expr: 'syntax_error' }]));
    assert.equal(res.errors.length, 1);
    assert.match(
      res.errors[0].message,
      /^POST \/api\/v1\/query: .*parse error: unexpected identifier "syntax_error"/,
    );
  });

  it('says so when the scorer has no Prometheus configured', async () => {
    const { ds: noProm } = datasource('promql-none', { scorerUrl: scorer.url }, { apiToken: scorer.token });
    const res = await noProm.query(request([{ refId: 'P', mode: 'promql', expr: 'up' }]));
    assert.equal(res.errors[0].status, 503);
    assert.match(
      res.errors[0].message,
      /no Prometheus is configured on this scorer: set TRAFFICLENS_PROMETHEUS_URL/,
    );
  });
});

describe('annotations', () => {
  it("turn the job's episodes in the range into region annotations", async () => {
    const { ds } = datasource('anno', { scorerUrl: scorer.url }, { apiToken: scorer.token });
    const from = now - 5 * HOUR;
    const expected = await api(`/api/v1/jobs/simulator/series?from=${from}&to=${now}`);
    const episodes = expected.series.flatMap((s) => s.episodes);
    assert.ok(episodes.length > 0, 'the simulator backfill has incidents');

    const target = ds.annotations.prepareQuery({
      name: 'Anomalies',
      enable: true,
      iconColor: 'red',
      target: { refId: 'Anno', job: 'simulator', legendFormat: '{{site}} {{metric}}' },
    });
    const res = await ds.query(request([target], { from }));
    assert.equal(res.data.length, 1);
    const frame = res.data[0];
    // Episodes still open may have grown, or new ones started, between the two requests.
    assert.ok(frame.length >= episodes.length);
    const [time, timeEnd, title, text, tags] = ['time', 'timeEnd', 'title', 'text', 'tags'].map(
      (n) => fieldNamed(frame, n).values,
    );
    for (let i = 0; i < frame.length; i++) {
      assert.ok(time[i] <= timeEnd[i]);
      assert.match(
        title[i],
        /^(Warning|Minor|Major|Critical) [a-z ]+ [▲▼] (up|down) \(severity \d+\) · \w+ \w+/,
      );
      assert.match(text[i], /actual .* vs expected .*; peak score \d+\.\d\d/);
      assert.ok(tags[i].includes('job:simulator'));
    }
    const first = episodes.toSorted((a, b) => a.start - b.start)[0];
    assert.ok(text.some((t) => t.includes(first.explanation.summary)));
  });
});

describe('metricFindQuery()', () => {
  it('lists jobs, detectors, label names and label values', async () => {
    const { ds } = datasource('vars', { scorerUrl: scorer.url }, { apiToken: scorer.token });
    const texts = async (q) => (await ds.metricFindQuery(q)).map((v) => v.text);
    assert.deepEqual(await texts('jobs()'), ['simulator', 'simulator-counters']);
    const { detectors } = await api('/api/v1/detectors');
    assert.deepEqual(
      await texts('detectors()'),
      detectors.map((d) => d.name),
    );
    assert.deepEqual(await texts('label_values(simulator, site)'), ['ams', 'fra', 'nyc']);
    assert.ok((await texts('label_names($job)')).includes('metric'));
    assert.deepEqual(await texts('label_values(simulator{metric="http_error_ratio", site="ams"}, service)'), [
      'api',
      'web',
    ]);
  });
});

describe('the provisioned dashboard (provisioning/dashboards/trafficlens-datasource.json)', () => {
  const dashboard = JSON.parse(
    readFileSync(`${REPO}provisioning/dashboards/trafficlens-datasource.json`, 'utf8'),
  );
  const jobs = () => datasource('dash-jobs', { scorerUrl: scorer.url }, { apiToken: scorer.token }).ds;
  const promql = () =>
    datasource('dash-promql', { scorerUrl: promScorer.url }, { apiToken: promScorer.token }).ds;

  it('has variables whose queries list values', async () => {
    const ds = jobs();
    for (const variable of dashboard.templating.list) {
      const values = await ds.metricFindQuery(variable.query);
      assert.ok(values.length > 0, `$${variable.name}: ${variable.query} lists nothing`);
    }
  });

  it('has panel and annotation queries that all answer with data', async () => {
    const anno = dashboard.annotations.list.find((a) => a.target);
    const targets = [
      ...dashboard.panels.flatMap((p) => p.targets.map((t) => ({ where: p.title, target: t }))),
      { where: anno.name, target: jobs().annotations.prepareQuery(anno) },
    ];
    for (const { where, target } of targets) {
      // PromQL goes to the scorer with a (stand-in) Prometheus, as in compose.yaml.
      const ds = target.mode === 'promql' ? promql() : jobs();
      const res = await ds.query(request([target], { from: now - 3 * HOUR }));
      assert.equal(res.errors, undefined, `${where}: ${JSON.stringify(res.errors)}`);
      assert.ok(res.data.length > 0 && res.data.some((f) => f.length > 0), `${where}: no data`);
    }
  });
});

describe('the shared modules', () => {
  it('initialised i18next without printing its advertisement (grafanaNode.js turns it off)', () => {
    assert.equal(require('i18next').isInitialized, true);
    assert.deepEqual(
      infos.filter((m) => /i18next|locize/i.test(m)),
      [],
    );
  });
});
