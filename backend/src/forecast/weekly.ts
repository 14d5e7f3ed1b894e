/**
 * A weekly season on top of a daily forecast: traffic's weekends (and its Mondays) differ from its
 * weekdays by a factor, which a profile of the last few days carries into the next day wrongly (a
 * Saturday forecast from Tuesday–Friday). From three weeks of daily history on, each day of the week gets a
 * factor: its 24 hours' mean over the week's, median over the last weeks; the history is divided by the
 * factors (interpolated between the days' middles, so no day's edge is a step), the daily method forecasts
 * that, and the path is multiplied back. Days are counted back from the last point, so the weeks need not
 * begin on a calendar day: the factors are of "the day 6 days before the last one", etc.
 *
 * Written here rather than taken from augurs: MSTL's weekly season is additive and needs the full week's
 * phases (2,016 at 5 minutes) fitted, and the bench measured it slower and less accurate a day ahead
 * (README, "Forecasting").
 *
 * Measured (`bench --only-forecast`, mean / median MASE): a day ahead NAB realKnownCause 1.54 / 1.02 →
 * 1.48 / 0.97, all series 1.23 → 1.22 (medians equal); a week ahead realKnownCause 1.96 → 1.74, all 1.39 →
 * 1.32; realTraffic and the simulator (under three weeks of history) unchanged. From two weeks: a day ahead
 * all 1.15 but the simulator's median 0.75 → 0.90 (a median of two weeks is their mean: one odd week
 * moves it).
 */

import { medianInPlace } from '../stats/median.js';

const DAYS = 7;
/** Weeks the factors are read over (the most recent), and the fewest they are read from (a median's three). */
const MAX_WEEKS = 4;
const MIN_WEEKS = 3;
/** Below this spread of the factors (max / min − 1) the week is flat: no factors (the path unchanged). */
const MIN_EFFECT = 0.03;

/**
 * One factor per point of a week, counted back from the last point (index 0: the last point, 1: the one
 * before, …, 7 × day − 1), or null: fewer than MIN_WEEKS weeks, a non-positive value, or a flat week.
 */
export function weeklyFactors(y: Float64Array, day: number): Float64Array | null {
  const n = y.length;
  const weeks = Math.min(MAX_WEEKS, Math.floor(n / (DAYS * day)));
  if (weeks < MIN_WEEKS || day < 2) return null;
  for (let i = n - weeks * DAYS * day; i < n; i++) if (!(y[i] > 0)) return null;
  // Each week's mean (week w back from the end), once.
  const weekMeans = Array.from({ length: weeks }, (_, w) => {
    const weekEnd = n - w * DAYS * day;
    let sum = 0;
    for (let i = weekEnd - DAYS * day; i < weekEnd; i++) sum += y[i];
    return sum / (DAYS * day);
  });
  // Day s (back from the end): the median over the weeks of its mean ÷ its week's mean.
  const perDay = new Float64Array(DAYS);
  const ratios = new Float64Array(weeks);
  for (let s = 0; s < DAYS; s++) {
    for (let w = 0; w < weeks; w++) {
      const weekEnd = n - w * DAYS * day;
      let daySum = 0;
      for (let i = weekEnd - (s + 1) * day; i < weekEnd - s * day; i++) daySum += y[i];
      ratios[w] = daySum / day / weekMeans[w];
    }
    perDay[s] = medianInPlace(ratios);
  }
  let lo = Infinity;
  let hi = -Infinity;
  for (const f of perDay) {
    lo = Math.min(lo, f);
    hi = Math.max(hi, f);
  }
  if (!(hi / lo - 1 >= MIN_EFFECT)) return null;
  // Per point, interpolated between the days' middles (circularly over the week).
  const out = new Float64Array(DAYS * day);
  for (let k = 0; k < DAYS * day; k++) {
    // Position in days back from the end, measured from the last point's day's middle.
    const pos = (k + 0.5) / day - 0.5;
    const a = Math.floor(pos);
    const t = pos - a;
    const fa = perDay[((a % DAYS) + DAYS) % DAYS];
    const fb = perDay[(((a + 1) % DAYS) + DAYS) % DAYS];
    out[k] = fa + (fb - fa) * t;
  }
  return out;
}

/** The factor of point `i` of a history of `n` points (i ≥ n: `i − n + 1` steps past the last point). */
export function factorAt(factors: Float64Array, n: number, i: number): number {
  const len = factors.length;
  const back = n - 1 - i;
  return factors[((back % len) + len) % len];
}
