import {
  dateTime,
  FieldType,
  type DataQueryRequest,
  type DataSourceInstanceSettings,
  type ScopedVars,
} from '@grafana/data';
import type { BackendSrvRequest, FetchResponse } from '@grafana/runtime';
import { NEVER, Observable, of, throwError } from 'rxjs';
import { DataSource } from './datasource';
import { AbortError } from './scorer/client';
import type { ScoreRequest } from './api/types';
import {
  AMS_IN,
  ERRORS,
  FRA_IN,
  incident,
  jobSeriesResponse,
  jobStatus,
  series,
  STEP,
  T0,
} from './testing/fixtures';
import type { TrafficLensOptions, TrafficLensQuery } from './types';

const PROXY = '/api/datasources/proxy/uid/tl';

type Route = (req: BackendSrvRequest) => { status?: number; data: unknown };

/** A stand-in for Grafana's backend service: answers by URL and records every request. */
function fakeBackend(routes: Record<string, Route | { status?: number; data: unknown }>) {
  const requests: BackendSrvRequest[] = [];
  const fetch = jest.fn((req: BackendSrvRequest) => {
    requests.push(req);
    const path = req.url.replace(`${PROXY}/scorer`, '');
    const route = routes[`${req.method ?? 'GET'} ${path}`];
    if (!route) {
      return throwError(() => ({
        status: 404,
        data: { error: { code: 'not_found', message: `no route ${path}` } },
      }));
    }
    const answer = typeof route === 'function' ? route(req) : route;
    const status = answer.status ?? 200;
    if (status >= 400) {
      return throwError(() => ({ status, statusText: 'error', data: answer.data, config: req }));
    }
    return of({ data: answer.data, status, ok: true } as FetchResponse);
  });
  return { fetch, requests };
}

function settings(jsonData: TrafficLensOptions = { scorerUrl: 'http://scorer:8686' }) {
  return {
    id: 1,
    uid: 'tl',
    type: 'trafficlens-anomaly-datasource',
    name: 'TrafficLens',
    url: PROXY,
    jsonData,
    meta: {},
    readOnly: false,
    access: 'proxy',
  } as unknown as DataSourceInstanceSettings<TrafficLensOptions>;
}

const templateSrv = {
  replace: jest.fn((text?: string, scoped?: ScopedVars) =>
    (text ?? '').replace(/\$(\w+)/g, (w, name: string) =>
      String(scoped?.[name]?.value ?? { job: 'simulator' }[name] ?? w),
    ),
  ),
};

function makeDataSource(routes: Parameters<typeof fakeBackend>[0], jsonData?: TrafficLensOptions) {
  const backend = fakeBackend(routes);
  const ds = new DataSource(settings(jsonData), { backend: () => backend, templates: () => templateSrv });
  return { ds, backend };
}

function request(
  targets: TrafficLensQuery[],
  scopedVars: ScopedVars = {},
): DataQueryRequest<TrafficLensQuery> {
  const from = dateTime(T0);
  const to = dateTime(T0 + 3 * STEP);
  return {
    requestId: 'Q1',
    interval: '1m',
    intervalMs: STEP,
    range: { from, to, raw: { from, to } },
    scopedVars,
    targets,
    timezone: 'utc',
    app: 'dashboard',
    startTime: T0,
  };
}

const SERIES_ROUTE = 'GET /api/v1/jobs/simulator/series';

