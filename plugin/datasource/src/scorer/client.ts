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
  static describe(method: string, path: string, params?: Record<string, string | number>): string {
    const query = params
      ? new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)])).toString()
      : '';
    return `${method} ${path}${query ? `?${query}` : ''}`;
  }

  private async request<T>(
    method: 'GET' | 'POST',
    path: string,
    options: { params?: Record<string, string | number>; data?: unknown; requestId?: string } = {},
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

  /** A job's retained results between from and to (epoch ms, inclusive). */
  jobSeries(job: string, range: TimeRangeMs, requestId?: string): Promise<JobSeriesResponse> {
    return this.request('GET', ScorerClient.jobSeriesPath(job), { params: { ...range }, requestId });
  }

  score(body: ScoreRequest, requestId?: string): Promise<ScoreResponse> {
    return this.request('POST', '/api/v1/score', { data: body, requestId });
  }

  /** Scores what a PromQL expression returns, on the scorer's own Prometheus. */
  promql(body: QueryRequest, requestId?: string): Promise<QueryResponse> {
    return this.request('POST', '/api/v1/query', { data: body, requestId });
  }
}
