import {
  DataSourceApi,
  type AnnotationSupport,
  type CoreApp,
  type DataFrame,
  type DataQueryError,
  type DataQueryRequest,
  type DataQueryResponse,
  type DataSourceInstanceSettings,
  type LegacyMetricFindQueryOptions,
  type MetricFindValue,
  type ScopedVars,
  type TestDataSourceResponse,
} from '@grafana/data';
import { getBackendSrv, getTemplateSrv, type TemplateSrv } from '@grafana/runtime';
import type {
  DetectorInfo,
  JobStatus,
  QueryRequest,
  ScoreRequest,
  ScoredSeries,
  ForecastRequest,
  FeedbackResponse,
  JobSensitivityResponse,
  PreviewResponse,
  WindowResponse,
} from './api/types';
import { interpolateQuery } from './query/interpolate';
import { formatMatcher, matchesLabels, parseLabelFilter } from './query/labelFilter';
import { parseVariableQuery } from './query/variableQuery';
import { episodesToFrame } from './response/annotations';
import { ScorerError, toScorerError } from './response/errors';
import { incidentsToFrame } from './response/incidents';
import { forecastsToFrames } from './response/forecast';
import { seriesToFrame, seriesToFrames } from './response/frames';
import { formatLegend, uniqueNames } from './response/legend';
import { ScorerClient, type Fetcher, type TimeRangeMs } from './scorer/client';
import {
  DEFAULT_DETECTOR,
  DEFAULT_FORECAST_HORIZON,
  DEFAULT_QUERY,
  DEFAULT_SENSITIVITY,
  sensitivityProblem,
  timeZoneProblem,
  type ScoreSeriesOptions,
  type SeriesToScore,
  type TrafficLensOptions,
  type TrafficLensQuery,
} from './types';

type Replacer = Pick<TemplateSrv, 'replace'>;

/** Grafana's services, injectable so unit tests need no Grafana runtime. */
export interface DataSourceDeps {
  backend?: () => Fetcher;
  templates?: () => Replacer;
}

interface QueryResult {
  frames: DataFrame[];
}

/** Scored series for one target, with what was asked (for the query inspector) and tags for its episodes. */
interface Fetched {
  series: ScoredSeries[];
  executed: string;
  tags: string[];
}

type ScoringParams = Required<Pick<ScoreRequest, 'detector' | 'sensitivity'>> & Pick<ScoreRequest, 'options'>;

/** What the panel asks for when it turns a selected range into a maintenance window. */
export interface MaintenanceWindowRequest {
  /** the series' labels: each becomes an exact matcher */
  labels: Record<string, string>;
  startsAt: number;
  endsAt: number;
  author: string;
  comment?: string;
}

/** What the panel sends from an episode's menu. */
export interface EpisodeFeedbackRequest {
  job: string;
  labels: Record<string, string>;
  episodeStart: number;
  episodeEnd?: number;
  verdict: 'false_positive' | 'true_incident';
  note?: string;
  author?: string;
}

export class DataSource extends DataSourceApi<TrafficLensQuery, TrafficLensOptions> {
  readonly client: ScorerClient;
  readonly scorerUrl: string | undefined;
  readonly defaultDetector: string;
  readonly defaultSensitivity: number;
  private readonly templates: () => Replacer;
  private detectorsCache?: Promise<DetectorInfo[]>;

  /**
   * Episodes, or a job's incidents (format `incidents`), become region annotations on any dashboard
   * (Grafana maps the frame's fields).
   */
  annotations: AnnotationSupport<TrafficLensQuery> = {
    getDefaultQuery: () => ({ ...DEFAULT_QUERY, format: 'episodes' }),
    prepareQuery: (anno) => {
      const target = anno.target;
      if (!target) {
        return undefined;
      }
      const format = target.format === 'incidents' ? 'incidents' : 'episodes';
      return { ...DEFAULT_QUERY, ...target, refId: target.refId || 'Anno', format };
    },
  };

  constructor(instanceSettings: DataSourceInstanceSettings<TrafficLensOptions>, deps: DataSourceDeps = {}) {
    super(instanceSettings);
    const { jsonData } = instanceSettings;
    this.scorerUrl = jsonData.scorerUrl?.trim() || undefined;
    this.defaultDetector = jsonData.defaultDetector || DEFAULT_DETECTOR;
    this.defaultSensitivity = jsonData.defaultSensitivity ?? DEFAULT_SENSITIVITY;
    this.client = new ScorerClient(instanceSettings.url ?? '', deps.backend ?? getBackendSrv);
    this.templates = deps.templates ?? getTemplateSrv;
  }