describe('query()', () => {
  it('asks the job for the panel time range through the scorer route and returns one frame per series', async () => {
    const { ds, backend } = makeDataSource({ [SERIES_ROUTE]: { data: jobSeriesResponse() } });
    const res = await ds.query(request([{ refId: 'A', job: 'simulator', legendFormat: '{{site}}' }]));

    expect(backend.requests).toHaveLength(1);
    expect(backend.requests[0]).toMatchObject({
      method: 'GET',
      url: `${PROXY}/scorer/api/v1/jobs/simulator/series`,
      params: { from: T0, to: T0 + 3 * STEP },
      requestId: 'Q1-A',
      showErrorAlert: false,
    });
    expect(res.errors).toBeUndefined();
    expect(res.data.map((f) => f.name)).toEqual(['ams', 'fra']);
    expect(res.data[0].refId).toBe('A');
    expect(res.data[0].meta.executedQueryString).toBe(
      `GET /api/v1/jobs/simulator/series?from=${T0}&to=${T0 + 3 * STEP}`,
    );
  });

  it('interpolates template variables in the job, filter and legend (scoped variables first)', async () => {
    // The scorer applies the filter: it would answer with the fra series only.
    const { ds, backend } = makeDataSource({ [SERIES_ROUTE]: { data: jobSeriesResponse([series(FRA_IN)]) } });
    const scoped: ScopedVars = { site: { text: 'fra', value: 'fra' } };
    const res = await ds.query(
      request([{ refId: 'A', job: '$job', filter: 'site="$site"', legendFormat: '$site {{link}}' }], scoped),
    );
    expect(backend.requests[0].url).toBe(`${PROXY}/scorer/api/v1/jobs/simulator/series`);
    expect(backend.requests[0].params?.match).toEqual(['site="fra"']);
    expect(res.data.map((f) => f.name)).toEqual(['fra transit-1']);
  });

  it('has the scorer select the series by label and thin them to maxDataPoints', async () => {
    const { ds, backend } = makeDataSource({ [SERIES_ROUTE]: { data: jobSeriesResponse([series(AMS_IN)]) } });
    const res = await ds.query({
      ...request([{ refId: 'A', job: 'simulator', filter: 'metric=~"interface_.*", site!="f\\"ra"' }]),
      maxDataPoints: 812.4,
    });
    expect(backend.requests[0].params).toEqual({
      from: T0,
      to: T0 + 3 * STEP,
      match: ['metric=~"interface_.*"', 'site!="f\\"ra"'],
      maxDataPoints: 812,
    });
    expect(res.data[0].meta?.executedQueryString).toContain('match=site%21%3D%22f%5C%22ra%22');
    expect(res.data[0].meta?.executedQueryString).toContain('maxDataPoints=812');
  });

  it('a rescore fetches every point (no maxDataPoints): the detector needs the full resolution', async () => {
    const { ds, backend } = makeDataSource({
      [SERIES_ROUTE]: { data: jobSeriesResponse([series(AMS_IN)]) },
      'POST /api/v1/score': { data: { series: [series(AMS_IN)] } },
    });
    await ds.query({ ...request([{ refId: 'A', job: 'simulator', rescore: true }]), maxDataPoints: 500 });
    expect(backend.requests[0].params).toEqual({ from: T0, to: T0 + 3 * STEP });
  });

  it('returns the requested fields only', async () => {
    const { ds } = makeDataSource({ [SERIES_ROUTE]: { data: jobSeriesResponse([series(AMS_IN)]) } });
    const res = await ds.query(request([{ refId: 'A', job: 'simulator', fields: ['value', 'score'] }]));
    expect(res.data[0].fields.map((f: { name: string }) => f.name)).toEqual(['time', 'value', 'score']);
  });

  it('returns episodes as one annotation-shaped frame when the format is episodes', async () => {
    const { ds } = makeDataSource({ [SERIES_ROUTE]: { data: jobSeriesResponse() } });
    const res = await ds.query(request([{ refId: 'A', job: 'simulator', format: 'episodes' }]));
    expect(res.data).toHaveLength(1);
    const frame = res.data[0];
    expect(frame.length).toBe(2);
    expect(frame.fields.find((f: { name: string }) => f.name === 'tags').values[0]).toContain(
      'job:simulator',
    );
  });

  it("rescoring posts the job's values with the query's detector and sensitivity and shows the new scores", async () => {
    const rescored = series(AMS_IN, {
      detector: 'robust',
      score: [0, 0, 0.5, 0.4],
      anomaly: [false, false, false, false],
    });
    let posted: ScoreRequest | undefined;
    const { ds, backend } = makeDataSource({
      [SERIES_ROUTE]: { data: jobSeriesResponse([series(AMS_IN)]) },
      'POST /api/v1/score': (req) => {
        posted = req.data;
        return { data: { series: [rescored] } };
      },
    });
    const res = await ds.query(
      request([{ refId: 'A', job: 'simulator', rescore: true, detector: 'robust', sensitivity: 20 }]),
    );
    expect(backend.requests.map((r) => `${r.method} ${r.url.replace(PROXY, '')}`)).toEqual([
      'GET /scorer/api/v1/jobs/simulator/series',
      'POST /scorer/api/v1/score',
    ]);
    expect(posted).toEqual({
      detector: 'robust',
      sensitivity: 20,
      series: [{ labels: AMS_IN, timestamps: series(AMS_IN).timestamps, values: series(AMS_IN).values }],
    });
    const score = res.data[0].fields.find((f: { name: string }) => f.name === 'score');
    expect(score.values).toEqual([0, 0, 0.5, 0.4]);
    expect(res.data[0].meta.executedQueryString).toContain(
      'POST /api/v1/score {"detector":"robust","sensitivity":20}',
    );
  });

  it("rescoring sends the job's unit along, so the rescored frames keep it", async () => {
    let posted: ScoreRequest | undefined;
    const { ds } = makeDataSource({
      [SERIES_ROUTE]: { data: jobSeriesResponse([series(AMS_IN, { unit: 'bps' }), series(FRA_IN)]) },
      'POST /api/v1/score': (req) => {
        posted = req.data;
        return { data: { series: posted!.series.map((s) => series(s.labels!, { unit: s.unit ?? null })) } };
      },
    });
    const res = await ds.query(request([{ refId: 'A', job: 'simulator', rescore: true }]));
    expect(posted!.series.map((s) => s.unit)).toEqual(['bps', undefined]);
    const unitOf = (i: number) =>
      res.data[i].fields.find((f: { name: string }) => f.name === 'value').config.unit;
    // The second has no unit from the scorer: its metric name says bytes/s.
    expect([unitOf(0), unitOf(1)]).toEqual(['bps', 'Bps']);
    // Rescored episodes are not the job's own: no job for the panel to send feedback to.
    expect(res.data.map((f) => f.meta.custom.job)).toEqual([undefined, undefined]);
  });

  it("names the job in the frames of its own results (the panel's episode feedback goes to it)", async () => {
    const { ds } = makeDataSource({ [SERIES_ROUTE]: { data: jobSeriesResponse() } });
    const res = await ds.query(request([{ refId: 'A', job: 'simulator' }]));
    expect(res.data.map((f) => f.meta.custom.job)).toEqual(['simulator', 'simulator']);
  });

  it("passes a job series' maintenance windows on to the panel, which shades them", async () => {
    const maintenance = [{ start: T0 + STEP, end: T0 + 3 * STEP + 1 }];
    const { ds } = makeDataSource({
      [SERIES_ROUTE]: { data: jobSeriesResponse([{ ...series(AMS_IN), maintenance }, series(FRA_IN)]) },
    });
    const res = await ds.query(request([{ refId: 'A', job: 'simulator' }]));
    expect(res.data.map((f) => f.meta.custom.maintenance)).toEqual([maintenance, undefined]);
  });

  it('rescoring falls back to the datasource defaults for detector and sensitivity', async () => {
    let posted: ScoreRequest | undefined;
    const { ds } = makeDataSource(
      {
        [SERIES_ROUTE]: { data: jobSeriesResponse([series(AMS_IN)]) },
        'POST /api/v1/score': (req) => {
          posted = req.data;
          return { data: { series: [series(AMS_IN)] } };
        },
      },
      { scorerUrl: 'http://scorer:8686', defaultDetector: 'seasonal', defaultSensitivity: 65 },
    );
    await ds.query(request([{ refId: 'A', job: 'simulator', rescore: true }]));
    expect(posted).toMatchObject({ detector: 'seasonal', sensitivity: 65 });
  });

  it("turns a scorer error into a query error with the scorer's message, and still returns the other targets", async () => {
    const { ds } = makeDataSource({
      [SERIES_ROUTE]: { data: jobSeriesResponse([series(AMS_IN)]) },
      'GET /api/v1/jobs/nope/series': {
        status: 404,
        data: {
          error: {
            code: 'not_found',
            message: 'no job named "nope"; GET /api/v1/jobs lists them',
            details: [],
          },
        },
      },
    });
    const res = await ds.query(
      request([
        { refId: 'A', job: 'simulator' },
        { refId: 'B', job: 'nope' },
      ]),
    );
    expect(res.data).toHaveLength(1);
    expect(res.errors).toEqual([
      {
        refId: 'B',
        status: 404,
        message:
          'GET /api/v1/jobs/nope/series: no job named "nope"; GET /api/v1/jobs lists them (HTTP 404 not_found)',
      },
    ]);
  });

  it.each([
    [{ job: 'simulator', filter: 'site=' }, 'label filter: expected a value after "site="'],
    [{ job: 'simulator', rescore: true, sensitivity: 140 }, 'sensitivity must be between 0 and 100, got 140'],
    [
      { mode: 'promql' as const, expr: 'up', sensitivity: -1 },
      'sensitivity must be between 0 and 100, got -1',
    ],
  ])('reports a bad query %j as an error without asking for scores', async (target, message) => {
    const score = jest.fn(() => ({ data: { series: [] } }));
    const { ds } = makeDataSource({
      [SERIES_ROUTE]: { data: jobSeriesResponse() },
      'POST /api/v1/score': score,
    });
    const res = await ds.query(request([{ refId: 'A', ...target }]));
    expect(res.errors?.[0].message).toContain(message);
    expect(score).not.toHaveBeenCalled();
  });

  it('skips hidden targets and targets without a job', async () => {
    const { ds, backend } = makeDataSource({ [SERIES_ROUTE]: { data: jobSeriesResponse() } });
    const res = await ds.query(
      request([
        { refId: 'A', job: 'simulator', hide: true },
        { refId: 'B', job: ' ' },
      ]),
    );
    expect(res.data).toEqual([]);
    expect(backend.requests).toHaveLength(0);
  });
});

