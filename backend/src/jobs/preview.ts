/**
 * The alert-volume preview: how many alerts (anomaly episodes) a job's series would have raised over
 * their retained history at each candidate sensitivity, to compare with now before changing it.
 *
 * Causal and on the live path: every series' retained points are pushed, in order, into a fresh stream
 * of the job's scoring (the engine's createStream with the job's parameters, streamParams), points
 * inside a maintenance window held as the live stream held them, and an episode starting inside a
 * window is not counted, as it is not announced live. Only the sensitivity differs.
 *
 * Two steps, so the scoring can run on a worker thread: previewTask gathers the retained points on the
 * main thread and checks the replay's size (series × points × distinct sensitivities) before anything
 * runs (PreviewTooLarge); runPreview replays them (api/executor.ts runs it in the scoring pool). It
 * yields every few thousand points and stops when its signal aborts (the client went away).
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { LabelMatcher, Labels } from '../contract/labels.js';
import type { Sensitivity } from '../contract/sensitivity.js';
import type { PreviewFigure, PreviewResponse } from '../contract/settings.js';
import { createStream, type ScoreParams, type ScoringStream } from '../engine/index.js';
import type { Interval } from '../store/index.js';
import { JOB_NEURAL_DETECTORS } from './config.js';
import type { ScoringJob } from './job.js';
import { streamParams } from './seriesTable.js';
import { scheduleOffset } from './schedule.js';
import { seriesKey } from '../sources/source.js';
import { within } from './suppression.js';

const DAY_MS = 86_400_000;
/** Pushes between yields to the event loop (as a job's backfill, seriesTable.ts). */
const YIELD_EVERY = 2000;

export class PreviewTooLarge extends Error {
  constructor(
    readonly points: number,
    readonly limit: number,
  ) {
    super(
      `the preview would replay ${points} points (series × retained points × distinct sensitivities, the current ones included); ` +
        `the limit is ${limit}: narrow the series with match or ask for fewer sensitivities`,
    );
    this.name = 'PreviewTooLarge';
  }
}

export class PreviewUnsupported extends Error {
  override name = 'PreviewUnsupported';
}

export interface PreviewOptions {
  sensitivities: readonly Sensitivity[];
  matchers?: readonly LabelMatcher[];
  /** Most points replayed in all (series × points × distinct sensitivities). */
  maxPoints: number;
}

/** One series to replay: plain data, so a task crosses to a worker thread. */
export interface PreviewSeriesTask {
  labels: Labels;
  timestamps: number[];
  values: (number | null)[];
  /** Its maintenance windows over its points: held as live, and an episode starting inside is no alert. */
  held: Interval[];
  /** The sensitivity it scores at now. */
  current: number;
  /** Starts of the episodes the live stream flagged (suppressed ones excluded). */
  liveStarts: number[];
  /** Distinct sensitivities to replay it at: the candidates and its current one. */
  runs: number[];
  /** The series' period-check offset, as its live stream has it (jobs/schedule.ts). */
  offset: number;
}

/** Everything a replay needs, gathered from the job on the main thread (previewTask). */
export interface PreviewTask {
  job: string;
  /** The job's stream parameters but the sensitivity (streamParams; values as retained, so no counter). */
  params: Omit<ScoreParams, 'sensitivity'>;
  stepMs: number;
  candidates: number[];
  series: PreviewSeriesTask[];
}

/** A fresh stream of the job's scoring at a sensitivity, with a series' period-check offset. */
export type StreamAt = (sensitivity: number, offset: number) => ScoringStream;

/**
 * The job's retained points and what the replay needs of them, checked before any scoring:
 * PreviewUnsupported for a neural job, PreviewTooLarge above `maxPoints`.
 */
export function previewTask(job: ScoringJob, options: PreviewOptions): PreviewTask {
  const { spec } = job;
  if ((JOB_NEURAL_DETECTORS as readonly string[]).includes(spec.detector)) {
    throw new PreviewUnsupported(
      `job ${spec.name} scores with a trained ${spec.detector} model per series; the preview replays the statistical detectors only`,
    );
  }
  const candidates = [...options.sensitivities];
  const series = job.results(-Infinity, Infinity, options.matchers ?? []).map((s): PreviewSeriesTask => {
    const current = job.sensitivityFor(s.labels).sensitivity;
    const { timestamps } = s;
    return {
      labels: s.labels,
      timestamps,
      values: s.values,
      held: timestamps.length ? job.heldIntervals(s.labels, timestamps[0], timestamps.at(-1)!) : [],
      current,
      liveStarts: s.episodes.map((e) => e.start),
      runs: [...new Set([...candidates, current])],
      offset: scheduleOffset(seriesKey(s.labels)),
    };
  });
  const total = series.reduce((n, s) => n + s.timestamps.length * s.runs.length, 0);
  if (total > options.maxPoints) throw new PreviewTooLarge(total, options.maxPoints);
  const { sensitivity: _each, ...params } = streamParams(spec, spec.sensitivity, false);
  return { job: spec.name, params, stepMs: spec.stepMs, candidates, series };
}

