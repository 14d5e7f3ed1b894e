/**
 * Live sensitivity of continuous jobs and the alert-volume preview, mounted with the jobs API under
 * /api/v1/jobs (its own route group, so the jobs routes stay as they are):
 *
 *   GET|PUT|DELETE /api/v1/jobs/{name}/sensitivity                      the job's setting
 *   GET|PUT|DELETE /api/v1/jobs/{name}/series/sensitivity?series={…}    one series' setting
 *   POST           /api/v1/jobs/{name}/preview                          alerts a day at candidate sensitivities
 *
 * Settings live in the store (store/settings.ts); the jobs apply them from each series' next point
 * (jobs/settings.ts). Precedence: the series' setting, the job's, the jobs file's `sensitivity`. A
 * setting replaces the one before it (last write wins). Bad input is refused before anything is stored.
 */
import type { Request, RequestHandler } from 'express';
import { JOBS_BASE_PATH, JobPathParams } from '../../contract/jobs.js';
import type { Labels } from '../../contract/labels.js';
import {
  JobSensitivityResponse,
  PreviewRequest,
  PreviewResponse,
  SETTINGS_COMPONENTS,
  SETTINGS_INPUT_COMPONENTS,
  SensitivitySettingInput,
  SeriesSensitivityQuery,
  SeriesSensitivityResponse,
  seriesSelector,
  type SeriesSensitivity,
} from '../../contract/settings.js';
import type { JobManager } from '../../jobs/manager.js';
import type { ScoringJob } from '../../jobs/job.js';
import { PreviewTooLarge, PreviewUnsupported, previewJob, previewTask } from '../../jobs/preview.js';
import type { ScoringExecutor } from '../executor.js';
import { StoreError, type SensitivitySetting, type SensitivitySettingsTable } from '../../store/index.js';
import { ApiError, parseOrThrow } from '../errors.js';
import { errorResponse as error } from './errors.js';
import { unknownJob } from './unknownJob.js';
import { pathParam, type RouteGroup } from './route.js';
import { parseQuery } from './queryParams.js';

/**
 * Most points one preview replays (series × retained points × distinct sensitivities): at the `auto`
 * detector's 5–40 µs a point (idle to busy core), 5–40 s of one worker; the default simulator job's
 * 23 series × 2,880 points × 11 sensitivities (0.73 M) stays under it.
 */
export const DEFAULT_MAX_PREVIEW_POINTS = 1_000_000;

export interface SensitivityRouteDeps {
  jobs: Pick<JobManager, 'get'>;
  settings: SensitivitySettingsTable;
  now?: () => number;
  maxPreviewPoints?: number;
  /**
   * Where the preview's replay runs: the scoring pool's workers (main.ts), so it never holds up the
   * event loop; absent, on this thread with the job's own stream factory (tests with fake streams).
   */
  executor?: Pick<ScoringExecutor, 'preview'>;
}

/** Store failures as the API's: 503 naming the file, nothing changed, the service carries on. */
function storeCall<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (!(err instanceof StoreError)) throw err;
    if (err.problem === 'busy') {
      throw new ApiError(503, 'overloaded', err.message, 'overload', [], { 'Retry-After': '1' });
    }
    throw new ApiError(503, 'storage_unavailable', err.message, 'internal');
  }
}

/** `?series=` given once, as a string, naming a series by its labels. */
function seriesOf(req: Request): Labels {
  return parseQuery(SeriesSensitivityQuery, req.query, { single: ['series'] }).series;
}

const record = (s: SensitivitySetting | null) =>
  s && { sensitivity: s.sensitivity, author: s.author, comment: s.comment, updatedAt: s.updatedAt };

function seriesView(job: ScoringJob, labels: Labels, setting: SensitivitySetting | null): SeriesSensitivity {
  const effective = job.sensitivityFor(labels);
  return {
    labels,
    series: seriesSelector(labels),
    sensitivity: effective.sensitivity,
    from: effective.from,
    setting: record(setting),
    scored: job.hasSeries(labels),
  };
}

const NOT_FOUND = error('no job of that name; nothing was stored');
const STORE_503 = error(
  'the store cannot be written or read (read-only, full disk, unusable path: the message names the file); nothing was changed',
);
const BAD_SERIES = 'series is not a selector of exact labels ({name="value",…})';

