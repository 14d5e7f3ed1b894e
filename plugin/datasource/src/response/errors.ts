/**
 * Failed requests → one error with the most useful message available: the scorer's own
 * (`{error: {code, message, requestId}}`), else Grafana's data proxy's (`{message}`, e.g. when the scorer
 * is unreachable), else the HTTP status. Pure; `err` is whatever `getBackendSrv().fetch` rejected with.
 */

export class ScorerError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    readonly code?: string,
    readonly requestId?: string,
  ) {
    super(message);
    this.name = 'ScorerError';
  }
}

interface FetchErrorLike {
  status?: number;
  statusText?: string;
  data?: unknown;
  message?: string;
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null;

/**
 * @param what the stage that failed, e.g. `GET /api/v1/jobs/simulator/series`; it starts the message so
 *   the user knows which request it was.
 */
export function toScorerError(err: unknown, what: string): ScorerError {
  if (err instanceof ScorerError) {
    return err;
  }
  if (!isObject(err)) {
    return new ScorerError(`${what}: ${String(err)}`);
  }
  const e = err as FetchErrorLike;
  const status = typeof e.status === 'number' && e.status > 0 ? e.status : undefined;
  const data = e.data;
  const scorer = isObject(data) && isObject(data.error) ? data.error : undefined;
  if (scorer && typeof scorer.message === 'string') {
    const code = typeof scorer.code === 'string' ? scorer.code : undefined;
    const requestId = typeof scorer.requestId === 'string' ? scorer.requestId : undefined;
    const suffix = [status && `HTTP ${status}`, code].filter(Boolean).join(' ');
    return new ScorerError(
      `${what}: ${scorer.message}${suffix ? ` (${suffix})` : ''}`,
      status,
      code,
      requestId,
    );
  }
  const proxyMessage = isObject(data) && typeof data.message === 'string' ? data.message : undefined;
  const text = proxyMessage ?? e.statusText ?? e.message;
  if (status) {
    return new ScorerError(`${what}: HTTP ${status}${text ? ` ${text}` : ''}`, status);
  }
  return new ScorerError(`${what}: ${text || 'no answer (network error or request cancelled)'}`);
}
