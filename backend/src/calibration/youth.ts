/**
 * A young series' shown band, widened to the width its calibration ranges reach once they are grown.
 *
 * A calibration range is a decaying maximum of a component's |z| (calibrator.ts): grown, it is the largest
 * |z| of about RANGE_MEMORY points (the ranges' half-life ÷ ln 2). A series scored for n points fewer than
 * that has ranges that are the maximum of n points only, and the maximum of n light-tailed deviations
 * grows like √(2 ln n). So a young series' band is about √(ln n / ln N) of the width it will have, and its
 * normal points cross it more often than the sensitivity's target rate says: the first morning of a
 * 5-minute series, whose ranges had seen one night, paged on 7 of seeds 1–8 (scenario suite,
 * `clean_gaussian_5m`; youth.test.ts). The shown band is widened by √(ln N / ln n) until the series
 * has N points.
 *
 * N is the ranges' memory, but at most a week of points at the rate the series has come at: a week is the
 * longest cycle traffic repeats, so by then the ranges have seen every hour of it, and an hourly series is
 * not held back for four months (with the memory alone, `drop_40pct_hourly` was flagged 1.25 points later
 * on the README seeds, and its coverage fell 0.667 → 0.583).
 *
 * Display only, as the score tail is (tail.ts): everything a series learns reads the learning-scale score,
 * so what it learns, and NAB, which reads that score, do not change.
 */
import { DEFAULT_CALIBRATION } from './calibrator.js';

/** Points a grown range is the maximum of: the default half-life ÷ ln 2 (~2,885 points). */
export const RANGE_MEMORY = DEFAULT_CALIBRATION.halfLife / Math.LN2;

/** The factor is capped at its value for this many points (learning lasts longer in `auto`: 100). */
export const YOUTH_MIN_POINTS = 20;

const WEEK_MS = 7 * 86_400_000;

/**
 * The factor on the shown band's half-widths of a series that has `points` valid points over `spanMs`
 * (from its first point to this one; a backward pass's span counts as its length): ≥ 1, and 1 once the
 * series has the points of its ranges' memory or of a week.
 */
export function youthFactor(points: number, spanMs: number): number {
  // A grown series (every continuous job's after its first days) is answered without the division.
  if (points >= RANGE_MEMORY) return 1;
  const perWeek = spanMs > 0 ? (points * WEEK_MS) / spanMs : Infinity;
  const horizon = Math.min(RANGE_MEMORY, perWeek);
  if (!(points < horizon)) return 1;
  return Math.sqrt(Math.log(horizon) / Math.log(Math.max(points, YOUTH_MIN_POINTS)));
}
