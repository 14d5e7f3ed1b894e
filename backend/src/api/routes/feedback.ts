/**
 * The feedback API: operators mark an episode of a continuous job's series as a false positive or a
 * true incident, list what was said, and undo it. Two route groups: the feedback on a job
 * (POST/GET /api/v1/jobs/{name}/feedback, mounted beside the jobs API, which passes on what it does not
 * match) and one record by id (GET/DELETE /api/v1/feedback/{id}). The records live in the store
 * (store/feedback.ts); what they do to the series is jobs/feedback.ts'.
 *
 * The episode is judged against the job's retained results: an unknown job, series or episode is a 404;
 * a false positive on an episode still open (its peak is not known yet) or too long to be a recurring
 * pattern, and a second verdict on an episode that has one, are 409s. Nothing is stored then.
 */
import type { RequestHandler } from 'express';
import { matches, type LabelMatcher, type Labels } from '../../contract/labels.js';
import { JOBS_BASE_PATH, JobPathParams } from '../../contract/jobs.js';
import {
  Feedback,
  FEEDBACK_BASE_PATH,
  FEEDBACK_COMPONENTS,
  FEEDBACK_INPUT_COMPONENTS,
  FeedbackInput,
  FeedbackListQuery,
  FeedbackListResponse,
  FeedbackPathParams,
  FeedbackResponse,
} from '../../contract/feedback.js';
import { DAY_MS, peakOf, toleranceFor, type Tolerance } from '../../jobs/feedback.js';
import type { JobManager } from '../../jobs/manager.js';
import {
  isFeedbackRefusal,
  type FeedbackRecord,
  type FeedbackTable,
  type ToleranceRecord,
} from '../../store/index.js';
import { ApiError, parseOrThrow } from '../errors.js';
import { errorResponse as error } from './errors.js';
import { JOB_NOT_FOUND, unknownJob } from './unknownJob.js';
import { pathParam, type RouteGroup } from './route.js';
import { parseQuery } from './queryParams.js';
import { STORE_503, storeCall } from './windows.js';

export interface FeedbackRouteDeps {
  feedback: FeedbackTable;
  jobs: Pick<JobManager, 'get'>;
  now?: () => number;
}

const labelsText = (labels: Labels) =>
  `{${Object.entries(labels)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(', ')}}`.slice(0, 300);

const notFound = (message: string) => new ApiError(404, 'not_found', message, 'routing');
const conflict = (message: string) => new ApiError(409, 'conflict', message, 'validation');

/** The record as the API shows it. */
export function present(r: FeedbackRecord): Feedback {
  return {
    id: r.id,
    job: r.job,
    labels: r.labels,
    episodeStart: r.episodeStart,
    episodeEnd: r.episodeEnd,
    verdict: r.verdict,
    direction: r.direction,
    note: r.note,
    author: r.author,
    createdAt: r.createdAt,
    peakDeviation: r.peakDeviation,
    tolerance: r.tolerance
      ? {
          direction: r.direction,
          periodMs: r.tolerance.periodMs,
          fromPhaseMs: r.tolerance.fromMs,
          toPhaseMs: r.tolerance.toMs,
          magnitude: r.tolerance.magnitude,
          capped: r.tolerance.capped,
          bothSides: r.tolerance.bothSides,
        }
      : null,
    undoneAt: r.undoneAt,
  };
}

const clock = (ms: number) => new Date(ms % DAY_MS).toISOString().slice(11, 16);

/** When the tolerance applies, in words. */
function when(t: Tolerance): string {
  if (t.periodMs === null || t.fromMs === null || t.toMs === null) {
    return 'at any time (the series has no season)';
  }
  if (t.periodMs === DAY_MS) return `between ${clock(t.fromMs)} and ${clock(t.toMs)} UTC every day`;
  const min = (ms: number) => (ms / 60_000).toFixed(1);
  return `at the same point of the series' ${min(t.periodMs)}-minute season (${min(t.fromMs)}–${min(t.toMs)} minutes into it)`;
}

/** The tolerance as the store keeps it: the record carries its direction. */
function toleranceRecord({ direction: _direction, ...record }: Tolerance): ToleranceRecord {
  return record;
}

