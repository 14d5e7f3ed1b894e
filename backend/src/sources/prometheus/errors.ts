/**
 * What can go wrong talking to Prometheus, as one error type whose `kind` says whose fault it is, so
 * the API can answer 502/504/400 and a job can log a line an operator can act on. The upstream's own
 * message (Prometheus' `error` field, or the start of a non-JSON body) is always kept.
 */

export type PrometheusErrorKind =
  /** Connection refused, DNS failure, TLS failure, connection reset before an answer. */
  | 'unreachable'
  /** No complete answer within the configured timeout. */
  | 'timeout'
  /** Prometheus refused the expression or a parameter (HTTP 400/422 with errorType bad_data). */
  | 'bad_query'
  /** Any other non-2xx answer: 401/403 (credentials), 404 (wrong URL), 5xx, 503 (overloaded). */
  | 'http'
  /** A 2xx answer that is not the JSON Prometheus sends (a proxy's HTML page, truncated body, wrong shape). */
  | 'bad_response'
  /** An answer larger than the client's cap (TRAFFICLENS_PROMETHEUS_MAX_RESPONSE_BYTES), not read to its end. */
  | 'too_large'
  /** The caller gave up (its AbortSignal fired). */
  | 'aborted';

export class PrometheusError extends Error {
  constructor(
    readonly kind: PrometheusErrorKind,
    message: string,
    readonly details: {
      /** HTTP status, when an answer came. */
      status?: number;
      /** Prometheus' errorType (bad_data, execution, timeout, canceled, internal, unavailable). */
      errorType?: string;
      /** Prometheus' error text, or the start of the body it sent. */
      upstreamMessage?: string;
      /** Endpoint path, e.g. /api/v1/query_range. */
      endpoint?: string;
    } = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'PrometheusError';
  }
}
