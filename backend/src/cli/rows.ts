/**
 * `trafficlens score` output rows. The engine scores a regular grid (series/clean.ts: the series'
 * median step, anchored on its first sample, one slot per step, empty slots where the input has gaps);
 * a user joins the output back to their own rows. So by default the grid is mapped back onto the
 * input: one output row per input row, in the input's order, at the input's own timestamp, carrying
 * the result of the grid slot that row fell into. `--grid` keeps the grid rows as scored.
 *
 * Kept here, in the CLI, on purpose: the engine's answer (the score contract, the same as the API's)
 * is unchanged; only what the command prints is mapped.
 */
import type { Episode, SeriesScore, SeriesState } from '../contract/score.js';

/**
 * The grid slot of each timestamp: the nearest grid point, the later one on a tie (the cleaner puts a
 * sample in slot round((t − t0) / step), so this is the slot the sample was averaged into).
 */
export function slotsOf(grid: readonly number[], timestamps: readonly number[]): number[] {
  return timestamps.map((t) => {
    if (grid.length === 0) return -1;
    let lo = 0;
    let hi = grid.length - 1;
    // The last grid point not after t.
    if (t < grid[0]) return 0;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (grid[mid] <= t) lo = mid;
      else hi = mid - 1;
    }
    if (lo + 1 < grid.length && grid[lo + 1] - t <= t - grid[lo]) return lo + 1;
    return lo;
  });
}

/**
 * The state of each grid point. A series that is `learning` or `no_data` as a whole is so on every
 * row. Otherwise: scored causally, a point is `learning` until `model.learningPoints` values have
 * been seen (the rows before that score 0), and `no_data` before the first value; scored as a batch,
 * the learning prefix is backfilled from the data after it, so every point is `ok`.
 */
export function gridStates(result: SeriesScore): SeriesState[] {
  const n = result.timestamps.length;
  if (result.state !== 'ok' || !result.model.causal) return new Array<SeriesState>(n).fill(result.state);
  const states: SeriesState[] = [];
  let seen = 0;
  for (let i = 0; i < n; i++) {
    const missing = result.values[i] === null;
    if (missing) states.push(seen === 0 ? 'no_data' : seen < result.model.learningPoints ? 'learning' : 'ok');
    else states.push(seen < result.model.learningPoints ? 'learning' : 'ok');
    if (!missing) seen++;
  }
  return states;
}

/** A scored series with a state per row: the grid as scored, or mapped onto the input's rows. */
export interface ScoredRows extends SeriesScore {
  states: SeriesState[];
}

export function gridRows(result: SeriesScore): ScoredRows {
  return { ...result, states: gridStates(result) };
}

/**
 * One row per input row, at the input's timestamps: each row takes its grid slot's value (the
 * input's own value, unless several rows fell into one slot, which are averaged, or the series is a
 * counter, scored as its per-second rate), score, band, flag and state. Episodes keep their grid
 * slots but are stamped with the input's timestamps: from the first to the last input row inside
 * them, the peak at the first input row of the peak's slot.
 */
export function inputRows(result: SeriesScore, timestamps: readonly number[]): ScoredRows {
  const slots = slotsOf(result.timestamps, timestamps);
  const states = gridStates(result);
  const pick = <T>(column: readonly T[]): T[] => slots.map((k) => column[k]);
  return {
    ...result,
    timestamps: [...timestamps],
    values: pick(result.values),
    score: pick(result.score),
    expected: pick(result.expected),
    lower: pick(result.lower),
    upper: pick(result.upper),
    anomaly: pick(result.anomaly),
    direction: pick(result.direction),
    states: pick(states),
    episodes: result.episodes.map((e) => restamp(e, result.timestamps, slots, timestamps)),
  };
}

function restamp(
  episode: Episode,
  grid: readonly number[],
  slots: readonly number[],
  timestamps: readonly number[],
): Episode {
  const [first, last, peak] = slotsOf(grid, [episode.start, episode.end, episode.peakTime]);
  let start = Infinity;
  let end = -Infinity;
  let peakTime = Infinity;
  slots.forEach((k, i) => {
    const t = timestamps[i];
    if (k >= first && k <= last) {
      start = Math.min(start, t);
      end = Math.max(end, t);
    }
    if (k === peak) peakTime = Math.min(peakTime, t);
  });
  // An episode holds scored points, so it holds input rows; keep the grid's times if it ever does not.
  if (start === Infinity) return episode;
  return { ...episode, start, end, peakTime: peakTime === Infinity ? episode.peakTime : peakTime };
}