describe('query() in PromQL mode', () => {
  const info = {
    start: T0,
    end: T0 + 3 * STEP,
    stepMs: STEP,
    historyStart: T0 - 500 * STEP,
    fetchedSeries: 2,
    fetchedPoints: 1008,
  };

  it("posts the expression, the panel range, Grafana's interval as step and the scoring defaults", async () => {
    let posted: unknown;
    const { ds } = makeDataSource(
      {
        'POST /api/v1/query': (req) => {
          posted = req.data;
          return { data: { series: [series(AMS_IN), series(FRA_IN)], query: { ...info, expr: 'x' } } };
        },
      },
      { scorerUrl: 'http://scorer:8686', defaultDetector: 'robust', defaultSensitivity: 60 },
    );
    const res = await ds.query(
      request(
        [
          {
            refId: 'P',
            mode: 'promql',
            expr: 'rate(if_octets{site=~"$site"}[5m])',
            legendFormat: '{{site}}',
          },
        ],
        {
          site: { text: 'ams', value: 'ams' },
        },
      ),
    );
    expect(posted).toEqual({
      expr: 'rate(if_octets{site=~"ams"}[5m])',
      start: T0,
      end: T0 + 3 * STEP,
      step: STEP,
      detector: 'robust',
      sensitivity: 60,
    });
    expect(res.data.map((f) => f.name)).toEqual(['ams', 'fra']);
    expect(res.data[0].meta.executedQueryString).toContain(
      '2 series, 1008 points fetched from Prometheus at a 60 s step',
    );
  });

  it("uses the query's step, detector and sensitivity when given, and rounds Grafana's interval to seconds", async () => {
    const bodies: Array<Record<string, unknown>> = [];
    const { ds } = makeDataSource({
      'POST /api/v1/query': (req) => {
        bodies.push(req.data);
        return { data: { series: [], query: { ...info, expr: 'x' } } };
      },
    });
    await ds.query(
      request([
        { refId: 'P', mode: 'promql', expr: 'up', step: '5m', detector: 'seasonal', sensitivity: 30 },
      ]),
    );
    expect(bodies[0]).toMatchObject({ step: '5m', detector: 'seasonal', sensitivity: 30 });
    await ds.query({ ...request([{ refId: 'P', mode: 'promql', expr: 'up' }]), intervalMs: 200 });
    expect(bodies[1]).toMatchObject({ step: 1000, detector: 'auto', sensitivity: 50 });
  });

  it("sends the query's unit, and none when it is empty", async () => {
    const bodies: Array<Record<string, unknown>> = [];
    const { ds } = makeDataSource({
      'POST /api/v1/query': (req) => {
        bodies.push(req.data);
        return { data: { series: [series({ link: 'x' }, { unit: req.data.unit ?? null })], query: info } };
      },
    });
    const res = await ds.query(request([{ refId: 'P', mode: 'promql', expr: 'up', unit: ' bps ' }]));
    expect(bodies[0].unit).toBe('bps');
    expect(res.data[0].fields.find((f: { name: string }) => f.name === 'value').config.unit).toBe('bps');
    await ds.query(request([{ refId: 'P', mode: 'promql', expr: 'up', unit: '' }]));
    expect(bodies[1]).not.toHaveProperty('unit');
  });

  it("sends the query's time zone (a dashboard variable allowed) as options.timezone, and refuses one that is none", async () => {
    const bodies: Array<Record<string, unknown>> = [];
    const { ds } = makeDataSource({
      'POST /api/v1/query': (req) => {
        bodies.push(req.data);
        return { data: { series: [], query: info } };
      },
    });
    await ds.query(
      request([{ refId: 'P', mode: 'promql', expr: 'up', timezone: '$tz' }], {
        tz: { text: 'Europe/Berlin', value: 'Europe/Berlin' },
      }),
    );
    expect(bodies[0].options).toEqual({ timezone: 'Europe/Berlin' });
    await ds.query(request([{ refId: 'P', mode: 'promql', expr: 'up' }]));
    expect(bodies[1]).not.toHaveProperty('options');
    const res = await ds.query(request([{ refId: 'P', mode: 'promql', expr: 'up', timezone: 'CEST' }]));
    expect(bodies).toHaveLength(2);
    expect(res.errors?.[0]?.message).toContain('"CEST" is not an IANA time zone such as Europe/Berlin');
  });

  it("reports the scorer's answer when it has no Prometheus", async () => {
    const message =
      'no Prometheus is configured on this scorer: set TRAFFICLENS_PROMETHEUS_URL (or --prometheus-url) to score PromQL queries';
    const { ds } = makeDataSource({
      'POST /api/v1/query': {
        status: 503,
        data: { error: { code: 'prometheus_not_configured', message, details: [] } },
      },
    });
    const res = await ds.query(request([{ refId: 'P', mode: 'promql', expr: 'up' }]));
    expect(res.errors).toEqual([
      {
        refId: 'P',
        status: 503,
        message: `POST /api/v1/query: ${message} (HTTP 503 prometheus_not_configured)`,
      },
    ]);
  });

  it('returns the episodes of the scored series as annotations, tagged promql', async () => {
    const { ds } = makeDataSource({
      'POST /api/v1/query': { data: { series: [series(AMS_IN)], query: { ...info, expr: 'x' } } },
    });
    const res = await ds.query(request([{ refId: 'P', mode: 'promql', expr: 'up', format: 'episodes' }]));
    expect(res.data[0].fields.find((f: { name: string }) => f.name === 'tags').values[0]).toContain('promql');
  });
});