export function sensitivityApi(deps: SensitivityRouteDeps): RouteGroup {
  const now = deps.now ?? Date.now;
  const { settings } = deps;
  const maxPreviewPoints = deps.maxPreviewPoints ?? DEFAULT_MAX_PREVIEW_POINTS;
  const common = { tag: 'jobs', secured: true, params: JobPathParams } as const;
  const jobPath = `${JOBS_BASE_PATH}/{name}/sensitivity`;
  const seriesPath = `${JOBS_BASE_PATH}/{name}/series/sensitivity`;
  /** One preview at a time: each is bounded, but two at once would double the CPU the live jobs share. */
  let previewing = false;

  const jobOf = (req: Request): ScoringJob => {
    const name = pathParam(req, 'name');
    const job = deps.jobs.get(name);
    if (!job) throw unknownJob(name);
    return job;
  };

  const jobView = (job: ScoringJob): JobSensitivityResponse => {
    const all = storeCall(() => settings.list()).filter((s) => s.job === job.name);
    const effective = job.jobSensitivity();
    return {
      job: job.name,
      sensitivity: effective.sensitivity,
      from: effective.from === 'job' ? 'job' : 'config',
      configured: job.spec.sensitivity,
      setting: record(all.find((s) => s.labels === null) ?? null),
      series: all.filter((s) => s.labels !== null).map((s) => seriesView(job, s.labels!, s)),
    };
  };

  const seriesAnswer = (job: ScoringJob, labels: Labels, setting: SensitivitySetting | null) => {
    const view = seriesView(job, labels, setting);
    const body: SeriesSensitivityResponse = {
      job: job.name,
      series: view,
      warnings: view.scored
        ? []
        : [
            `job ${job.name} scores no series ${view.series} now; the setting applies if it appears ` +
              `(GET ${JOBS_BASE_PATH}/${job.name}/series lists the series and their labels)`,
          ],
    };
    return body;
  };

  const setJob: RequestHandler = (req, res) => {
    const job = jobOf(req);
    const input = parseOrThrow(SensitivitySettingInput, req.body);
    storeCall(() => settings.set(job.name, null, input, now()));
    res.json(jobView(job));
  };
  const setSeries: RequestHandler = (req, res) => {
    const job = jobOf(req);
    const labels = seriesOf(req);
    const input = parseOrThrow(SensitivitySettingInput, req.body);
    const saved = storeCall(() => settings.set(job.name, labels, input, now()));
    res.json(seriesAnswer(job, labels, saved));
  };
  const preview: RequestHandler = async (req, res) => {
    const job = jobOf(req);
    const input = parseOrThrow(PreviewRequest, req.body);
    if (previewing) {
      throw new ApiError(
        503,
        'overloaded',
        'another alert-volume preview is running; retry when it has finished',
        'overload',
        [],
        { 'Retry-After': '5' },
      );
    }
    previewing = true;
    // The client going away stops the replay at its next yield.
    const controller = new AbortController();
    const abort = () => {
      if (!res.writableFinished) controller.abort(new Error('client closed the request'));
    };
    res.once('close', abort);
    try {
      const options = {
        sensitivities: input.sensitivities,
        matchers: input.match,
        maxPoints: maxPreviewPoints,
      };
      const signal = controller.signal;
      const body: PreviewResponse = deps.executor
        ? await deps.executor.preview(previewTask(job, options), { signal })
        : await previewJob(job, { ...options, signal });
      res.json(body);
    } catch (err) {
      if (err instanceof PreviewTooLarge) {
        throw new ApiError(413, 'payload_too_large', err.message, 'limits', [
          { path: 'sensitivities', message: `at most ${err.limit} points replayed in all` },
        ]);
      }
      if (err instanceof PreviewUnsupported) {
        throw new ApiError(400, 'invalid_request', err.message, 'validation', [
          { path: 'name', message: err.message },
        ]);
      }
      if (controller.signal.aborted) return;
      throw err;
    } finally {
      previewing = false;
      res.off('close', abort);
    }
  };

  return {
    mount: JOBS_BASE_PATH,
    components: { input: SETTINGS_INPUT_COMPONENTS, output: SETTINGS_COMPONENTS },
    tagsFirst: true,
    routes: [
      {
        ...common,
        method: 'get',
        path: jobPath,
        operationId: 'getJobSensitivity',
        summary: "A job's sensitivity and the series with their own",
        responses: {
          200: { description: "the job's sensitivity and settings", schema: JobSensitivityResponse },
          404: NOT_FOUND,
          503: STORE_503,
        },
        handlers: [(req, res) => void res.json(jobView(jobOf(req)))],
      },
      {
        ...common,
        method: 'put',
        path: jobPath,
        operationId: 'setJobSensitivity',
        summary: "Set the sensitivity of a job's series (those without their own) from their next point",
        description:
          "Overrides the jobs file's sensitivity, durably (the store), also after a restart. The published " +
          'score, anomaly flag, band, episodes and the /metrics gauges follow it from each series’ next point; ' +
          'what was scored before stays as it was.',
        requestBody: SensitivitySettingInput,
        responses: {
          200: { description: "the job's sensitivity and settings now", schema: JobSensitivityResponse },
          400: error('sensitivity missing or outside 0–100, an unknown field; nothing was stored'),
          404: NOT_FOUND,
          503: STORE_503,
        },
        handlers: [setJob],
      },
      {
        ...common,
        method: 'delete',
        path: jobPath,
        operationId: 'deleteJobSensitivity',
        summary: "Remove the job's setting: its series go back to the jobs file's sensitivity",
        description:
          'Series with their own setting keep it. Deleting a setting that does not exist changes nothing.',
        responses: {
          200: { description: "the job's sensitivity and settings now", schema: JobSensitivityResponse },
          404: NOT_FOUND,
          503: STORE_503,
        },
        handlers: [
          (req, res) => {
            const job = jobOf(req);
            storeCall(() => settings.delete(job.name, null));
            res.json(jobView(job));
          },
        ],
      },
      {
        ...common,
        method: 'get',
        path: seriesPath,
        operationId: 'getSeriesSensitivity',
        summary: 'The sensitivity one series of a job scores at, and where it comes from',
        query: SeriesSensitivityQuery,
        responses: {
          200: { description: "the series' sensitivity", schema: SeriesSensitivityResponse },
          400: error(BAD_SERIES),
          404: NOT_FOUND,
          503: STORE_503,
        },
        handlers: [
          (req, res) => {
            const job = jobOf(req);
            const labels = seriesOf(req);
            res.json(
              seriesAnswer(
                job,
                labels,
                storeCall(() => settings.get(job.name, labels)),
              ),
            );
          },
        ],
      },
      {
        ...common,
        method: 'put',
        path: seriesPath,
        operationId: 'setSeriesSensitivity',
        summary: "Set one series' sensitivity from its next point (over the job's)",
        description:
          'Durable, applied from the series’ next point as for the job. A series the job does not score now ' +
          'is accepted with a warning (the setting applies if it appears).',
        query: SeriesSensitivityQuery,
        requestBody: SensitivitySettingInput,
        responses: {
          200: { description: "the series' sensitivity now", schema: SeriesSensitivityResponse },
          400: error(`${BAD_SERIES}, or sensitivity missing or outside 0–100; nothing was stored`),
          404: NOT_FOUND,
          503: STORE_503,
        },
        handlers: [setSeries],
      },
      {
        ...common,
        method: 'delete',
        path: seriesPath,
        operationId: 'deleteSeriesSensitivity',
        summary: "Remove a series' setting: it goes back to the job's sensitivity",
        query: SeriesSensitivityQuery,
        responses: {
          200: { description: "the series' sensitivity now", schema: SeriesSensitivityResponse },
          400: error(BAD_SERIES),
          404: NOT_FOUND,
          503: STORE_503,
        },
        handlers: [
          (req, res) => {
            const job = jobOf(req);
            const labels = seriesOf(req);
            storeCall(() => settings.delete(job.name, labels));
            res.json(seriesAnswer(job, labels, null));
          },
        ],
      },
      {
        ...common,
        method: 'post',
        path: `${JOBS_BASE_PATH}/{name}/preview`,
        operationId: 'previewJobAlerts',
        summary: 'Alerts a day the job would raise at candidate sensitivities, from its retained history',
        description:
          "Replays every matching series' retained points causally into fresh streams of the job's own " +
          'scoring (maintenance windows held and not counted, as live), once per candidate sensitivity and ' +
          'once at the sensitivity each series scores at now, and counts the anomaly episodes. `live` is what ' +
          'the live stream flagged over the same points. Bounded: series × points × distinct sensitivities ' +
          `at most ${maxPreviewPoints} (413), one preview at a time (503), run in the scoring pool's workers and ` +
          'cancelled when the client goes away.',
        requestBody: PreviewRequest,
        responses: {
          200: { description: 'episodes per day per candidate and per series', schema: PreviewResponse },
          400: error(
            'no or more than 10 sensitivities, one outside 0–100, a bad matcher, a job with a neural detector',
          ),
          404: NOT_FOUND,
          413: error('the replay would exceed its point limit (the message names it): narrow it with match'),
          503: error('another preview is running (Retry-After)'),
        },
        handlers: [preview],
      },
    ],
  };
}