  getDefaultQuery(_app: CoreApp): Partial<TrafficLensQuery> {
    return { ...DEFAULT_QUERY };
  }

  filterQuery(query: TrafficLensQuery): boolean {
    return query.mode === 'promql' ? Boolean(query.expr?.trim()) : Boolean(query.job?.trim());
  }

  getQueryDisplayText(query: TrafficLensQuery): string {
    if (query.mode === 'promql') {
      return query.expr ?? '';
    }
    return `${query.job ?? ''}${query.filter ? ` ${query.filter}` : ''}${query.rescore ? ' (rescored)' : ''}`;
  }

  applyTemplateVariables(query: TrafficLensQuery, scopedVars: ScopedVars): TrafficLensQuery {
    return interpolateQuery(query, scopedVars, this.templates());
  }

  interpolateVariablesInQueries(queries: TrafficLensQuery[], scopedVars: ScopedVars): TrafficLensQuery[] {
    return queries.map((q) => ({ ...this.applyTemplateVariables(q, scopedVars), datasource: this.getRef() }));
  }

  /** Each target is fetched and transformed on its own; a failing target becomes an error with its refId. */
  async query(request: DataQueryRequest<TrafficLensQuery>): Promise<DataQueryResponse> {
    const range = { from: request.range.from.valueOf(), to: request.range.to.valueOf() };
    const intervalMs = request.intervalMs;
    const targets = request.targets.filter((t) => !t.hide && this.filterQuery(t));
    const results = await Promise.all(
      targets.map(async (target): Promise<QueryResult | DataQueryError> => {
        try {
          const query = this.applyTemplateVariables(target, request.scopedVars);
          const requestId = `${request.requestId}-${target.refId}`;
          return await this.runQuery(query, range, intervalMs, requestId, request.maxDataPoints);
        } catch (err) {
          const error = toScorerError(err, `query ${target.refId}`);
          return { refId: target.refId, message: error.message, status: error.status };
        }
      }),
    );
    const data = results.flatMap((r) => ('frames' in r ? r.frames : []));
    const errors = results.filter((r): r is DataQueryError => !('frames' in r));
    return errors.length ? { data, errors } : { data };
  }

  private async runQuery(
    query: TrafficLensQuery,
    range: TimeRangeMs,
    intervalMs: number,
    requestId: string,
    maxDataPoints?: number,
  ): Promise<QueryResult> {
    if (query.format === 'incidents') {
      return this.fetchIncidents(query, range, requestId);
    }
    if (query.format === 'forecast') {
      return this.runForecast(query, range, intervalMs, requestId);
    }
    const { series, executed, tags } =
      query.mode === 'promql'
        ? await this.fetchPromQL(query, range, intervalMs, requestId)
        : await this.fetchJob(query, range, requestId, maxDataPoints);

    if (query.format === 'episodes') {
      const frame = episodesToFrame(series, {
        refId: query.refId,
        legendFormat: query.legendFormat,
        tags,
        executedQueryString: executed,
      });
      return { frames: [frame] };
    }
    return {
      frames: seriesToFrames(series, {
        refId: query.refId,
        legendFormat: query.legendFormat,
        fields: query.fields,
        executedQueryString: executed,
        // The job's own episodes (not a rescoring's) are the ones feedback can be given on.
        job: query.mode !== 'promql' && !query.rescore ? query.job?.trim() : undefined,
      }),
    };
  }

  /**
   * A job's incidents going on in the range, as one frame of regions. With a label filter, the incidents
   * of which a member (or, for a network incident, a contributing series) matches it.
   */
  private async fetchIncidents(
    query: TrafficLensQuery,
    range: TimeRangeMs,
    requestId: string,
  ): Promise<QueryResult> {
    const job = query.job?.trim();
    if (query.mode === 'promql' || !job) {
      throw new ScorerError('incidents come from a continuous job: choose a job (mode Job)');
    }
    const filter = parseLabelFilter(query.filter);
    if (!filter.ok) {
      throw new ScorerError(filter.error);
    }
    const { incidents } = await this.client.jobIncidents(job, range, requestId);
    const selected = filter.matchers.length
      ? incidents.filter((incident) =>
          [...incident.members, ...(incident.network?.contributions ?? [])].some((m) =>
            matchesLabels(m.labels, filter.matchers),
          ),
        )
      : incidents;
    const executed = ScorerClient.describe('GET', ScorerClient.jobIncidentsPath(job), { ...range });
    const frame = incidentsToFrame(selected, {
      refId: query.refId,
      tags: [`job:${job}`],
      executedQueryString: filter.matchers.length
        ? `${executed}\n${selected.length} of ${incidents.length} incidents with a series matching ${query.filter}`
        : executed,
    });
    return { frames: [frame] };
  }