/** What the record does, in words an operator reads in the response. */
function effect(r: FeedbackRecord, tolerance: Tolerance | null): string {
  if (tolerance) {
    const side = tolerance.bothSides ? 'above or below' : tolerance.direction === 'up' ? 'above' : 'below';
    // What still alerts: larger deviations, the other direction (one side only), other times (a season).
    const still = [
      'larger ones',
      ...(tolerance.bothSides ? [] : ['the other direction']),
      ...(tolerance.periodMs === null ? [] : ['other times']),
    ];
    const listed = still.length > 1 ? `${still.slice(0, -1).join(', ')} and ${still.at(-1)}` : still[0];
    return (
      `deviations up to ${tolerance.magnitude.toPrecision(4)} ${side} the expected value ${when(tolerance)} ` +
      'are no longer anomalous on this series' +
      (tolerance.capped
        ? ' (capped at 20 band half-widths: a peak like this one still alerts)'
        : `; ${listed} still are`)
    );
  }
  return r.episodeEnd === null
    ? "the episode's points are kept out of the baseline and model training while it lasts, and listed as an incident label"
    : "the episode's points are kept out of model training and out of the baseline when the fit window is scored again (refit), and listed as an incident label";
}

const JOB_PATH = `${JOBS_BASE_PATH}/{name}/feedback`;
const NOT_FOUND_ID = error('no feedback with that id, or it was undone already');

