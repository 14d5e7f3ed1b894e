import { ScorerError, toScorerError } from './errors';

describe('toScorerError', () => {
  const what = 'GET /api/v1/jobs/x/series';

  it("keeps the scorer's message, status, code and request id", () => {
    const err = toScorerError(
      {
        status: 404,
        statusText: 'Not Found',
        data: { error: { code: 'not_found', message: 'no job named "x"', details: [], requestId: 'r-1' } },
      },
      what,
    );
    expect(err).toBeInstanceOf(ScorerError);
    expect(err.message).toBe('GET /api/v1/jobs/x/series: no job named "x" (HTTP 404 not_found)');
    expect([err.status, err.code, err.requestId]).toEqual([404, 'not_found', 'r-1']);
  });

  it("falls back to Grafana's proxy message when the scorer did not answer", () => {
    const err = toScorerError(
      { status: 502, statusText: 'Bad Gateway', data: { message: 'Bad Gateway' } },
      what,
    );
    expect(err.message).toBe('GET /api/v1/jobs/x/series: HTTP 502 Bad Gateway');
    expect(err.status).toBe(502);
  });

  it('uses the status text when the body is not JSON', () => {
    expect(
      toScorerError({ status: 500, statusText: 'Internal Server Error', data: '<html>' }, what).message,
    ).toBe('GET /api/v1/jobs/x/series: HTTP 500 Internal Server Error');
  });

  it('says so when there was no answer at all', () => {
    expect(toScorerError({ status: -1, data: undefined }, what).message).toBe(
      'GET /api/v1/jobs/x/series: no answer (network error or request cancelled)',
    );
    expect(toScorerError(new TypeError('Failed to fetch'), what).message).toBe(
      'GET /api/v1/jobs/x/series: Failed to fetch',
    );
    expect(toScorerError('boom', what).message).toBe('GET /api/v1/jobs/x/series: boom');
  });

  it('passes a ScorerError through unchanged', () => {
    const original = new ScorerError('choose a job');
    expect(toScorerError(original, what)).toBe(original);
  });
});
