/**
 * The band and the flag, from one computation: a point is anomalous exactly when its value lies outside
 * the band [lower, upper] that is shown for it, and its direction is the side of `expected` it is on.
 *
 * The band starts as the primary level component's normal range, expected ± boundary · scale (the first
 * component that provides a band: the seasonal profile, or the rolling median before a period is known).
 * Every other component can only narrow it:
 * - an affine component (z = (x − centre) / scale: another level, the rate of change) by its own normal
 *   interval, centre ± boundary · scale;
 * - an evidence component (level-shift tests, shape distances: their z is not a distance of x) by its
 *   score on its own side: evidence of s ≥ 1 that the level moved up divides the upper half-width by s,
 *   so an established shift flags points that are themselves shifted, not points back at expected.
 * No half-width falls below MIN_HALF_WIDTH of the primary one: a point that close to expected is never
 * anomalous, whatever the other components say.
 *
 * The band is built at the learning scale and its half-widths are then multiplied by the sensitivity's
 * `widen`. The score is the value's distance from expected in units of the half-width on its side, so
 * score 1 is the band's edge. The edges belong to the band (normal); anomaly = value < lower or value > upper.
 */
import { MASK_BITS, type Component, type Deviation } from '../detectors/detector.js';

/**
 * Smallest half-width of the band, as a fraction of the primary component's half-width. Chosen on NAB
 * with a split-half check: 0.1 against 0.3, standard 61.35 vs 60.13 (half A), 67.89 vs 66.37 (half B).
 */
export const MIN_HALF_WIDTH = 0.1;

/**
 * Inside an open incident, a test whose score is no measure of where the level is (a CUSUM,
 * Component.narrowsToShift) narrows the band on its side to this fraction of its shift estimate at the
 * least; outside one to half of it. An established shift's points are read against the moved level: by
 * half the estimate a point of a 3σ shift that fell 1.5σ below the moved level was normal, and three such
 * in a row closed the incident. Scenario suite (seeds 1–8 / the README seeds / 101–108 / 9–16), covered:
 * `shift_3sigma` 0.850 / 0.854 / 0.858 / 0.865 → 0.909 / 0.933 / 0.924 / 0.929, `shift_4sigma` 0.932 /
 * 0.918 / 0.916 / 0.908 → 0.970 / 0.976 / 0.970 / 0.972, `kpi_shift_3sigma` 0.874 / 0.893 / 0.874 / 0.885
 * → 0.942 / 0.953 / 0.948 / 0.956; every false-episode row as before, NAB identical on every profile and
 * both halves; the 30 points after a shift ends are flagged a little more often (the suite's "after end",
 * seeds 1–8: 0.063 → 0.083 at 3σ, 0.042 → 0.054 at 4σ). A fraction of 0.15: 3σ covered 0.919; 0.35:
 * 0.888 (docs/detection-quality.md).
 */
export const INCIDENT_SHIFT_FLOOR = 0.25;

/**
 * Points of a sequential test's run (Deviation.runPoints) after which, inside an open incident, it narrows
 * the band to INCIDENT_SHIFT_FLOOR of its shift estimate whatever its score. Its sums are capped
 * (components/cusum.ts, CAP), so its score is too, and where the primary's range is wide (a seasonal
 * series' evening fall, whose phase errors the range has learnt: ±8 noise scales) h / s held the edge at
 * about half the shift: a 3σ shift's points a noise scale below the moved level were normal, and three
 * in a row closed the incident. An hour's run at a 1-minute step is an established shift, not a burst's
 * first points. Scenario suite, covered (seeds 1–8 / the README seeds / 101–108): `shift_3sigma_evening`
 * 0.594 / 0.557 / 0.633 → 0.627 / 0.584 / 0.660, `shift_3sigma_afternoon` 0.777 / 0.732 / 0.657 → 0.786 /
 * 0.754 / 0.690, `shift_2sigma` 0.416 / 0.473 / 0.419 → 0.428 / 0.483 / 0.461, `kpi_shift_2sigma` 0.407 /
 * 0.541 / 0.499 → 0.424 / 0.580 / 0.525; false episodes a day unchanged on every row but
 * `clean_from_saturday` on the README seeds (0.182 → 0.191); NAB identical on every profile and both
 * halves. The cost: the 30 points after a shift's end flagged a little more often (seeds 1–8, `shift_3sigma`
 * 0.125 → 0.133). From 30 points: NAB half B low FP 64.56 → 64.36; from the first point: +0.01–0.03 false
 * episodes a day on most rows (docs/detection-quality.md).
 */