describe('scoreSeries()', () => {
  const plain = (name: string, labels?: Record<string, string>) => ({
    name,
    labels,
    timestamps: series(AMS_IN).timestamps,
    values: [1, 2, null, 40],
  });

  it('posts every series in one request with the given detector and sensitivity and returns one frame each, in order', async () => {
    let posted: ScoreRequest | undefined;
    const { ds, backend } = makeDataSource({
      'POST /api/v1/score': (req) => {
        posted = req.data;
        return { data: { series: [series({ host: 'a' }), series({})] } };
      },
    });
    const frames = await ds.scoreSeries([plain('in', { host: 'a' }), plain('out')], {
      detector: 'robust',
      sensitivity: 70,
      refId: 'P',
    });
    expect(backend.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      `POST ${PROXY}/scorer/api/v1/score`,
    ]);
    expect(posted).toEqual({
      detector: 'robust',
      sensitivity: 70,
      series: [
        { labels: { host: 'a' }, timestamps: plain('in').timestamps, values: [1, 2, null, 40] },
        { labels: {}, timestamps: plain('out').timestamps, values: [1, 2, null, 40] },
      ],
    });
    expect(frames.map((f) => [f.name, f.refId])).toEqual([
      ['in', 'P'],
      ['out', 'P'],
    ]);
    expect(frames[0].fields.map((f) => f.name)).toEqual([
      'time',
      'value',
      'lower',
      'upper',
      'expected',
      'score',
      'anomaly',
      'anomalous',
    ]);
    expect(frames[0].fields.find((f) => f.name === 'score')?.values).toEqual([0.2, 0, 3.5, 2.1]);
    expect(frames[0].meta?.executedQueryString).toBe(
      'POST /api/v1/score {"detector":"robust","sensitivity":70} (2 series, 8 points)',
    );
  });

  it('sends a time zone as options.timezone, and refuses one that is none before asking', async () => {
    let posted: ScoreRequest | undefined;
    const { ds, backend } = makeDataSource({
      'POST /api/v1/score': (req) => {
        posted = req.data;
        return { data: { series: [series({})] } };
      },
    });
    await ds.scoreSeries([plain('in')], { timezone: 'America/New_York' });
    expect(posted?.options).toEqual({ timezone: 'America/New_York' });
    await expect(ds.scoreSeries([plain('in')], { timezone: 'EST5EDT7' })).rejects.toThrow(
      '"EST5EDT7" is not an IANA time zone',
    );
    expect(backend.requests).toHaveLength(1);
  });

  it("sends each series' unit and gives the frames the unit the scorer echoes", async () => {
    let posted: ScoreRequest | undefined;
    const { ds } = makeDataSource({
      'POST /api/v1/score': (req) => {
        posted = req.data;
        return { data: { series: posted!.series.map((s) => series({}, { unit: s.unit ?? null })) } };
      },
    });
    const frames = await ds.scoreSeries([{ ...plain('in'), unit: 'pps' }, plain('out')]);
    expect(posted!.series.map((s) => s.unit)).toEqual(['pps', undefined]);
    expect(frames.map((f) => f.fields.find((x) => x.name === 'value')?.config.unit)).toEqual([
      'pps',
      undefined,
    ]);
  });

  it('uses the datasource defaults, names unnamed series from their labels and keeps names unique', async () => {
    let posted: ScoreRequest | undefined;
    const { ds } = makeDataSource(
      {
        'POST /api/v1/score': (req) => {
          posted = req.data;
          return { data: { series: [series(AMS_IN), series(AMS_IN), series({})] } };
        },
      },
      { scorerUrl: 'http://scorer:8686', defaultDetector: 'seasonal', defaultSensitivity: 65 },
    );
    const frames = await ds.scoreSeries([plain(''), plain(''), plain('x')]);
    expect(posted).toMatchObject({ detector: 'seasonal', sensitivity: 65 });
    expect(frames.map((f) => f.name)).toEqual([
      'interface_bytes_per_second{site="ams", link="transit-1", direction="in"}',
      'interface_bytes_per_second{site="ams", link="transit-1", direction="in"} (2)',
      'x',
    ]);
  });

  it('asks nothing for no series', async () => {
    const { ds, backend } = makeDataSource({});
    await expect(ds.scoreSeries([])).resolves.toEqual([]);
    expect(backend.requests).toHaveLength(0);
  });

  it('refuses a sensitivity out of range before any request', async () => {
    const { ds, backend } = makeDataSource({});
    await expect(ds.scoreSeries([plain('a')], { sensitivity: 140 })).rejects.toThrow(
      'sensitivity must be between 0 and 100, got 140',
    );
    expect(backend.requests).toHaveLength(0);
  });

  it("rejects with the scorer's message and status on a 413", async () => {
    const { ds } = makeDataSource({
      'POST /api/v1/score': {
        status: 413,
        data: {
          error: {
            code: 'payload_too_large',
            message: 'series[0] has 300000 points; the limit is 200000 (TRAFFICLENS_MAX_POINTS_PER_SERIES)',
            details: [],
          },
        },
      },
    });
    await expect(ds.scoreSeries([plain('a')])).rejects.toMatchObject({
      status: 413,
      code: 'payload_too_large',
      message:
        'POST /api/v1/score: series[0] has 300000 points; the limit is 200000 (TRAFFICLENS_MAX_POINTS_PER_SERIES) (HTTP 413 payload_too_large)',
    });
  });

  it('rejects an answer that does not have one series per series sent', async () => {
    const { ds } = makeDataSource({ 'POST /api/v1/score': { data: { series: [series(AMS_IN)] } } });
    await expect(ds.scoreSeries([plain('a'), plain('b')])).rejects.toThrow(
      'POST /api/v1/score: the scorer answered 1 series for the 2 sent',
    );
  });

  it('cancels the request when the signal fires and rejects with an AbortError', async () => {
    const unsubscribed = jest.fn();
    const backend = {
      fetch: jest.fn(() => new Observable<FetchResponse>(() => unsubscribed)),
    };
    const ds = new DataSource(settings(), { backend: () => backend, templates: () => templateSrv });
    const controller = new AbortController();
    const pending = ds.scoreSeries([plain('a')], { signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(AbortError);
    expect(unsubscribed).toHaveBeenCalledTimes(1);
  });

  it('does not send a request whose signal already fired', async () => {
    const subscribed = jest.fn(() => NEVER.subscribe());
    const backend = { fetch: jest.fn(() => new Observable<FetchResponse>(subscribed)) };
    const ds = new DataSource(settings(), { backend: () => backend, templates: () => templateSrv });
    const controller = new AbortController();
    controller.abort();
    await expect(ds.scoreSeries([plain('a')], { signal: controller.signal })).rejects.toBeInstanceOf(
      AbortError,
    );
    // The observable is cold: building it sends nothing, subscribing would.
    expect(subscribed).not.toHaveBeenCalled();
  });
});

describe('annotations', () => {
  it('turn any stored query into an episodes query', () => {
    const { ds } = makeDataSource({});
    const prepared = ds.annotations.prepareQuery?.({
      name: 'Anomalies',
      enable: true,
      iconColor: 'red',
      target: { refId: '', job: 'simulator', format: 'series' },
    });
    expect(prepared).toMatchObject({ refId: 'Anno', job: 'simulator', format: 'episodes', mode: 'job' });
    expect(ds.annotations.getDefaultQuery?.()).toMatchObject({ format: 'episodes' });
  });

  it('produce region annotations from the episodes of the panel range', async () => {
    const { ds } = makeDataSource({ [SERIES_ROUTE]: { data: jobSeriesResponse([series(AMS_IN)]) } });
    const target = ds.annotations.prepareQuery!({
      name: 'a',
      enable: true,
      iconColor: 'red',
      target: { refId: 'X', job: 'simulator' },
    })!;
    const res = await ds.query(request([target]));
    const frame = res.data[0];
    const value = (name: string) =>
      frame.fields.find((f: { name: string; type: FieldType }) => f.name === name).values[0];
    expect([value('time'), value('timeEnd')]).toEqual([T0 + 2 * STEP, T0 + 3 * STEP]);
    expect(value('title')).toMatch(/^Critical spike ▲ up \(severity 82\)/);
    expect(value('text')).toContain('vs expected');
  });
});

describe('incident annotations', () => {
  const INCIDENTS_ROUTE = 'GET /api/v1/jobs/simulator/incidents';
  const fra = incident({
    id: 'b2',
    group: { site: 'fra' },
    origin: { site: 'fra', link: 'ix' },
    members: incident().members.map((m) => ({ ...m, labels: { ...m.labels, site: 'fra' } })),
    summary: '3 of 4 series at site=fra anomalous, first link=transit-1 at 08:05 UTC',
  });
  const answer = { data: { job: 'simulator', groups: ['site', 'link'], incidents: [incident(), fra] } };
  const annotation = (target: Partial<TrafficLensQuery>) =>
    makeDataSource({ [INCIDENTS_ROUTE]: answer }).ds.annotations.prepareQuery!({
      name: 'Incidents',
      enable: true,
      iconColor: 'red',
      target: { refId: '', job: 'simulator', format: 'incidents', ...target },
    })!;

  it('keep the incidents format of a stored annotation query', () => {
    expect(annotation({})).toMatchObject({ refId: 'Anno', format: 'incidents', mode: 'job' });
  });

  it("ask the job's incidents over the panel range and make one region per incident", async () => {
    const { ds, backend } = makeDataSource({ [INCIDENTS_ROUTE]: answer });
    const res = await ds.query(request([annotation({})]));
    expect(backend.requests[0].params).toEqual({ from: T0, to: T0 + 3 * STEP });
    const frame = res.data[0];
    const values = (name: string) => frame.fields.find((f: { name: string }) => f.name === name).values;
    expect(values('time')).toEqual([T0 + 5 * STEP, T0 + 5 * STEP]);
    expect(values('title')).toEqual([
      'Critical incident at site=ams · 3 of 4 series',
      'Critical incident at site=fra · 3 of 4 series',
    ]);
    expect(values('tags')[0]).toEqual(['critical', 'series', 'incident', 'job:simulator', 'site:ams']);
    expect(frame.meta.executedQueryString).toBe(
      `GET /api/v1/jobs/simulator/incidents?from=${T0}&to=${T0 + 3 * STEP}`,
    );
  });

  it("keep only the incidents with a member matching the query's label filter", async () => {
    const { ds } = makeDataSource({ [INCIDENTS_ROUTE]: answer });
    const res = await ds.query(request([annotation({ filter: 'site="fra", link=~"trans.*"' })]));
    const frame = res.data[0];
    expect(frame.fields.find((f: { name: string }) => f.name === 'group').values).toEqual(['site=fra']);
    expect(frame.meta.executedQueryString).toContain('1 of 2 incidents with a series matching');
  });

  it('refuse a PromQL query, which has no job to ask', async () => {
    const { ds, backend } = makeDataSource({});
    const res = await ds.query(request([{ refId: 'I', mode: 'promql', expr: 'up', format: 'incidents' }]));
    expect(res.errors?.[0]).toMatchObject({ refId: 'I', message: expect.stringContaining('continuous job') });
    expect(backend.requests).toHaveLength(0);
  });
});

describe('metricFindQuery()', () => {
  const routes = {
    'GET /api/v1/jobs': { data: { jobs: [jobStatus(), jobStatus({ name: 'simulator-counters' })] } },
    'GET /api/v1/detectors': {
      data: {
        detectors: [
          { name: 'auto', description: 'd', default: true, parameters: { sensitivity: {}, options: {} } },
        ],
      },
    },
    [SERIES_ROUTE]: { data: jobSeriesResponse([series(AMS_IN), series(FRA_IN), series(ERRORS)]) },
  };

  it.each([
    ['', ['simulator', 'simulator-counters']],
    ['jobs()', ['simulator', 'simulator-counters']],
    ['detectors()', ['auto']],
    ['label_names($job)', ['direction', 'link', 'metric', 'service', 'site']],
    ['label_values(simulator, site)', ['ams', 'fra']],
    ['label_values(simulator{metric="http_error_ratio"}, service)', ['api']],
  ])('%j lists %j', async (text, values) => {
    const { ds, backend } = makeDataSource(routes);
    const found = await ds.metricFindQuery(text);
    expect(found.map((v) => v.text)).toEqual(values);
    if (text.startsWith('label')) {
      // an empty range: labels without points; the scorer applies the matchers
      const match = text.includes('{') ? { match: ['metric="http_error_ratio"'] } : {};
      expect(backend.requests[0].params).toEqual({ from: 0, to: 0, ...match });
    }
  });

  it('refuses an unknown function with the syntax it expects', async () => {
    const { ds } = makeDataSource(routes);
    await expect(ds.metricFindQuery('series(x)')).rejects.toThrow('unknown function series()');
  });
});

describe('testDatasource()', () => {
  const healthy = {
    'GET /healthz': { data: { status: 'ok', version: '0.1.0', uptimeSeconds: 3, tfjsBackend: 'wasm' } },
    'GET /api/v1/detectors': {
      data: {
        detectors: ['auto', 'robust'].map((name) => ({
          name,
          description: name,
          default: name === 'auto',
          parameters: { sensitivity: {}, options: {} },
        })),
      },
    },
    'GET /api/v1/jobs': { data: { jobs: [jobStatus()] } },
  };

  it('reports the version, TensorFlow.js backend, detectors and jobs', async () => {
    const { ds, backend } = makeDataSource(healthy);
    const result = await ds.testDatasource();
    expect(result).toEqual({
      status: 'success',
      message:
        'TrafficLens scorer 0.1.0 is up (TensorFlow.js backend: wasm); detectors: auto, robust; jobs: simulator (simulator, ok)',
    });
    expect(backend.requests.map((r) => r.url)).toEqual([
      `${PROXY}/scorer/healthz`,
      `${PROXY}/scorer/api/v1/detectors`,
      `${PROXY}/scorer/api/v1/jobs`,
    ]);
  });

  it('warns about failing jobs with their last error (e.g. an unreachable Prometheus)', async () => {
    const { ds } = makeDataSource({
      ...healthy,
      'GET /api/v1/jobs': {
        data: {
          jobs: [
            jobStatus({
              name: 'edge',
              source: 'prometheus',
              health: 'failing',
              lastError: { message: 'prometheus: connect ECONNREFUSED', at: T0 },
            }),
          ],
        },
      },
    });
    const result = await ds.testDatasource();
    expect(result.status).toBe('warning');
    expect(result.message).toContain('Failing jobs — edge: prometheus: connect ECONNREFUSED');
  });

  it('asks for the scorer URL when it is missing, without a request', async () => {
    const { ds, backend } = makeDataSource(healthy, {});
    expect(await ds.testDatasource()).toEqual({
      status: 'error',
      message: 'Set the scorer URL, as the Grafana server reaches it (e.g. http://localhost:8686).',
    });
    expect(backend.requests).toHaveLength(0);
  });

  it('says the scorer cannot be reached when the proxy answers 502', async () => {
    const { ds } = makeDataSource({ 'GET /healthz': { status: 502, data: { message: 'Bad Gateway' } } });
    const result = await ds.testDatasource();
    expect(result.status).toBe('error');
    expect(result.message).toBe(
      'Cannot reach the TrafficLens scorer at http://scorer:8686: GET /healthz: HTTP 502 Bad Gateway. Is it running, and reachable from the Grafana server?',
    );
  });

  it('says the URL is not a scorer when /healthz answers something else', async () => {
    const { ds } = makeDataSource({ 'GET /healthz': { data: '<html>Grafana</html>' } });
    const result = await ds.testDatasource();
    expect(result).toMatchObject({
      status: 'error',
      message: expect.stringContaining('not like a TrafficLens scorer'),
    });
  });

  it('explains a refused token', async () => {
    const { ds } = makeDataSource({
      ...healthy,
      'GET /api/v1/detectors': {
        status: 401,
        data: { error: { code: 'unauthorized', message: 'invalid bearer token', details: [] } },
      },
    });
    const result = await ds.testDatasource();
    expect(result.status).toBe('error');
    expect(result.message).toBe(
      'TrafficLens scorer 0.1.0 is up (TensorFlow.js backend: wasm), but the API refused the request: GET /api/v1/detectors: invalid bearer token (HTTP 401 unauthorized). Set the API token to the scorer’s TRAFFICLENS_API_TOKEN.',
    );
  });
});

describe('createMaintenanceWindow()', () => {
  const window = {
    labels: { site: 'ams', link: 'transit-1', instance: 'r1:9100' },
    startsAt: T0 + 0.4,
    endsAt: T0 + 3_600_000,
    author: 'noc-anna',
    comment: 'fibre work, CHG-1234',
  };

  it('posts one window matching the series by every label, exactly, and returns the scorer’s answer', async () => {
    let posted: unknown;
    const answer = {
      window: { id: 'w1', version: 1, matchers: [], startsAt: T0, endsAt: T0 + 3_600_000, active: false },
      warnings: [],
    };
    const { ds, backend } = makeDataSource({
      'POST /api/v1/windows': (req) => {
        posted = req.data;
        return { status: 201, data: answer };
      },
    });
    await expect(ds.createMaintenanceWindow(window)).resolves.toEqual(answer);
    expect(backend.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      `POST ${PROXY}/scorer/api/v1/windows`,
    ]);
    expect(posted).toEqual({
      matchers: ['instance="r1:9100"', 'link="transit-1"', 'site="ams"'],
      startsAt: T0,
      endsAt: T0 + 3_600_000,
      author: 'noc-anna',
      comment: 'fibre work, CHG-1234',
    });
  });

  it('quotes label values as the matcher language reads them', async () => {
    let posted: { matchers: string[] } | undefined;
    const { ds } = makeDataSource({
      'POST /api/v1/windows': (req) => {
        posted = req.data;
        return { status: 201, data: { window: {}, warnings: [] } };
      },
    });
    await ds.createMaintenanceWindow({ ...window, labels: { path: 'C:\\x "y"' } });
    expect(posted!.matchers).toEqual(['path="C:\\\\x \\"y\\""']);
  });

  it('rejects with the scorer’s message (a full store, a bad field)', async () => {
    const { ds } = makeDataSource({
      'POST /api/v1/windows': {
        status: 503,
        data: {
          error: {
            code: 'store_unavailable',
            message: 'the operator store /var/lib/trafficlens.db is read-only',
          },
        },
      },
    });
    await expect(ds.createMaintenanceWindow(window)).rejects.toThrow('is read-only');
  });

  it('refuses a series without labels before asking the scorer', async () => {
    const { ds, backend } = makeDataSource({});
    await expect(ds.createMaintenanceWindow({ ...window, labels: {} })).rejects.toThrow('at least one label');
    expect(backend.requests).toEqual([]);
  });
});