  /**
   * The query's series forecast past the range's end: their values (a job's as it scored them, a PromQL
   * expression's as the scorer fetched them; a counter's as its rate either way) over the range, or two
   * horizons back if that is longer (a forecast needs at least its horizon of history), sent to
   * POST /api/v1/forecast.
   */
  private async runForecast(
    query: TrafficLensQuery,
    range: TimeRangeMs,
    intervalMs: number,
    requestId: string,
  ): Promise<QueryResult> {
    const horizon = query.horizon?.trim() || DEFAULT_FORECAST_HORIZON;
    const horizonMs = durationMs(horizon);
    if (horizonMs === null) {
      throw new ScorerError(
        `forecast horizon ${JSON.stringify(horizon)} is not a duration such as 24h or 7d`,
      );
    }
    const history = { from: Math.min(range.from, range.to - 2 * horizonMs), to: range.to };
    const plain = { ...query, rescore: false };
    const { series, executed } =
      query.mode === 'promql'
        ? await this.fetchPromQL(plain, history, intervalMs, requestId)
        : await this.fetchJob(plain, history, requestId);
    if (series.length === 0) {
      return { frames: [] };
    }
    const body: ForecastRequest = {
      series: series.map((s) => ({
        labels: s.labels,
        timestamps: s.timestamps,
        values: s.values,
        ...(s.unit ? { unit: s.unit } : {}),
      })),
      horizon,
      // The values are what the scorer scored: a counter's already as its rate.
      counter: false,
      ...(query.capacity !== undefined && query.capacity > 0 ? { capacity: query.capacity } : {}),
      ...(query.thresholdFraction !== undefined ? { thresholdFraction: query.thresholdFraction } : {}),
    };
    const response = await this.client.forecast(body, `${requestId}-forecast`);
    const { series: _sent, ...options } = body;
    return {
      frames: forecastsToFrames(response.series, {
        refId: query.refId,
        legendFormat: query.legendFormat,
        executedQueryString: `${executed}\nPOST /api/v1/forecast ${JSON.stringify(options)} (${series.length} series)`,
      }),
    };
  }

  /**
   * A continuous job's results in the range, optionally rescored with the query's detector and sensitivity.
   * The scorer selects the series by label and thins them to maxDataPoints (keeping anomalies and
   * extremes); a rescore gets every point, as the detector needs the series at its own resolution.
   */
  private async fetchJob(
    query: TrafficLensQuery,
    range: TimeRangeMs,
    requestId: string,
    maxDataPoints?: number,
  ): Promise<Fetched> {
    const job = query.job?.trim();
    if (!job) {
      throw new ScorerError('choose a continuous job');
    }
    const filter = parseLabelFilter(query.filter);
    if (!filter.ok) {
      throw new ScorerError(filter.error);
    }
    const params = query.rescore ? this.scoringParams(query) : undefined;
    const options = {
      match: filter.matchers.map(formatMatcher),
      maxDataPoints: params || !maxDataPoints ? undefined : Math.max(10, Math.round(maxDataPoints)),
    };
    const path = ScorerClient.jobSeriesPath(job);
    let executed = ScorerClient.describe('GET', path, ScorerClient.jobSeriesParams(range, options));
    let series: ScoredSeries[] = (await this.client.jobSeries(job, range, requestId, options)).series;

    if (params && series.length > 0) {
      // A batch over the whole range: the detector may use all of it (unlike the job, which is causal).
      // The job's unit goes along, so the rescored series keep it (the scorer echoes it).
      const body: ScoreRequest = {
        series: series.map((s) => ({
          labels: s.labels,
          timestamps: s.timestamps,
          values: s.values,
          ...(s.unit ? { unit: s.unit } : {}),
        })),
        ...params,
      };
      series = (await this.client.score(body, `${requestId}-score`)).series;
      executed += `\nPOST /api/v1/score ${JSON.stringify(params)} (${series.length} series)`;
    }
    return { series, executed, tags: [`job:${job}`] };
  }

