/**
 * The jobs API, mounted by the service at /api/v1/jobs. Errors are thrown as ApiError, so the service's
 * error handler answers them in its one error shape ({error: {code, message, details, requestId}}) and
 * logs them like every other error; each names the offending query parameter.
 */
import { Router } from 'express';
import { ApiError, type ErrorDetail } from '../errors.js';
import { downsample } from '../../jobs/downsample.js';
import type { JobManager } from '../../jobs/manager.js';
import {
  JobSeriesQuery,
  type JobLabelsResponse,
  type JobSeriesResponse,
  type JobsListResponse,
} from '../../contract/jobs.js';

const invalid = (message: string, details: ErrorDetail[]) =>
  new ApiError(400, 'invalid_request', message, 'validation', details);

const unknownJob = (name: string) =>
  new ApiError(
    404,
    'not_found',
    `no job named ${JSON.stringify(name.slice(0, 100))}; GET /api/v1/jobs lists them`,
    'routing',
  );

export function createJobsRouter(
  manager: Pick<JobManager, 'list' | 'get' | 'seriesResults' | 'labelValues'>,
): Router {
  const router = Router();

  router.get('/', (_req, res) => {
    const body: JobsListResponse = { jobs: manager.list() };
    res.json(body);
  });

  router.get('/:name', (req, res) => {
    const job = manager.get(req.params.name);
    if (!job) throw unknownJob(req.params.name);
    res.json(job.status());
  });

  router.get('/:name/series', (req, res) => {
    const { name } = req.params;
    const raw: Record<string, unknown> = {};
    const match = req.query.match;
    if (match !== undefined) {
      // `match` may be repeated: the query parser gives a string for one, an array for several.
      const list = Array.isArray(match) ? match : [match];
      if (!list.every((m) => typeof m === 'string')) {
        throw invalid('invalid query parameter match: give each one as a string', [
          { path: 'match', message: 'give each one as a string' },
        ]);
      }
      raw.match = list;
    }
    for (const param of ['from', 'to', 'maxDataPoints'] as const) {
      const value = req.query[param];
      if (value === undefined) continue;
      if (typeof value !== 'string') {
        throw invalid(`invalid query parameter ${param}: give it once, as a string`, [
          { path: param, message: 'give it once, as a string' },
        ]);
      }
      raw[param] = value;
    }
    const parsed = JobSeriesQuery.safeParse(raw);
    if (!parsed.success) {
      const details = parsed.error.issues.map((i) => ({
        path: i.path.map(String).join('.'),
        message: i.message,
      }));
      const [first] = details;
      throw invalid(`invalid query parameter ${first.path}: ${first.message}`, details);
    }
    const { from, to, match: matchers, maxDataPoints } = parsed.data;
    const found = manager.seriesResults(name, from, to, matchers);
    if (!found) throw unknownJob(name);
    const series =
      maxDataPoints === undefined ? found : found.map((s) => ({ ...s, ...downsample(s, maxDataPoints) }));
    const body: JobSeriesResponse = { job: name, from: from ?? null, to: to ?? null, series };
    res.json(body);
  });

  router.get('/:name/labels', (req, res) => {
    const labels = manager.labelValues(req.params.name);
    if (!labels) throw unknownJob(req.params.name);
    const body: JobLabelsResponse = { job: req.params.name, labels };
    res.json(body);
  });

  return router;
}