describe('sendEpisodeFeedback()', () => {
  const feedback = {
    job: 'edge lab',
    labels: { site: 'ams', link: 'transit-1' },
    episodeStart: T0,
    episodeEnd: T0 + 5 * STEP,
    verdict: 'false_positive' as const,
    note: 'backup job, every night',
    author: 'noc-anna',
  };

  it("posts the verdict to the series' job and returns the scorer's answer", async () => {
    let posted: unknown;
    const answer = { feedback: { id: 'f1' }, effect: 'this series now tolerates …' };
    const { ds, backend } = makeDataSource({
      'POST /api/v1/jobs/edge%20lab/feedback': (req) => {
        posted = req.data;
        return { status: 201, data: answer };
      },
    });
    await expect(ds.sendEpisodeFeedback(feedback)).resolves.toEqual(answer);
    expect(backend.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      `POST ${PROXY}/scorer/api/v1/jobs/edge%20lab/feedback`,
    ]);
    const { job, ...body } = feedback;
    expect(job).toBe('edge lab');
    expect(posted).toEqual(body);
  });

  it("rejects with the scorer's refusal", async () => {
    const { ds } = makeDataSource({
      'POST /api/v1/jobs/edge%20lab/feedback': {
        status: 409,
        data: {
          error: { code: 'conflict', message: 'this episode already has feedback (f1, true_incident)' },
        },
      },
    });
    await expect(ds.sendEpisodeFeedback(feedback)).rejects.toThrow('already has feedback');
  });

  it('undoes a verdict by its id, and says so when the scorer has none such', async () => {
    const { ds, backend } = makeDataSource({
      'DELETE /api/v1/feedback/f%201': { status: 204, data: undefined },
      'DELETE /api/v1/feedback/f2': {
        status: 404,
        data: { error: { code: 'not_found', message: 'no feedback f2 (or it was undone already)' } },
      },
    });
    await expect(ds.undoEpisodeFeedback('f 1')).resolves.toBeUndefined();
    expect(backend.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      `DELETE ${PROXY}/scorer/api/v1/feedback/f%201`,
    ]);
    await expect(ds.undoEpisodeFeedback('f2')).rejects.toThrow('no feedback f2');
  });

  it('refuses feedback without a job before asking the scorer', async () => {
    const { ds, backend } = makeDataSource({});
    await expect(ds.sendEpisodeFeedback({ ...feedback, job: ' ' })).rejects.toThrow('continuous job');
    expect(backend.requests).toEqual([]);
  });
});