export function feedbackApi(deps: FeedbackRouteDeps): RouteGroup[] {
  const now = deps.now ?? Date.now;
  const { feedback } = deps;
  const common = { tag: 'feedback', secured: true } as const;

  const create: RequestHandler = (req, res) => {
    const name = pathParam(req, 'name');
    const input = parseOrThrow(FeedbackInput, req.body);
    const job = deps.jobs.get(name);
    if (!job) throw unknownJob(name);
    const target = job.seriesForFeedback(input.labels);
    if (!target) {
      throw notFound(
        `job ${name} has no series ${labelsText(input.labels)}; GET ${JOBS_BASE_PATH}/${name}/series lists them with their labels`,
      );
    }
    const episode = target.episodes.find((e) => e.start === input.episodeStart);
    if (!episode || (input.episodeEnd !== undefined && (episode.open || episode.end !== input.episodeEnd))) {
      const when = `${new Date(input.episodeStart).toISOString()}${input.episodeEnd === undefined ? '' : ` to ${new Date(input.episodeEnd).toISOString()}`}`;
      throw notFound(
        `series ${labelsText(input.labels)} of job ${name} has no retained episode from ${when}; its episodes are in GET ${JOBS_BASE_PATH}/${name}/series`,
      );
    }
    let tolerance: Tolerance | null = null;
    let peakDeviation: number | null = null;
    if (input.verdict === 'false_positive') {
      if (episode.open) {
        throw conflict(
          'the episode is still open: its peak is not known yet, so there is nothing to tolerate; mark it once it has closed (or mark it true_incident now)',
        );
      }
      const taught = toleranceFor(episode, target.points, target.periodMs);
      if ('problem' in taught) throw conflict(`cannot learn this false positive: ${taught.problem}`);
      ({ tolerance, peakDeviation } = taught);
    } else {
      const { peak } = peakOf(episode, target.points);
      peakDeviation = peak > 0 ? peak : null;
    }
    const out = storeCall(() =>
      feedback.create(
        {
          job: name,
          seriesKey: target.key,
          labels: target.labels,
          episodeStart: episode.start,
          episodeEnd: episode.open ? null : episode.end,
          verdict: input.verdict,
          direction: episode.direction,
          note: input.note,
          author: input.author,
          peakDeviation,
          tolerance: tolerance && toleranceRecord(tolerance),
        },
        now(),
      ),
    );
    if (isFeedbackRefusal(out)) {
      const existing = out.refused === 'duplicate' ? out.existing : null;
      throw conflict(
        `the episode already has feedback ${existing?.id} (${existing?.verdict}); DELETE ${FEEDBACK_BASE_PATH}/${existing?.id} first to change it`,
      );
    }
    const body: FeedbackResponse = { feedback: present(out), effect: effect(out, tolerance) };
    res.status(201).location(`${FEEDBACK_BASE_PATH}/${out.id}`).json(body);
  };

  const list: RequestHandler = (req, res) => {
    const name = pathParam(req, 'name');
    const query = parseQuery(FeedbackListQuery, req.query, {
      single: ['verdict', 'undone'],
      repeated: ['match'],
    });
    if (!deps.jobs.get(name)) throw unknownJob(name);
    const matchers: LabelMatcher[] = query.match ?? [];
    const records = storeCall(() =>
      feedback.list({ job: name, includeUndone: query.undone === 'true' }),
    ).filter((r) => (!query.verdict || r.verdict === query.verdict) && matches(r.labels, matchers));
    const body: FeedbackListResponse = { job: name, feedback: records.map(present) };
    res.json(body);
  };

  const onJob: RouteGroup = {
    mount: JOBS_BASE_PATH,
    components: { input: FEEDBACK_INPUT_COMPONENTS, output: FEEDBACK_COMPONENTS },
    routes: [
      {
        ...common,
        method: 'post',
        path: JOB_PATH,
        operationId: 'createFeedback',
        summary: 'Mark an episode of a series as a false positive or a true incident',
        description:
          'false_positive teaches the series to tolerate that deviation: in the episode direction (on both sides ' +
          'for an episode explained as a variance change), at the same ' +
          "point of the series' season (its time of day in UTC ± 30 minutes for a daily series; at any time " +
          'for one without a season), up to 1.2 × its peak deviation (capped at 20 half-widths of the band): ' +
          'such points are no longer anomalous (score scaled below 1, band widened to hold them); larger ones, ' +
          'the other direction and other times still alert. The episode must have closed and last at most a ' +
          'quarter of the season (6 hours without one). true_incident keeps the episode out of baselines and model training (while ' +
          'open: its points are not learnt; closed: when the fit window is scored again) and lists it as a ' +
          'label. One verdict per episode; DELETE undoes it.',
        params: JobPathParams,
        requestBody: FeedbackInput,
        responses: {
          201: {
            description: 'recorded (Location: its URL), with its effect in words',
            schema: FeedbackResponse,
          },
          400: error(
            'invalid body: a missing or unknown field, an unknown verdict, a note over 2000 characters',
          ),
          404: error(
            'no such job, no series with those labels, or no retained episode starting then (and ending at episodeEnd)',
          ),
          409: error(
            'a false positive on an episode still open or too long (a quarter of the season, 6 hours without one), or an episode that has feedback already; nothing was stored',
          ),
          503: STORE_503,
        },
        handlers: [create],
      },
      {
        ...common,
        method: 'get',
        path: JOB_PATH,
        operationId: 'listFeedback',
        summary: "Feedback on a job's episodes (true incidents are the labels for a classifier)",
        params: JobPathParams,
        query: FeedbackListQuery,
        responses: {
          200: {
            description: 'the feedback in effect (and undone, with undone=true), oldest first',
            schema: FeedbackListResponse,
          },
          400: error('a bad matcher, verdict or undone'),
          404: JOB_NOT_FOUND,
          503: STORE_503,
        },
        handlers: [list],
      },
    ],
  };

  const byId: RouteGroup = {
    mount: FEEDBACK_BASE_PATH,
    components: {},
    routes: [
      {
        ...common,
        method: 'get',
        path: `${FEEDBACK_BASE_PATH}/{id}`,
        operationId: 'getFeedback',
        summary: 'One feedback record (also when undone)',
        params: FeedbackPathParams,
        responses: {
          200: { description: 'the record', schema: Feedback },
          404: error('no feedback with that id'),
          503: STORE_503,
        },
        handlers: [
          (req, res) => {
            const id = pathParam(req, 'id');
            const found = storeCall(() => feedback.get(id));
            if (!found) throw notFound(`no feedback ${JSON.stringify(id.slice(0, 100))}`);
            res.json(present(found));
          },
        ],
      },
      {
        ...common,
        method: 'delete',
        path: `${FEEDBACK_BASE_PATH}/{id}`,
        operationId: 'undoFeedback',
        summary: 'Undo feedback: it has no effect from now on (the record stays, marked undone)',
        params: FeedbackPathParams,
        responses: { 204: { description: 'undone' }, 404: NOT_FOUND_ID, 503: STORE_503 },
        handlers: [
          (req, res) => {
            const id = pathParam(req, 'id');
            const out = storeCall(() => feedback.undo(id, now()));
            if (isFeedbackRefusal(out)) {
              throw notFound(
                `no feedback ${JSON.stringify(id.slice(0, 100))} in effect (unknown, or undone already)`,
              );
            }
            res.status(204).end();
          },
        ],
      },
    ],
  };
  return [onJob, byId];
}