export const ESTABLISHED_RUN = 60;

/**
 * Where the primary is a median (it does not anticipate the series: a flat KPI, or a series before its
 * period is known), a sequential test's run of this many points narrows the band to half its shift
 * estimate even outside an incident. Such a median absorbs a shift within half its window (50 points of
 * the fallback's 100), so a 2σ shift that no single point carried past h / s (capped sums: s stays under
 * ~2) was never flagged and became the median's level: the test's evidence has to open the incident
 * before then. Not where a seasonal profile is the primary, which does not absorb a shift: there it paged
 * on the clock rows (`clock_later_1h` 0.125 → 0.251 false episodes a day, seeds 1–8, at 10 points).
 * Scenario suite (seeds 1–8 / the README seeds / 101–108 / 9–16): `kpi_shift_2sigma` detected 0.875 /
 * 0.8 / 1 / 1 → 1 on every set, covered 0.653 / 0.683 / 0.627 / 0.843 → 0.797 / 0.687 / 0.708 / 0.843;
 * `kpi_level_up_2sigma_lasting` the same, its false episodes a day 0.036 / 0.048 / 0.060 / 0.119 → 0.060 /
 * 0.057 / 0.072 / 0.131; every other row identical but band/twin (within 0.01). NAB standard / low FP /
 * low FN 73.68 / 64.28 / 79.00 → 74.43 / 64.99 / 79.80 (half A 73.07 → 74.51, half B identical at 74.45).
 * At 10 and 15 points half B fell (74.25 at both); at 30 half A gained as at 20, but the suite covered less
 * (`kpi_shift_2sigma` 0.797 → 0.735, seeds 1–8; docs/detection-quality.md).
 */
export const FLAT_ESTABLISHED_RUN = 20;

/**
 * Inside an open incident, a spread test (Component.spread) narrows both sides of the band to this fraction
 * of the primary's half-width at the least. Scenario suite (seeds 1–8), `variance_burst` covered 0.365 at
 * 0.5 against 0.398 at 0.4, which flagged more of the 30 points after the burst (0.013 → 0.021); NAB
 * identical at both.
 */
export const SPREAD_FLOOR = 0.5;

/** Largest double below 1: a score for a value exactly on the band's edge. */
const BELOW_ONE = 1 - Number.EPSILON / 2;

export interface BandInput {
  x: number;
  components: readonly Component[];
  deviations: readonly Deviation[];
  /** Band-only deviation (a detector whose scored components are not levels), or null. */
  bandDeviation: Deviation | null;
  /** The calibrator's boundary (|z| at score 1) and score of each component for this point. */
  boundary: ArrayLike<number>;
  componentScores: ArrayLike<number>;
  /** |z| at score 1 for the band-only deviation. */
  bandBoundary: number;
  /** Which sides may be anomalous (the request's `direction` option). */
  direction: 'both' | 'up' | 'down';
  /** Whether the point follows an open incident (the learning gate's, at the previous point). */
  inIncident?: boolean;
  /** Clamp the band at 0 (no negative value seen yet). */
  clampAtZero: boolean;
  /**
   * The sensitivity's factor on the band's half-widths (multiplierFor(sensitivity) / LEARNING_MULTIPLIER):
   * the band is built at the learning scale, then widened, so the score is the learning-scale score ÷ widen.
   */
  widen: number;
  /**
   * Bit c: component c provides a band / is affine (componentMask; both fixed per component), for a
   * caller that scores many points with the same components: reading the properties at every point was a
   * lookup across the component classes. Absent: read from the components.
   */
  bandMask?: number;
  affineMask?: number;
}

