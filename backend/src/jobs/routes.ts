/**
 * The jobs API, mounted by the service at /api/v1/jobs. Errors are answered in the service's error
 * shape ({error: {code, message, details}}), naming the offending query parameter.
 */
import { Router, type Response } from 'express';
import { downsample } from './downsample.js';
import type { JobManager } from './manager.js';
import {
  JobSeriesQuery,
  type JobLabelsResponse,
  type JobSeriesResponse,
  type JobsListResponse,
} from './schemas.js';

interface ErrorDetail {
  path: string;
  message: string;
}

function sendError(
  res: Response,
  status: number,
  code: string,
  message: string,
  details: ErrorDetail[] = [],
): void {
  res.status(status).json({ error: { code, message, details } });
}

const unknownJob = (res: Response, name: string) =>
  sendError(
    res,
    404,
    'not_found',
    `no job named ${JSON.stringify(name.slice(0, 100))}; GET /api/v1/jobs lists them`,
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
    if (!job) return unknownJob(res, req.params.name);
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
        return sendError(
          res,
          400,
          'invalid_request',
          'invalid query parameter match: give each one as a string',
          [{ path: 'match', message: 'give each one as a string' }],
        );
      }
      raw.match = list;
    }
    for (const param of ['from', 'to', 'maxDataPoints'] as const) {
      const value = req.query[param];
      if (value === undefined) continue;
      if (typeof value !== 'string') {
        return sendError(
          res,
          400,
          'invalid_request',
          `invalid query parameter ${param}: give it once, as a string`,
          [{ path: param, message: 'give it once, as a string' }],
        );
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
      return sendError(
        res,
        400,
        'invalid_request',
        `invalid query parameter ${first.path}: ${first.message}`,
        details,
      );
    }
    const { from, to, match: matchers, maxDataPoints } = parsed.data;
    const found = manager.seriesResults(name, from, to, matchers);
    if (!found) return unknownJob(res, name);
    const series =
      maxDataPoints === undefined ? found : found.map((s) => ({ ...s, ...downsample(s, maxDataPoints) }));
    const body: JobSeriesResponse = { job: name, from: from ?? null, to: to ?? null, series };
    res.json(body);
  });

  router.get('/:name/labels', (req, res) => {
    const labels = manager.labelValues(req.params.name);
    if (!labels) return unknownJob(res, req.params.name);
    const body: JobLabelsResponse = { job: req.params.name, labels };
    res.json(body);
  });

  return router;
}
