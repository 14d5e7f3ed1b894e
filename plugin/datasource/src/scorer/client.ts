/**
 * The scorer's HTTP API as seen through Grafana's data proxy. Every request goes to
 * `<datasource proxy url>/scorer/…`, the `scorer` route of plugin.json, where Grafana's server adds the
 * scorer URL and the `Authorization: Bearer` header from the encrypted settings: the token never
 * reaches the browser.
 */
import type { BackendSrv, BackendSrvRequest } from '@grafana/runtime';
import { lastValueFrom, Subscription, type Observable } from 'rxjs';
import type {
  DetectorsResponse,
  HealthResponse,
  JobIncidentsResponse,
  JobSeriesResponse,
  JobSensitivityResponse,
  JobsListResponse,
  PreviewRequest,
  PreviewResponse,
  QueryRequest,
  QueryResponse,
  ScoreRequest,
  ForecastRequest,
  ForecastResponse,
  ScoreResponse,
  WindowInput,
  WindowResponse,
  FeedbackInput,
  FeedbackResponse,
  SensitivitySettingInput,
  SeriesSensitivityResponse,
} from '../api/types';
import { toScorerError } from '../response/errors';

export const ROUTE_PATH = 'scorer';

export type Fetcher = Pick<BackendSrv, 'fetch'>;

export interface TimeRangeMs {
  from: number;
  to: number;
}

/** Query parameters; an array is sent as the key repeated (`match=a&match=b`), as the scorer reads it. */
export type Params = Record<string, string | number | string[]>;

/** What the scorer should select and thin on its side, so only what the panel draws crosses the wire. */
export interface JobSeriesOptions {
  /** PromQL-style matchers, e.g. `site="ams"`; the scorer keeps the series matching all of them. */
  match?: string[];
  /** Grafana's maxDataPoints; the scorer keeps each bucket's extremes and highest score. */
  maxDataPoints?: number;
}

export class ScorerClient {
  /**
   * @param proxyUrl the datasource's proxy URL (`instanceSettings.url`, `/api/datasources/proxy/uid/<uid>`)
   * @param backend Grafana's backend service; a function so the runtime's current one is used
   */
  constructor(
    private readonly proxyUrl: string,
    private readonly backend: () => Fetcher,
  ) {}

  /** The request as the user would write it against the scorer itself (for the query inspector). */
  static describe(method: string, path: string, params?: Params): string {
    const pairs = Object.entries(params ?? {}).flatMap(([k, v]) =>
      Array.isArray(v) ? v.map((item) => [k, item]) : [[k, String(v)]],
    );
    const query = new URLSearchParams(pairs).toString();
    return `${method} ${path}${query ? `?${query}` : ''}`;
  }

  private async request<T>(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    options: { params?: Params; data?: unknown; requestId?: string; signal?: AbortSignal } = {},
  ): Promise<T> {
    const request: BackendSrvRequest = {
      method,
      url: `${this.proxyUrl}/${ROUTE_PATH}${path}`,
      params: options.params,
      data: options.data,
      requestId: options.requestId,
      // Errors are reported by the caller (query errors, the Save & test result), not as global toasts.
      showErrorAlert: false,
      showSuccessAlert: false,
    };
    try {
      const response$ = this.backend().fetch<T>(request);
      const response = await (options.signal
        ? untilAborted(response$, options.signal)
        : lastValueFrom(response$));
      return response.data;
    } catch (err) {
      if (err instanceof AbortError) {
        throw err;
      }
      throw toScorerError(err, ScorerClient.describe(method, path));
    }
  }

  health(): Promise<HealthResponse> {
    return this.request('GET', '/healthz');
  }

  detectors(): Promise<DetectorsResponse> {
    return this.request('GET', '/api/v1/detectors');
  }

  jobs(): Promise<JobsListResponse> {
    return this.request('GET', '/api/v1/jobs');
  }

  static jobSeriesPath(job: string): string {
    return `/api/v1/jobs/${encodeURIComponent(job)}/series`;
  }

  /** The query parameters of a job series request. */
  static jobSeriesParams(range: TimeRangeMs, options: JobSeriesOptions = {}): Params {
    const params: Params = { ...range };
    if (options.match && options.match.length > 0) {
      params.match = options.match;
    }
    if (options.maxDataPoints !== undefined) {
      params.maxDataPoints = options.maxDataPoints;
    }
    return params;
  }

  /** A job's retained results between from and to (epoch ms, inclusive). */
  jobSeries(
    job: string,
    range: TimeRangeMs,
    requestId?: string,
    options: JobSeriesOptions = {},
  ): Promise<JobSeriesResponse> {
    const params = ScorerClient.jobSeriesParams(range, options);
    return this.request('GET', ScorerClient.jobSeriesPath(job), { params, requestId });
  }

