/**
 * The jobs API, mounted by the service at /api/v1/jobs. Errors are thrown as ApiError, so the service's
 * error handler answers them in its one error shape ({error: {code, message, details, requestId}}) and
 * logs them like every other error; each names the offending query parameter.
 */
import type { Router } from 'express';
import { downsample } from '../../jobs/downsample.js';
import type { JobManager } from '../../jobs/manager.js';
import {
  JOBS_BASE_PATH,
  JOBS_COMPONENTS,
  JobForecastsQuery,
  JobForecastsResponse,
  JobLabelsResponse,
  JobPathParams,
  JobSeriesQuery,
  JobSeriesResponse,
  JobStatus,
  JobsListResponse,
} from '../../contract/jobs.js';
import { JobIncidentsQuery, JobIncidentsResponse } from '../../contract/incidents.js';
import { errorResponse } from './errors.js';
import { JOB_NOT_FOUND, unknownJob } from './unknownJob.js';
import { groupRouter, pathParam, type RouteGroup } from './route.js';
import { parseQuery } from './queryParams.js';

export function jobsApi(
  manager: Pick<JobManager, 'list' | 'get' | 'seriesResults' | 'labelValues' | 'incidents' | 'forecasts'>,
): RouteGroup {
  const common = { method: 'get', tag: 'jobs', secured: true } as const;
  return {
    mount: JOBS_BASE_PATH,
    // The incidents' components are the service's (api/openapi.ts): the score route answers them too.
    components: { output: JOBS_COMPONENTS },
    tagsFirst: true,
    routes: [
      {
        ...common,
        path: JOBS_BASE_PATH,
        operationId: 'listJobs',
        summary: 'Continuous scoring jobs and their health',
        responses: { 200: { description: 'every job with its health', schema: JobsListResponse } },
        handlers: [
          (_req, res) => {
            const body: JobsListResponse = { jobs: manager.list() };
            res.json(body);
          },
        ],
      },
      {
        ...common,
        path: `${JOBS_BASE_PATH}/{name}`,
        operationId: 'getJob',
        summary: 'One job and its health',
        params: JobPathParams,
        responses: { 200: { description: 'the job', schema: JobStatus }, 404: JOB_NOT_FOUND },
        handlers: [
          (req, res) => {
            const name = pathParam(req, 'name');
            const job = manager.get(name);
            if (!job) throw unknownJob(name);
            res.json(job.status());
          },
        ],
      },
      {
        ...common,
        path: `${JOBS_BASE_PATH}/{name}/series`,
        operationId: 'getJobSeries',
        summary: "Recent results of a job's series",
        description:
          'Scores, bands and episodes the job keeps for each of its series (bounded by its retention), ' +
          'computed causally as the points arrived. Without from/to, everything retained.',
        params: JobPathParams,
        query: JobSeriesQuery,
        responses: {
          200: { description: 'the series of the job', schema: JobSeriesResponse },
          400: errorResponse(
            'a parameter is invalid: not a time, to before from, a bad matcher or maxDataPoints',
          ),
          404: JOB_NOT_FOUND,
        },
        handlers: [
          (req, res) => {
            const name = pathParam(req, 'name');
            const {
              from,
              to,
              match: matchers,
              maxDataPoints,
            } = parseQuery(JobSeriesQuery, req.query, {
              single: ['from', 'to', 'maxDataPoints'],
              repeated: ['match'],
            });
            const found = manager.seriesResults(name, from, to, matchers);
            if (!found) throw unknownJob(name);
            const series =
              maxDataPoints === undefined
                ? found
                : found.map((s) => ({ ...s, ...downsample(s, maxDataPoints) }));
            const body: JobSeriesResponse = { job: name, from: from ?? null, to: to ?? null, series };
            res.json(body);
          },
        ],
      },
      {
        ...common,
        path: `${JOBS_BASE_PATH}/{name}/forecasts`,
        operationId: 'getJobForecasts',
        summary: "The latest forecasts of a job's series",
        description:
          "What the job's `forecast:` block computed at its last refresh for each series (what the " +
          'trafficlens_forecast_* gauges export): the median and upper 95 % forecast at the horizon and, ' +
          'with a capacity, the seconds until capacity × fraction is reached. A job without the block ' +
          'answers `forecast: null` and no series; for a forecast path, POST /api/v1/forecast.',
        params: JobPathParams,
        query: JobForecastsQuery,
        responses: {
          200: { description: "the job's forecasts", schema: JobForecastsResponse },
          400: errorResponse('a matcher is invalid'),
          404: JOB_NOT_FOUND,
        },
        handlers: [
          (req, res) => {
            const name = pathParam(req, 'name');
            const { match } = parseQuery(JobForecastsQuery, req.query, { single: [], repeated: ['match'] });
            const body = manager.forecasts(name, match);
            if (!body) throw unknownJob(name);
            res.json(body);
          },
        ],
      },
      {
        ...common,
        path: `${JOBS_BASE_PATH}/{name}/labels`,
        operationId: 'getJobLabels',
        summary: "Label names and values of a job's series",
        description: 'For template variables and label pickers, without downloading the series.',
        params: JobPathParams,
        responses: {
          200: { description: 'label names with their values', schema: JobLabelsResponse },
          404: JOB_NOT_FOUND,
        },
        handlers: [
          (req, res) => {
            const name = pathParam(req, 'name');
            const labels = manager.labelValues(name);
            if (!labels) throw unknownJob(name);
            const body: JobLabelsResponse = { job: name, labels };
            res.json(body);
          },
        ],
      },
      {
        ...common,
        path: `${JOBS_BASE_PATH}/{name}/incidents`,
        operationId: 'getJobIncidents',
        summary: "Incidents across a job's series",
        description:
          "Co-anomalous series of one group (the job's `groups`) told as one incident: its members with " +
          'their own episodes, the first as probable origin, the worst severity; and anomalies of the group ' +
          'as a whole (kind network). Empty for a job without groups. Without from/to, every retained one.',
        params: JobPathParams,
        query: JobIncidentsQuery,
        responses: {
          200: { description: 'the incidents of the job', schema: JobIncidentsResponse },
          400: errorResponse('from or to is not a time, or to is before from'),
          404: JOB_NOT_FOUND,
        },
        handlers: [
          (req, res) => {
            const name = pathParam(req, 'name');
            const { from, to } = parseQuery(JobIncidentsQuery, req.query, { single: ['from', 'to'] });
            const incidents = manager.incidents(name, from, to);
            const job = manager.get(name);
            if (!incidents || !job) throw unknownJob(name);
            const body: JobIncidentsResponse = { job: name, groups: job.spec.groups, incidents };
            res.json(body);
          },
        ],
      },
    ],
  };
}

/** The jobs API alone, to mount at JOBS_BASE_PATH in a bare Express app (tests). */
export const createJobsRouter = (manager: Parameters<typeof jobsApi>[0]): Router =>
  groupRouter(jobsApi(manager));