  /** A PromQL expression scored by the scorer over the range, at the query's step or Grafana's interval. */
  private async fetchPromQL(
    query: TrafficLensQuery,
    range: TimeRangeMs,
    intervalMs: number,
    requestId: string,
  ): Promise<Fetched> {
    const expr = query.expr?.trim();
    if (!expr) {
      throw new ScorerError('write a PromQL expression');
    }
    const body: QueryRequest = {
      expr,
      start: range.from,
      end: range.to,
      // The scorer needs at least 1 s; Grafana's interval can be finer for short ranges.
      step: query.step || Math.max(1000, Math.round(intervalMs / 1000) * 1000),
      ...this.scoringParams(query),
      ...(query.unit?.trim() ? { unit: query.unit.trim() } : {}),
    };
    const response = await this.client.promql(body, requestId);
    const info = response.query;
    const executed =
      `POST /api/v1/query ${JSON.stringify(body)}\n` +
      `${info.fetchedSeries} series, ${info.fetchedPoints} points fetched from Prometheus at a ${info.stepMs / 1000} s step, ` +
      `history from ${new Date(info.historyStart).toISOString()}`;
    return { series: response.series, executed, tags: ['promql'] };
  }

  /**
   * Scores series that come from elsewhere (another datasource's frames, for the anomaly panel) with one
   * batch request, and returns the frames a query would: one per series, in the order given. Public API:
   * the TrafficLens panel calls it on the instance `getDataSourceSrv().get(uid)` returns, so keep the
   * signature stable. Rejects with a ScorerError carrying the scorer's message (a 413 names the limit),
   * or with an AbortError when `options.signal` fires first.
   */
  async scoreSeries(
    series: readonly SeriesToScore[],
    options: ScoreSeriesOptions = {},
  ): Promise<DataFrame[]> {
    if (series.length === 0) {
      return [];
    }
    const params = this.scoringParams({
      refId: '',
      detector: options.detector,
      sensitivity: options.sensitivity,
      timezone: options.timezone,
    });
    const body: ScoreRequest = {
      series: series.map((s) => ({
        labels: s.labels ?? {},
        timestamps: s.timestamps,
        values: s.values,
        ...(s.unit ? { unit: s.unit } : {}),
      })),
      ...params,
    };
    const response = await this.client.score(body, options.requestId, options.signal);
    const scored = Array.isArray(response?.series) ? response.series : [];
    if (scored.length !== series.length) {
      throw new ScorerError(
        `POST /api/v1/score: the scorer answered ${scored.length} series for the ${series.length} sent`,
      );
    }
    const names = uniqueNames(
      series.map((s, i) => s.name?.trim() || formatLegend(undefined, scored[i].labels)),
    );
    const points = series.reduce((n, s) => n + s.timestamps.length, 0);
    const executed = `POST /api/v1/score ${JSON.stringify(params)} (${series.length} series, ${points} points)`;
    return scored.map((s, i) =>
      seriesToFrame(s, names[i], {
        refId: options.refId ?? 'score',
        executedQueryString: i === 0 ? executed : undefined,
      }),
    );
  }

  /**
   * Puts the series whose labels are `labels` (every one of them, matched exactly) in maintenance from
   * `startsAt` to `endsAt` (epoch ms): while the window is active they are scored and shown, never
   * anomalous, never an alert. Public API: the TrafficLens panel calls it (duck-typed, like scoreSeries)
   * when an operator turns a selected range into a window, so keep the signature stable. Rejects with a
   * ScorerError carrying the scorer's message (400 names the field, 503 the store).
   */
  async createMaintenanceWindow(window: MaintenanceWindowRequest): Promise<WindowResponse> {
    const matchers = exactMatchers(window.labels);
    if (matchers.length === 0) {
      throw new ScorerError('a maintenance window needs at least one label to match the series by');
    }
    return this.client.createWindow({
      matchers,
      startsAt: Math.round(window.startsAt),
      endsAt: Math.round(window.endsAt),
      author: window.author,
      comment: window.comment ?? '',
    });
  }

  /**
   * An operator's verdict on an episode of a continuous job's series: `false_positive` (the series learns
   * to tolerate that deviation) or `true_incident` (kept out of its baselines and training, listed as a
   * label). Public API: the TrafficLens panel calls it (duck-typed) from an episode's menu, with the job
   * its frame names (`meta.custom.job`). Rejects with a ScorerError carrying the scorer's message (404:
   * no such episode, 409: already judged or still open).
   */
  async sendEpisodeFeedback(feedback: EpisodeFeedbackRequest): Promise<FeedbackResponse> {
    const { job, ...body } = feedback;
    if (!job.trim()) {
      throw new ScorerError('episode feedback needs the continuous job the series belongs to');
    }
    return this.client.sendFeedback(job.trim(), { note: '', author: '', ...body });
  }