  static jobIncidentsPath(job: string): string {
    return `/api/v1/jobs/${encodeURIComponent(job)}/incidents`;
  }

  /** A job's incidents going on at some time between from and to (epoch ms). */
  jobIncidents(job: string, range: TimeRangeMs, requestId?: string): Promise<JobIncidentsResponse> {
    return this.request('GET', ScorerClient.jobIncidentsPath(job), { params: { ...range }, requestId });
  }

  /** Forecasts with 80 %/95 % intervals and, with a capacity, the time to its threshold. */
  forecast(body: ForecastRequest, requestId?: string): Promise<ForecastResponse> {
    return this.request('POST', '/api/v1/forecast', { data: body, requestId });
  }

  score(body: ScoreRequest, requestId?: string, signal?: AbortSignal): Promise<ScoreResponse> {
    return this.request('POST', '/api/v1/score', { data: body, requestId, signal });
  }

  /** Creates a maintenance window (series matching it are suppressed while it is active). */
  createWindow(body: WindowInput): Promise<WindowResponse> {
    return this.request('POST', '/api/v1/windows', { data: body });
  }

  /** Records a verdict on an episode of a job's series. */
  sendFeedback(job: string, body: FeedbackInput): Promise<FeedbackResponse> {
    return this.request('POST', `/api/v1/jobs/${encodeURIComponent(job)}/feedback`, { data: body });
  }

  /** Undoes a verdict (the feedback stays listed, marked undone; the series no longer acts on it). */
  undoFeedback(id: string): Promise<void> {
    return this.request('DELETE', `/api/v1/feedback/${encodeURIComponent(id)}`);
  }

  /** A job's live sensitivity and the series with their own. */
  jobSensitivity(job: string): Promise<JobSensitivityResponse> {
    return this.request('GET', ScorerClient.jobSensitivityPath(job));
  }

  /** Set (a setting) or remove (null) the job's sensitivity; it applies from each series' next point. */
  setJobSensitivity(job: string, setting: SensitivitySettingInput | null): Promise<JobSensitivityResponse> {
    const path = ScorerClient.jobSensitivityPath(job);
    return setting ? this.request('PUT', path, { data: setting }) : this.request('DELETE', path);
  }

  /**
   * Set (a setting) or remove (null) one series' sensitivity. `series` names it by every label, as a
   * series selector: `{link="transit-1",site="ams"}`.
   */
  setSeriesSensitivity(
    job: string,
    series: string,
    setting: SensitivitySettingInput | null,
  ): Promise<SeriesSensitivityResponse> {
    const path = `${ScorerClient.jobSeriesPath(job)}/sensitivity`;
    const params = { series };
    return setting
      ? this.request('PUT', path, { params, data: setting })
      : this.request('DELETE', path, { params });
  }

  /** Alerts a day the job's retained history would have raised at each candidate sensitivity. */
  previewAlerts(job: string, body: PreviewRequest, signal?: AbortSignal): Promise<PreviewResponse> {
    return this.request('POST', `/api/v1/jobs/${encodeURIComponent(job)}/preview`, { data: body, signal });
  }

  static jobSensitivityPath(job: string): string {
    return `/api/v1/jobs/${encodeURIComponent(job)}/sensitivity`;
  }

  /** Scores what a PromQL expression returns, on the scorer's own Prometheus. */
  promql(body: QueryRequest, requestId?: string): Promise<QueryResponse> {
    return this.request('POST', '/api/v1/query', { data: body, requestId });
  }
}

/** The error an aborted request rejects with (the DOM's name, so callers can tell it from a failure). */
export class AbortError extends Error {
  constructor() {
    super('request cancelled');
    this.name = 'AbortError';
  }
}

/**
 * The last response, or an AbortError as soon as the signal fires. Unsubscribing is what makes Grafana's
 * backend service cancel the HTTP request; lastValueFrom alone would let a stale request run to its end.
 */
function untilAborted<R>(source: Observable<R>, signal: AbortSignal): Promise<R> {
  return new Promise<R>((resolve, reject) => {
    let last: { value: R } | undefined;
    const subscription = new Subscription();
    const onAbort = () => {
      subscription.unsubscribe();
      reject(new AbortError());
    };
    const settle = (finish: () => void) => {
      signal.removeEventListener('abort', onAbort);
      finish();
    };
    if (signal.aborted) {
      reject(new AbortError());
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    subscription.add(
      source.subscribe({
        next: (value) => {
          last = { value };
        },
        error: (err) => settle(() => reject(err)),
        complete: () => settle(() => (last ? resolve(last.value) : reject(new Error('no response')))),
      }),
    );
  });
}