describe('the live sensitivity of a job', () => {
  it('previews one candidate over the series the query’s filter selects', async () => {
    let posted: unknown;
    const answer = { job: 'simulator', candidates: [] };
    const { ds, backend } = makeDataSource({
      'POST /api/v1/jobs/simulator/preview': (req) => {
        posted = req.data;
        return { data: answer };
      },
    });
    await expect(ds.previewJobAlerts('simulator', 60, 'site="ams", link=~"transit-.*"')).resolves.toEqual(
      answer,
    );
    expect(backend.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      `POST ${PROXY}/scorer/api/v1/jobs/simulator/preview`,
    ]);
    expect(posted).toEqual({ sensitivities: [60], match: ['site="ams"', 'link=~"transit-.*"'] });
  });

  it('refuses a bad filter before asking the scorer', async () => {
    const { ds, backend } = makeDataSource({});
    await expect(ds.previewJobAlerts('simulator', 60, 'site=')).rejects.toThrow();
    expect(backend.requests).toEqual([]);
  });

  it('sets the job’s sensitivity with who and why', async () => {
    let put: unknown;
    const { ds, backend } = makeDataSource({
      'PUT /api/v1/jobs/simulator/sensitivity': (req) => {
        put = req.data;
        return { data: { job: 'simulator', sensitivity: 60 } };
      },
    });
    await ds.setJobSensitivity('simulator', 60, 'noc-anna', 'too quiet on ams');
    expect(backend.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      `PUT ${PROXY}/scorer/api/v1/jobs/simulator/sensitivity`,
    ]);
    expect(put).toEqual({ sensitivity: 60, author: 'noc-anna', comment: 'too quiet on ams' });
  });
});