  /**
   * Undoes the feedback `id` (sendEpisodeFeedback's answer): the series stops tolerating, or holding out,
   * what it said. Public API: the TrafficLens panel's feedback form calls it (duck-typed). Rejects with a
   * ScorerError carrying the scorer's message (404: no such feedback, or already undone).
   */
  async undoEpisodeFeedback(id: string): Promise<void> {
    if (!id.trim()) {
      throw new ScorerError('undoing feedback needs its id');
    }
    await this.client.undoFeedback(id.trim());
  }

  /**
   * What a job would have alerted over its retained history at `sensitivity`, replayed causally the way it
   * scores live, next to what it alerts at now (the query editor's preview). `filter` is the query's label
   * filter (the series it shows). Rejects with a ScorerError carrying the scorer's message (413: too much
   * history to replay at once).
   */
  async previewJobAlerts(job: string, sensitivity: number, filter?: string): Promise<PreviewResponse> {
    const matchers = parseLabelFilter(filter);
    if (!matchers.ok) {
      throw new ScorerError(matchers.error);
    }
    const match = matchers.matchers.map(formatMatcher);
    return this.client.previewAlerts(job, {
      sensitivities: [sensitivity],
      ...(match.length ? { match } : {}),
    });
  }

  /**
   * What one series of a job would have alerted over its retained history at `sensitivity` (the panel's
   * series menu): the job's preview, restricted to the series by every one of its labels.
   */
  previewSeriesAlerts(
    job: string,
    labels: Record<string, string>,
    sensitivity: number,
  ): Promise<PreviewResponse> {
    const match = exactMatchers(labels);
    if (match.length === 0) {
      throw new ScorerError('a series preview needs the series’ labels');
    }
    return this.client.previewAlerts(job, { sensitivities: [sensitivity], match });
  }

  /** Sets one series' live sensitivity (it alerts at it from its next point); null removes its own setting. */
  setSeriesSensitivity(
    job: string,
    labels: Record<string, string>,
    sensitivity: number | null,
    author: string,
    comment = '',
  ): Promise<unknown> {
    const match = exactMatchers(labels);
    if (match.length === 0) {
      throw new ScorerError('a series setting needs the series’ labels');
    }
    return this.client.setSeriesSensitivity(
      job,
      `{${match.join(',')}}`,
      sensitivity === null ? null : { sensitivity, author, comment },
    );
  }

  /** Sets a job's live sensitivity: its series (those without their own) alert at it from their next point. */
  setJobSensitivity(
    job: string,
    sensitivity: number,
    author: string,
    comment = '',
  ): Promise<JobSensitivityResponse> {
    return this.client.setJobSensitivity(job, { sensitivity, author, comment });
  }

  /**
   * The query's detector and sensitivity, else the datasource defaults, and its time zone if it has one;
   * the sensitivity and the zone are checked here.
   */
  scoringParams(query: TrafficLensQuery): ScoringParams {
    const sensitivity = query.sensitivity ?? this.defaultSensitivity;
    const timezone = query.timezone?.trim();
    const problem = sensitivityProblem(sensitivity) ?? timeZoneProblem(timezone);
    if (problem) {
      throw new ScorerError(problem);
    }
    return {
      detector: (query.detector || this.defaultDetector) as ScoringParams['detector'],
      sensitivity,
      ...(timezone ? { options: { timezone } } : {}),
    };
  }

  /** Detectors for the editors; asked once per datasource instance (again after a failure). */
  getDetectors(): Promise<DetectorInfo[]> {
    if (!this.detectorsCache) {
      this.detectorsCache = this.client.detectors().then(
        (r) => r.detectors,
        (err) => {
          this.detectorsCache = undefined;
          throw err;
        },
      );
    }
    return this.detectorsCache;
  }

  async getJobs(): Promise<JobStatus[]> {
    return (await this.client.jobs()).jobs;
  }

