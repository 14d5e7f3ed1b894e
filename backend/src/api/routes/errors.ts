import { ErrorResponse } from '../../contract/api.js';
import type { ResponseDoc } from './route.js';

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'malformed JSON, a body that does not decompress as its Content-Encoding says, or a field that fails validation; details name each field',
  401: 'missing or wrong bearer token (only when the service has a token configured)',
  404: 'no such route',
  413: 'body, series count or points per series above the configured limit; the message names it',
  415: 'the body is not application/json, or its Content-Encoding is not gzip, deflate, br or identity',
  500: 'scoring failed; the message names the series',
  502: 'Prometheus unreachable, failing or answering garbage; the message quotes it',
  503: 'scoring queue full or scoring timed out (retry later), or no Prometheus configured for a query',
  504: 'Prometheus did not answer within TRAFFICLENS_PROMETHEUS_TIMEOUT_MS',
};

/** Error responses a route can produce, all with the one error shape. */
export function errorResponses(...statuses: number[]): Record<number, ResponseDoc> {
  return Object.fromEntries(
    statuses.map((status) => [status, { description: ERROR_DESCRIPTIONS[status], schema: ErrorResponse }]),
  );
}

/** An error response the route describes in its own words, in the one error shape. */
export const errorResponse = (description: string): ResponseDoc => ({ description, schema: ErrorResponse });