describe('the live sensitivity of one series', () => {
  const labels = { site: 'ams', link: 'transit-1' };

  it('previews it over that series only, named by every label', async () => {
    let posted: unknown;
    const { ds } = makeDataSource({
      'POST /api/v1/jobs/simulator/preview': (req) => {
        posted = req.data;
        return { data: { candidates: [] } };
      },
    });
    await ds.previewSeriesAlerts('simulator', labels, 30);
    expect(posted).toEqual({ sensitivities: [30], match: ['link="transit-1"', 'site="ams"'] });
  });

  it('sets and removes its own setting with the series selector the scorer reads', async () => {
    const calls: Array<{ method?: string; params: unknown; data: unknown }> = [];
    const route = (req: BackendSrvRequest) => {
      calls.push({ method: req.method, params: req.params, data: req.data });
      return { data: {} };
    };
    const { ds } = makeDataSource({
      'PUT /api/v1/jobs/simulator/series/sensitivity': route,
      'DELETE /api/v1/jobs/simulator/series/sensitivity': route,
    });
    await ds.setSeriesSensitivity('simulator', labels, 30, 'noc-anna', 'noisy link');
    await ds.setSeriesSensitivity('simulator', labels, null, 'noc-anna');
    expect(calls).toEqual([
      {
        method: 'PUT',
        params: { series: '{link="transit-1",site="ams"}' },
        data: { sensitivity: 30, author: 'noc-anna', comment: 'noisy link' },
      },
      { method: 'DELETE', params: { series: '{link="transit-1",site="ams"}' }, data: undefined },
    ]);
  });

  it('names a job series’ sensitivity in its frame for the panel', async () => {
    const { ds } = makeDataSource({
      [SERIES_ROUTE]: { data: jobSeriesResponse([{ ...series(AMS_IN), sensitivity: 30 }, series(FRA_IN)]) },
    });
    const res = await ds.query(request([{ refId: 'A', job: 'simulator' }]));
    expect(res.data.map((f) => f.meta.custom.sensitivity)).toEqual([30, undefined]);
  });
});