  /** Template variable queries; see query/variableQuery.ts for the syntax. */
  async metricFindQuery(text: string, options?: LegacyMetricFindQueryOptions): Promise<MetricFindValue[]> {
    const parsed = parseVariableQuery(this.templates().replace(text, options?.scopedVars));
    if (!parsed.ok) {
      throw new ScorerError(parsed.error);
    }
    const q = parsed.query;
    switch (q.kind) {
      case 'jobs':
        return (await this.getJobs()).map((j) => ({ text: j.name, value: j.name }));
      case 'detectors':
        return (await this.getDetectors()).map((d) => ({ text: d.name, value: d.name }));
      case 'label_names':
      case 'label_values': {
        const filter = parseLabelFilter(q.filter);
        if (!filter.ok) {
          throw new ScorerError(filter.error);
        }
        // An empty range returns the matching series with their labels and no points (the scorer's
        // /labels endpoint cannot apply matchers).
        const match = filter.matchers.map(formatMatcher);
        const { series } = await this.client.jobSeries(q.job, { from: 0, to: 0 }, undefined, { match });
        const found = new Set<string>();
        for (const s of series) {
          if (q.kind === 'label_names') {
            Object.keys(s.labels).forEach((k) => found.add(k));
          } else if (s.labels[q.label] !== undefined) {
            found.add(s.labels[q.label]);
          }
        }
        return [...found].sort().map((v) => ({ text: v, value: v }));
      }
    }
  }

  /**
   * Save & test: the scorer's health (version, TensorFlow.js backend), then an authenticated call
   * (detectors) to prove the token, then the jobs' health (a failing Prometheus-backed job shows here).
   */
  async testDatasource(): Promise<TestDataSourceResponse> {
    if (!this.scorerUrl) {
      return {
        status: 'error',
        message: 'Set the scorer URL, as the Grafana server reaches it (e.g. http://localhost:8686).',
      };
    }
    const where = `the TrafficLens scorer at ${this.scorerUrl}`;
    let health;
    try {
      health = await this.client.health();
    } catch (err) {
      return {
        status: 'error',
        message: `Cannot reach ${where}: ${toScorerError(err, 'GET /healthz').message}. Is it running, and reachable from the Grafana server?`,
      };
    }
    if (!health || health.status !== 'ok' || typeof health.version !== 'string') {
      return {
        status: 'error',
        message: `${this.scorerUrl} answered GET /healthz, but not like a TrafficLens scorer (expected {"status":"ok","version":…}). Check the URL.`,
      };
    }
    const tfjs = health.tfjsBackend ?? 'not loaded yet';
    const up = `TrafficLens scorer ${health.version} is up (TensorFlow.js backend: ${tfjs})`;

    let detectors: DetectorInfo[];
    try {
      this.detectorsCache = undefined;
      detectors = await this.getDetectors();
    } catch (err) {
      const error = toScorerError(err, 'GET /api/v1/detectors');
      const hint =
        error.status === 401
          ? ' Set the API token to the scorer’s TRAFFICLENS_API_TOKEN.'
          : error.status === 403
            ? ' Grafana refused the proxy request; check the datasource permissions.'
            : '';
      return { status: 'error', message: `${up}, but the API refused the request: ${error.message}.${hint}` };
    }

    let jobs: JobStatus[] = [];
    let jobsNote = '';
    try {
      jobs = await this.getJobs();
    } catch (err) {
      jobsNote = `; jobs unavailable: ${toScorerError(err, 'GET /api/v1/jobs').message}`;
    }
    const failing = jobs.filter((j) => j.health === 'failing');
    const jobList = jobs.length
      ? `; jobs: ${jobs.map((j) => `${j.name} (${j.source}, ${j.health})`).join(', ')}`
      : jobsNote || '; no continuous jobs';
    const message = `${up}; detectors: ${detectors.map((d) => d.name).join(', ')}${jobList}`;
    if (failing.length > 0) {
      const reasons = failing.map((j) => `${j.name}: ${j.lastError?.message ?? 'failing'}`).join('; ');
      return { status: 'warning', message: `${message}. Failing jobs — ${reasons}` };
    }
    return { status: 'success', message };
  }
}

/** A series' labels as exact matchers, sorted by name (the scorer names a series by all of them). */
function exactMatchers(labels: Record<string, string>): string[] {
  return Object.entries(labels)
    .filter(([name]) => name !== '')
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, value]) => formatMatcher({ name, op: '=', value }));
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1e3, m: 6e4, h: 3.6e6, d: 8.64e7, w: 6.048e8 };

/** A Prometheus-style duration ("24h", "1d12h", "7d") in ms, or null when it is not one. */
export function durationMs(text: string): number | null {
  if (!/^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d|w))+$/.test(text)) {
    return null;
  }
  let ms = 0;
  for (const [, n, unit] of text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g)) {
    ms += Number(n) * DURATION_UNITS[unit];
  }
  return ms;
}
