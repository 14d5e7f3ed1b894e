/**
 * A run's range is fetched in pieces of time, so a backfill holds one piece of every series' history
 * at a time instead of the whole fit window: at 200,000 series the default window of 2 days at 1 minute
 * is 576 million points, ~9.2 GB as the source's arrays, beside the streams' own ~15 GB.
 */

/** Points (series × steps) a piece aims at: ~80 MB as the source's arrays, more as Prometheus' JSON. */
export const PIECE_POINTS = 5_000_000;
/**
 * Fewest steps a piece has whatever the series count (6 hours at 1 minute): a series' first piece is
 * what a job judges "counter or not" from (jobs/counter.ts), and over fewer points a smooth gauge's
 * morning climb can look like a counter; fewer steps would also multiply the fetches' fixed costs.
 * At 200,000 series a piece is then 72 million points (~1.2 GB), an eighth of a 2-day window.
 */
export const MIN_PIECE_STEPS = 360;

/** Steps of a piece for about `series` series: `points` / series, at least MIN_PIECE_STEPS. */
export function pieceSteps(series: number, points = PIECE_POINTS): number {
  return Math.max(MIN_PIECE_STEPS, Math.floor(points / Math.max(1, series)));
}

/**
 * The inclusive end of the piece that starts at `from` (the next one starts 1 ms after it), for a
 * source returning about `series` series: pieceSteps steps of the step grid, at most up to `end`.
 */
export function pieceEnd(
  from: number,
  end: number,
  stepMs: number,
  series: number,
  points = PIECE_POINTS,
): number {
  const steps = pieceSteps(series, points);
  const firstOnGrid = Math.ceil(from / stepMs) * stepMs;
  return Math.min(end, firstOnGrid + (steps - 1) * stepMs);
}