describe('query() with the forecast format', () => {
  const FORECAST_ROUTE = 'POST /api/v1/forecast';
  const answer = (req: BackendSrvRequest) => {
    const body = req.data as { series: Array<{ labels: Record<string, string>; unit?: string }> };
    return {
      data: {
        series: body.series.map((s) => ({
          labels: s.labels,
          state: 'ok',
          method: 'seasonal_trend',
          counter: false,
          stepMs: STEP,
          period: null,
          last: { time: T0 + 3 * STEP, value: 1 },
          timestamps: [T0 + 4 * STEP],
          mean: [2],
          lower80: [1.5],
          upper80: [2.5],
          lower95: [1],
          upper95: [3],
          threshold: {
            capacity: 10,
            fraction: 0.8,
            threshold: 8,
            medianSeconds: null,
            upperSeconds: null,
            horizonSeconds: 86_400,
            sentence: `${s.labels.site} stays under 80 % of 10 for the next 1 day`,
          },
        })),
      },
    };
  };

  it("forecasts the job's series from at least two horizons of history and returns one cone frame per series", async () => {
    const { ds, backend } = makeDataSource({
      [SERIES_ROUTE]: { data: jobSeriesResponse() },
      [FORECAST_ROUTE]: answer,
    });
    const res = await ds.query(
      request([
        {
          refId: 'F',
          job: 'simulator',
          format: 'forecast',
          horizon: '1d',
          capacity: 10,
          legendFormat: '{{site}}',
        },
      ]),
    );
    expect(res.errors).toBeUndefined();
    const [fetch, post] = backend.requests;
    // The panel shows 3 minutes; a 1-day forecast needs a day of history at least: two are asked for.
    expect(fetch.params).toEqual({ from: T0 + 3 * STEP - 2 * 86_400_000, to: T0 + 3 * STEP });
    expect(post).toMatchObject({
      method: 'POST',
      url: `${PROXY}/scorer/api/v1/forecast`,
      requestId: 'Q1-F-forecast',
    });
    expect(post.data).toMatchObject({ horizon: '1d', counter: false, capacity: 10 });
    expect((post.data as { series: unknown[] }).series).toHaveLength(2);
    expect(res.data.map((f) => f.name)).toEqual(['ams forecast', 'fra forecast']);
    expect(res.data[0].meta.notices[0].text).toBe('ams stays under 80 % of 10 for the next 1 day');
    expect(res.data[0].meta.executedQueryString).toContain(
      'POST /api/v1/forecast {"horizon":"1d","counter":false,"capacity":10}',
    );
  });

  it('defaults to a 24h horizon and refuses one that is not a duration before asking the scorer', async () => {
    const { ds, backend } = makeDataSource({
      [SERIES_ROUTE]: { data: jobSeriesResponse() },
      [FORECAST_ROUTE]: answer,
    });
    await ds.query(request([{ refId: 'F', job: 'simulator', format: 'forecast' }]));
    expect(backend.requests[1].data).toMatchObject({ horizon: '24h' });
    const bad = await ds.query(
      request([{ refId: 'G', job: 'simulator', format: 'forecast', horizon: 'tomorrow' }]),
    );
    expect(bad.errors?.[0]).toMatchObject({ refId: 'G' });
    expect(bad.errors?.[0].message).toContain('"tomorrow" is not a duration');
    expect(backend.requests).toHaveLength(2);
  });
});
