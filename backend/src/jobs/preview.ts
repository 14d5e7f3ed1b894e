/**
 * The alert-volume preview: how many alerts (anomaly episodes) a job's series would have raised over
 * their retained history at each candidate sensitivity, to compare with now before changing it.
 *
 * Causal and on the live path: every series' retained points are pushed, in order, into a fresh stream
 * of the job's own factory (ScoringJob.freshStream: the engine's createStream with the job's
 * parameters), points inside a maintenance window held as the live stream held them, and an episode
 * starting inside a window is not counted, as it is not announced live. Only the sensitivity differs.
 *
 * Bounded: the replay's size (series × points × distinct sensitivities) is checked before anything runs
 * (PreviewTooLarge), it yields to the event loop every few thousand points so health checks and scrapes
 * are answered meanwhile, and it stops when its signal aborts (the client went away).
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { LabelMatcher, Labels } from '../contract/labels.js';
import type { Sensitivity } from '../contract/sensitivity.js';
import type { PreviewFigure, PreviewResponse } from '../contract/settings.js';
import { JOB_NEURAL_DETECTORS } from './config.js';
import type { ScoringJob } from './job.js';
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
  signal?: AbortSignal;
}

interface SeriesReplay {
  labels: Labels;
  timestamps: number[];
  values: (number | null)[];
  current: Sensitivity;
  /** Starts of the episodes the live stream flagged (suppressed ones excluded). */
  live: number[];
  /** Distinct sensitivities to replay it at. */
  runs: Sensitivity[];
}

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

export async function previewJob(job: ScoringJob, options: PreviewOptions): Promise<PreviewResponse> {
  const { spec } = job;
  if ((JOB_NEURAL_DETECTORS as readonly string[]).includes(spec.detector)) {
    throw new PreviewUnsupported(
      `job ${spec.name} scores with a trained ${spec.detector} model per series; the preview replays the statistical detectors only`,
    );
  }
  const candidates = options.sensitivities;
  const series: SeriesReplay[] = job.results(-Infinity, Infinity, options.matchers ?? []).map((s) => {
    const current = job.sensitivityFor(s.labels).sensitivity;
    return {
      labels: s.labels,
      timestamps: s.timestamps,
      values: s.values,
      current,
      live: s.episodes.map((e) => e.start),
      runs: [...new Set([...candidates, current])],
    };
  });
  const total = series.reduce((n, s) => n + s.timestamps.length * s.runs.length, 0);
  if (total > options.maxPoints) throw new PreviewTooLarge(total, options.maxPoints);

  let sinceYield = 0;
  const replay = async (s: SeriesReplay, sensitivity: Sensitivity): Promise<Outcome> => {
    const { timestamps, values, labels } = s;
    const held = timestamps.length ? job.heldIntervals(labels, timestamps[0], timestamps.at(-1)!) : [];
    const stream = job.freshStream(sensitivity);
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
        options.signal?.throwIfAborted();
      }
    }
    const episodes = stream.episodes().filter((e) => !job.suppressedAt(labels, e.start)).length;
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
    options.signal?.throwIfAborted();
    const outcomes = new Map<number, Outcome>();
    for (const sensitivity of s.runs) outcomes.set(sensitivity, await replay(s, sensitivity));
    const now = outcomes.get(s.current)!;
    // Learning does not depend on the sensitivity, so every run scored the same points.
    const seriesDays = (now.scored * spec.stepMs) / DAY_MS;
    days = Math.max(days, seriesDays);
    points += s.timestamps.length;
    if (s.timestamps.length > 0) {
      from = Math.min(from ?? Infinity, s.timestamps[0]);
      to = Math.max(to ?? -Infinity, s.timestamps.at(-1)!);
    }
    current += now.episodes;
    // Over the same points: the replay learns on the first retained points, where the live stream,
    // which had learnt from older ones, could already flag; those are not compared.
    const liveEpisodes = s.live.filter((start) => start >= now.firstScored).length;
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
    job: spec.name,
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