/** The engine's streams with the task's parameters: what the scoring pool's worker replays with. */
export const engineStreams =
  (task: PreviewTask): StreamAt =>
  (sensitivity, offset) =>
    createStream({ ...task.params, sensitivity, scheduleOffset: offset });

/** Episodes and scored points of one series replayed at one sensitivity. */
interface Outcome {
  episodes: number;
  scored: number;
  /** The first point scored past the learning period (Infinity: none). */
  firstScored: number;
}

const figure = (episodes: number, days: number): PreviewFigure => ({
  episodes,
  episodesPerDay: days > 0 ? episodes / days : 0,
});

/** "≈3", "≈0.4", "≈12": a rate as an operator reads it. */
function approx(perDay: number): string {
  return perDay >= 10 ? String(Math.round(perDay)) : String(Math.round(perDay * 10) / 10);
}

/**
 * Replay the task's series at each of their sensitivities and count the episodes. Yields to the event
 * loop every YIELD_EVERY points and stops (throwing the signal's reason) when `signal` aborts.
 */
export async function runPreview(
  task: PreviewTask,
  streamAt: StreamAt,
  signal?: AbortSignal,
): Promise<PreviewResponse> {
  const { series, candidates } = task;
  let sinceYield = 0;
  const replay = async (s: PreviewSeriesTask, sensitivity: number): Promise<Outcome> => {
    const { timestamps, values, held } = s;
    const stream = streamAt(sensitivity, s.offset);
    let scored = 0;
    let firstScored = Infinity;
    for (let i = 0; i < timestamps.length; i++) {
      const t = timestamps[i];
      const point =
        held.length > 0 && within(held, t)
          ? stream.push(t, values[i], { hold: true })
          : stream.push(t, values[i]);
      if (point && point.state !== 'learning' && point.state !== 'no_data') {
        scored++;
        if (firstScored === Infinity) firstScored = t;
      }
      if (++sinceYield >= YIELD_EVERY) {
        sinceYield = 0;
        await yieldToEventLoop();
        signal?.throwIfAborted();
      }
    }
    // An episode starting inside a window is no alert (as live); the held intervals span every point.
    const episodes = stream.episodes().filter((e) => !within(held, e.start)).length;
    return { episodes, scored, firstScored };
  };

  const perSeries: PreviewResponse['perSeries'] = [];
  const totals = candidates.map(() => ({ episodes: 0, alerting: 0 }));
  let current = 0;
  let live = 0;
  let days = 0;
  let points = 0;
  let from: number | null = null;
  let to: number | null = null;
  for (const s of series) {
    signal?.throwIfAborted();
    const outcomes = new Map<number, Outcome>();
    for (const sensitivity of s.runs) outcomes.set(sensitivity, await replay(s, sensitivity));
    const now = outcomes.get(s.current)!;
    // Learning does not depend on the sensitivity, so every run scored the same points.
    const seriesDays = (now.scored * task.stepMs) / DAY_MS;
    days = Math.max(days, seriesDays);
    points += s.timestamps.length;
    if (s.timestamps.length > 0) {
      from = Math.min(from ?? Infinity, s.timestamps[0]);
      to = Math.max(to ?? -Infinity, s.timestamps.at(-1)!);
    }
    current += now.episodes;
    // Over the same points: the replay learns on the first retained points, where the live stream,
    // which had learnt from older ones, could already flag; those are not compared.
    const liveEpisodes = s.liveStarts.filter((start) => start >= now.firstScored).length;
    live += liveEpisodes;
    candidates.forEach((c, k) => {
      const episodes = outcomes.get(c)!.episodes;
      totals[k].episodes += episodes;
      if (episodes > 0) totals[k].alerting++;
    });
    perSeries.push({
      labels: s.labels,
      sensitivity: s.current,
      days: seriesDays,
      candidates: candidates.map((c) => figure(outcomes.get(c)!.episodes, seriesDays)),
      current: figure(now.episodes, seriesDays),
      live: figure(liveEpisodes, seriesDays),
    });
  }
  const now = figure(current, days);
  return {
    job: task.job,
    series: series.length,
    days,
    points,
    from,
    to,
    candidates: candidates.map((sensitivity, k) => {
      const f = figure(totals[k].episodes, days);
      return {
        sensitivity,
        ...f,
        seriesAlerting: totals[k].alerting,
        summary: `at ${sensitivity}: ≈${approx(f.episodesPerDay)} alerts/day over ${series.length} series; now ${approx(now.episodesPerDay)}`,
      };
    }),
    current: now,
    live: figure(live, days),
    perSeries,
  };
}

/** The whole preview on this thread, with the job's own stream factory (ScoringJob.freshStream). */
export async function previewJob(
  job: ScoringJob,
  options: PreviewOptions & { signal?: AbortSignal },
): Promise<PreviewResponse> {
  return runPreview(previewTask(job, options), (s, offset) => job.freshStream(s, offset), options.signal);
}
