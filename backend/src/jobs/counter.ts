/**
 * Counters in continuous jobs. The engine's stream converts counter readings to per-second rates (the
 * same rule as batch cleaning, series/counter.ts) when told the series is a counter; a job decides
 * "auto" once, from the history it fetches first.
 */
import type { ScoreOptions } from '../contract/score.js';
import { looksLikeCounter } from '../series/clean.js';

/**
 * Whether a series is a counter: as configured, or for "auto" (the default) judged once from the
 * first batch of points the job sees (the backfill, normally thousands of points; fewer than about 10
 * are never judged a counter).
 */
export function isCounter(option: ScoreOptions['counter'], firstValues: readonly (number | null)[]): boolean {
  if (option === true || option === false) return option;
  return looksLikeCounter(firstValues.map((v) => (v === null ? NaN : v)));
}