export interface BandResult {
  expected: number;
  /** -Infinity / Infinity when that side cannot be anomalous (direction option). */
  lower: number;
  upper: number;
  score: number;
  anomaly: boolean;
  /** Component that set the edge on the value's side (-1: the band-only deviation). */
  driver: number;
  /** The primary component the band starts from (-1: the band-only deviation). */
  primary: number;
}

/** A BandResult to fill (bandAndScore writes into it, to keep the per-point path allocation-free). */
export function emptyBandResult(): BandResult {
  return { expected: NaN, lower: NaN, upper: NaN, score: 0, anomaly: false, driver: -1, primary: -1 };
}

/** The band and score of one point; null when no component has a level to draw a band around. */
export function bandAndScore(input: BandInput, out: BandResult): BandResult | null {
  const { x, components, deviations: devs, boundary, componentScores } = input;
  let primary = -1;
  let e = NaN;
  let h = NaN;
  const bd = input.bandDeviation;
  if (bd && !Number.isNaN(bd.expected) && bd.scale > 0) {
    e = bd.expected;
    h = input.bandBoundary * bd.scale;
  } else {
    const bandMask = input.bandMask;
    for (let i = 0; i < components.length; i++) {
      const d = devs[i];
      const band =
        bandMask !== undefined && i < MASK_BITS ? ((bandMask >> i) & 1) === 1 : components[i].providesBand;
      if (band && !Number.isNaN(d.expected) && d.scale > 0) {
        primary = i;
        e = d.expected;
        h = boundary[i] * d.scale;
        break;
      }
    }
  }
  if (Number.isNaN(e) || !(h > 0)) return null;

  let up = h;
  let down = h;
  let driverUp = primary;
  let driverDown = primary;
  const anticipates = primary >= 0 && components[primary].anticipates === true;
  if (!Number.isNaN(x)) {
    const affineMask = input.affineMask;
    for (let c = 0; c < components.length; c++) {
      const d = devs[c];
      if (c === primary || Number.isNaN(d.z) || !(d.scale > 0)) continue;
      const affine =
        affineMask !== undefined && c < MASK_BITS ? ((affineMask >> c) & 1) === 1 : components[c].affine;
      if (affine) {
        const centre = x - d.z * d.scale;
        const half = boundary[c] * d.scale;
        // When the primary anticipates changes (a seasonal profile that has learnt, e.g., a daily spike),
        // a component whose centre lags behind its expected value (below it, for the upper side) sees the
        // anticipated change as a jump: it narrows that side by its own half-width around expected, not by
        // its edge. Its edge was used before, and was skipped once below expected: an edge just above
        // expected narrowed the band to almost nothing, one just below not at all (a learnt daily spike
        // scored 7.7 on a day it was 10 % above the profile). Clean series' false episodes a day (README
        // seeds): Gaussian 0.10 → 0.04, weekly 0.24 → 0.14, counter resets 0.10 → 0.04; repeated bursts'
        // last/first 0.79 → 0.84; recurrences flagged 5.2 → 4.4 of 11; the cost: the 4σ shift covered
        // 0.456 → 0.322 and NAB half B 71.70 → 71.50 (A 67.99 → 68.30; docs/detection-quality.md).
        const u = anticipates && centre < e ? half : centre + half - e;
        const l = anticipates && centre > e ? half : e - (centre - half);
        if (u < up) {
          up = u;
          driverUp = c;
        }
        if (l < down) {
          down = l;
          driverDown = c;
        }
      } else if (!(anticipates && anticipated(d, e))) {
        const s = componentScores[c];
        // The side the evidence narrows: 1 above, -1 below, 0 both.
        let sign: number;
        let narrowed: number;
        if (components[c].spread === true) {
          // Evidence that the noise grew: both sides, and only inside an open incident (outside one it
          // flagged the noisy hours of square-wave and taxi series on NAB: standard 73.44 → 73.03).
          if (!(s > 1) || !input.inIncident) continue;
          sign = 0;
          narrowed = Math.max(h / s, SPREAD_FLOOR * h);
        } else if (s > 1) {
          // Inside an open incident, a test that estimates how far the level moved (the residual
          // level-shift test, Deviation.shift) also flags points nearer the moved level than the old one:
          // by h / s alone a 4σ shift's own points, ~0.8 of the primary's half-width from expected, were
          // flagged only while the test stayed above 1.25, and its incident closed within minutes (README,
          // "Detection quality").
          sign = Math.sign(d.z);
          const half = d.shift !== undefined && d.shift * d.z > 0 ? Math.abs(d.shift) / 2 : NaN;
          // A test whose score is no measure of where the level is (a CUSUM, Component.narrowsToShift)
          // narrows by its score, but never past half its estimate, or INCIDENT_SHIFT_FLOOR of it inside an
          // open incident; there, once its run is ESTABLISHED_RUN points long, to that fraction whatever
          // its score (capped with its sums, h / s stays wide where the primary's range is); outside one,
          // against a median, to half its estimate once its run is FLAT_ESTABLISHED_RUN points long.
          if (components[c].narrowsToShift === true) {
            const floor = input.inIncident ? 2 * INCIDENT_SHIFT_FLOOR * half : half;
            const run = d.runPoints ?? 0;
            const established = input.inIncident
              ? run >= ESTABLISHED_RUN
              : !anticipates && run >= FLAT_ESTABLISHED_RUN;
            narrowed = Number.isNaN(half) ? h / s : established ? floor : Math.max(h / s, floor);
          } else narrowed = Math.min(h / s, input.inIncident && !Number.isNaN(half) ? half : Infinity);
        } else if (
          input.inIncident &&
          d.observedShift !== undefined &&
          d.observedZ !== undefined &&
          Math.abs(d.observedZ) > boundary[c]
        ) {
          // The test's own score reads the incident's flagged points as expected values and falls within
          // ~20 of them; what it observed still says where the level is, while that alone scores above 1.
          sign = Math.sign(d.observedShift);
          narrowed = Math.abs(d.observedShift) / 2;
        } else continue;
        if (sign >= 0 && narrowed < up) {
          up = narrowed;
          driverUp = c;
        }
        if (sign <= 0 && narrowed < down) {
          down = narrowed;
          driverDown = c;
        }
      }
    }
  }
  const floor = MIN_HALF_WIDTH * h;
  if (up < floor) up = floor;
  if (down < floor) down = floor;
  up *= input.widen;
  down *= input.widen;
  if (input.direction === 'down') up = Infinity;
  if (input.direction === 'up') down = Infinity;

  let lower = e - down;
  let upper = e + up;
  let expected = e;
  if (input.clampAtZero) {
    expected = Math.max(0, expected);
    lower = Math.max(0, lower);
    upper = Math.max(0, upper);
  }
  out.expected = expected;
  out.lower = lower;
  out.upper = upper;
  out.driver = x >= e ? driverUp : driverDown;
  out.primary = primary;
  if (Number.isNaN(x)) {
    out.score = 0;
    out.anomaly = false;
    return out;
  }
  // Values near ±1.8e308 overflow their distance from expected: the score stays a finite number (the
  // contract's JSON has no Infinity), and a side that cannot be anomalous (an infinite half-width) scores 0.
  const distance = x >= e ? (x - e) / up : (e - x) / down;
  const raw = Number.isNaN(distance) ? 0 : Math.min(distance, Number.MAX_VALUE);
  out.anomaly = x > upper || x < lower;
  // The comparison with the shown band decides; the score only follows it where rounding disagrees.
  out.score = out.anomaly ? Math.max(1, raw) : Math.min(raw, BELOW_ONE);
  return out;
}

/**
 * Whether a level-shift test's evidence (its recent level, expected + z · scale, against its base) is a
 * change the primary's expected value `e` already anticipates: the recent level lies on the base's side of
 * e (a learnt daily spike: the test sees the spike's onset as a shift up, the profile expects it).
 */
function anticipated(d: Deviation, e: number): boolean {
  if (Number.isNaN(d.expected)) return false;
  const level = d.expected + d.z * d.scale;
  return d.z > 0 ? level <= e : level >= e;
}
