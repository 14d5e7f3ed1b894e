/**
 * The scorer's HTTP API as seen through Grafana's data proxy. Every request goes to
 * `<datasource proxy url>/scorer/…`, the `scorer` route of plugin.json, where Grafana's server adds the
 * scorer URL and the `Authorization: Bearer` header from the encrypted settings: the token never
 * reaches the browser.
 */
import type { BackendSrv, BackendSrvRequest } from '@grafana/runtime';
import { lastValueFrom } from 'rxjs';
import type {
  DetectorsResponse,
  HealthResponse,
  JobSeriesResponse,
  JobsListResponse,
  QueryRequest,
  QueryResponse,
  ScoreRequest,
  ScoreResponse,
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
    method: 'GET' | 'POST',
    path: string,
    options: { params?: Params; data?: unknown; requestId?: string } = {},
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
      const response = await lastValueFrom(this.backend().fetch<T>(request));
      return response.data;
    } catch (err) {
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

  score(body: ScoreRequest, requestId?: string): Promise<ScoreResponse> {
    return this.request('POST', '/api/v1/score', { data: body, requestId });
  }

  /** Scores what a PromQL expression returns, on the scorer's own Prometheus. */
  promql(body: QueryRequest, requestId?: string): Promise<QueryResponse> {
    return this.request('POST', '/api/v1/query', { data: body, requestId });
  }
}
