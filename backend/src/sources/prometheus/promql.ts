/**
 * Scoring a PromQL expression, as pure steps around the two I/O calls (Prometheus, the executor):
 * how much history to fetch before the range, the ScoreRequest for what came back, and cutting each
 * scored series back to the range that was asked for.
 */
import type { QueryRequest } from '../../contract/query.js';
import { WEEK_SEEN_AFTER_MS, type ScoreRequest, type SeriesScore } from '../../contract/score.js';
import type { SourceSeries } from '../source.js';

/**
 * History fetched before `start`: WEEK_SEEN_AFTER_MS (9¼ days: every time of the week seen), and at least
 * 500 steps (past every rolling window and the learning period at coarse steps), at most 20,000 steps (two
 * query_range requests; ~0.2 s of scoring per series). With three days (until 2026-12), a 7-day
 * dashboard's series began on a Friday and a 4-hour 40 % drop on its Tuesday went unflagged at 5, 10 and
 * 15 minutes a step (covered 0.00–0.06 on six seeds); with 9¼ days, 1.00 / 0.58–1.00 / 0.56–1.00
 * (queryHistory.test.ts, docs/service.md). The cost: at a 1-minute step 13,320 points of history instead
 * of 4,320.
 */
export const QUERY_HISTORY = { minMs: WEEK_SEEN_AFTER_MS, minSteps: 500, maxSteps: 20_000 } as const;

export function historyStart(start: number, stepMs: number): number {
  const steps = Math.min(
    QUERY_HISTORY.maxSteps,
    Math.max(QUERY_HISTORY.minSteps, Math.ceil(QUERY_HISTORY.minMs / stepMs)),
  );
  return start - steps * stepMs;
}

/** Points on the evaluation grid of [start, end]. */
export function gridPoints(start: number, end: number, stepMs: number): number {
  return Math.floor((end - start) / stepMs) + 1;
}

export function scoreRequestFor(query: QueryRequest, fetched: SourceSeries[]): ScoreRequest {
  return {
    series: fetched.map((s) => ({
      labels: s.labels,
      timestamps: s.timestamps,
      values: s.values,
      ...(query.unit !== undefined ? { unit: query.unit } : {}),
    })),
    ...(query.detector !== undefined ? { detector: query.detector } : {}),
    ...(query.sensitivity !== undefined ? { sensitivity: query.sensitivity } : {}),
    ...(query.options !== undefined ? { options: query.options } : {}),
  };
}

/** The points with from <= timestamp <= to, and the episodes overlapping them; the rest unchanged. */
export function sliceScore(score: SeriesScore, from: number, to: number): SeriesScore {
  const ts = score.timestamps;
  let lo = 0;
  while (lo < ts.length && ts[lo] < from) lo++;
  let hi = lo;
  while (hi < ts.length && ts[hi] <= to) hi++;
  const cut = <T>(a: T[]) => a.slice(lo, hi);
  return {
    ...score,
    timestamps: cut(score.timestamps),
    values: cut(score.values),
    score: cut(score.score),
    expected: cut(score.expected),
    lower: cut(score.lower),
    upper: cut(score.upper),
    anomaly: cut(score.anomaly),
    direction: cut(score.direction),
    episodes: score.episodes.filter((e) => e.start <= to && (e.open || e.end >= from)),
  };
}
