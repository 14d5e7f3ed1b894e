/**
 * A two-sided CUSUM on the seasonal profile's own z (its residual in units of its scale): on each side,
 * the sum of how far each point lies beyond DRIFT scales, restarted at 0. A sustained shift of a few scales
 * adds (shift − DRIFT) at every point, so it stands out a few points after its onset, where each of its
 * points alone is inside the band and a windowed median (ResidualShiftComponent, 20 points) needs half its
 * window.
 *
 * Why: at a 1-minute step the residual level-shift test flagged a 3σ shift ~14 points after its onset and a
 * 4σ one ~8 points after (scenario suite, seeds 1–8); with this test 8.9 and 3.8, covered 0.74 → 0.88 and
 * 0.91 → 0.94 (docs/detection-quality.md). Each point's z is clipped at CLIP scales first, so one
 * heavy-tailed outlier adds no more than a short run does (a robust, Huber-style CUSUM): the sum measures
 * persistence, not size. The sums are capped at CAP, so after a long incident the test falls silent within
 * ~20 points of the series' return.
 *
 * It speaks only where the primary's residuals mean "the level moved": a seasonal profile that has had its
 * period for MATURE_CYCLES cycles and has seen this time of the week for SETTLE_POINTS points, or, on a
 * series with no period, a rolling median the series has stayed flat around for FLAT_POINTS points (a
 * KPI, a latency, an error rate). Elsewhere it restarts. Where a period is still pending it is silent:
 * there its sums cost NAB 0.5 (more false positives on flat stretches of daily series whose period was
 * not yet found). A missing point leaves the sums as they are.
 *
 * A run reads each point against the profile's level offset as it was when the run began, or when a run
 * less than REFERENCE_POINTS before it began (the offset is expected − Deviation.pattern), not as it is
 * now: the offset follows the series with a half-life of 50 points (seasonal/profile.ts), so it took in a
 * 2σ shift before the sums reached their boundary, the run ended and the shift became normal. A point
 * counts no further from expected than it lies from the bare pattern (offset 0) as well, so a run that
 * begins while the offset still holds an earlier shift it took in does not read the series' return to its
 * pattern as a new shift (that opened day-long incidents on 2σ shifts the offset had taken in). Scenario
 * suite, covered on seeds 1–8 / the README seeds / 101–108 / 9–16 (the last chose nothing): `shift_2sigma`
 * 0.428 / 0.483 / 0.461 / 0.620 → 0.604 / 0.538 / 0.647 / 0.703, `shift_3sigma_afternoon` 0.786 / 0.754 /
 * 0.690 / 0.728 → 0.866 / 0.894 / 0.859 / 0.858, `shift_3sigma_evening` 0.627 / 0.584 / 0.660 / 0.465 →
 * 0.687 / 0.676 / 0.727 / 0.694. The cost: false episodes a day on days that page already, in more pieces
 * (Monday midnights under a trend, clock-change mornings): `clean_decline` 0.137 / 0.124 / 0.161 / 0.137 →
 * 0.167 / 0.143 / 0.173 / 0.143, the clock rows +0.01–0.05; NAB identical on every profile and both halves
 * (docs/detection-quality.md).
 *
 * On a flat series (the sums read its rolling median) a run reads its points against the median and the
 * scale it began with: both took a 2σ shift's first points in (the median moved, the window's MAD
 * widened) and the sum hovered below its boundary. There the sums speak only while the median stays at
 * its long-run level (Deviation.stationary), which bounds a run as the bare pattern does on a profile.
 * `kpi_shift_2sigma` covered 0.424 / 0.580 / 0.525 / 0.763 → 0.632 / 0.687 / 0.621 / 0.843 on the same
 * four sets; every false-episode row and NAB identical. Elsewhere (a rolling median that is not flat)
 * points are read as they are.
 *
 * Its `runPoints` are the run's points: the change began about that many points ago (an episode it flags
 * says "level shift since" then, not since its first flagged point; calibration/episodes.ts).
 * Its `shift` is the mean z of the run so far as the run reads it, unclipped, in series units: how far
 * the level moved. The band narrows on its side no further than half of that, a quarter inside an open
 * incident (calibration/band.ts, INCIDENT_SHIFT_FLOOR; Component.narrowsToShift): the sum can rise far
 * past its boundary for a small shift, and narrowing by its score alone made a first 5× burst score 3–5
 * times what the same burst scored once the test's range had learnt one (repeated bursts' last/first 0.75
 * → 0.19).
 */
import { z } from 'zod';
import { stateOfType, type Component, type Deviation, type TaggedState } from '../component.js';
import { Count, expectSame } from '../../snapshots/codec.js';
import { clipZ } from '../scale.js';

export const CusumState = z.object({
  type: z.literal('cusum'),
  drift: z.number(),
  /** Points scored since the profile had its period (0: none). */
  profiled: Count,
  /** Points in a row with no period and a flat primary (absent before 2026-12: 0). */
  flat: Count.optional(),
  /** Points scored since the week was last unseen (Deviation.weekSeen false). */
  seen: Count,
  /** The sums above and below, and each run's points and sum of unclipped z (its shift estimate). */
  up: z.number(),
  down: z.number(),
  upPoints: Count,
  downPoints: Count,
  upSum: z.number(),
  downSum: z.number(),
  /**
   * The primary's level offset (series units; a flat series' level) and scale when the current run began;
   * null: none (no run, no pattern and no flat level, or a snapshot from before 2026-12, where the next
   * point reads them as they are).
   */
  runOffset: z.number().nullable().optional(),
  runScale: z.number().nullable().optional(),
  /** Points since they were taken (absent before 2026-12-07: old enough to be taken anew between runs). */
  referenceAge: Count.optional(),
});
export type CusumState = z.infer<typeof CusumState>;

/**
 * The drift (scales a point must exceed to add to a sum) and the clip. Chosen on the scenario suite (seeds
 * 1–8), checked on the README seeds and seeds 101–108 and NAB (docs/detection-quality.md): drift 1 paged
 * on clean series (0.13 false episodes a day Gaussian, 0.26 weekly), 2 found a 3σ shift later and missed
 * one (covered 0.81); a clip of 4 instead of 3 gave 0.11 heavy-tailed, 0.11 weekly.
 */
export const DRIFT = 1.5;
export const CLIP = 3;
/** Largest value of either sum: ~7 boundaries of a clean Gaussian series' test, ~20 points to fall back. */
export const CAP = 30;
/**
 * Cycles of its base period (SeasonalComponent.basePeriod) a profile predicts before its residuals count: a
 * week that joins and takes over from the day does not silence the test for two more weeks (an hourly
 * series' week joins after one, SeasonalComponent.cyclesToJoin). NAB (both halves): 0 cycles 72.02
 * (A 71.77, B 73.74), 1 cycle 72.39, 2 cycles 72.90 (A 72.05, B 74.25, against 72.04 / 74.24 without the
 * test), 3 cycles 72.31. At a 1-minute step the weekly condition comes later and decides alone.
 */
export const MATURE_CYCLES = 2;

/**
 * Points after the week becomes seen before the sums start: there the profile's level offset restarts at 0
 * (seasonal/profile.ts, Profile.predict) and settles over its half-life of 50 points, and a run summed
 * across the second Monday's first hour paged clean weekly series at 00:00–00:10 (weekly_weekend false
 * episodes a day 0.02 → 0.04 / 0.07 → 0.10 on seeds 1–8 / 9–16 without this; with it every clean row is as
 * without the test, NAB identical). The slow residual test waits as long (its `back`, 60 points).
 */
export const SETTLE_POINTS = 60;

/**
 * Points in a row a series with no period must stay flat around its rolling median (Deviation.stationary)
 * before the sums speak on that median's z: a day at a 1-minute step, so a daily series' quiet night is
 * not taken for a flat series. On the scenario suite's flat series (`kpi_*`, seeds 1–8) a 3σ shift was
 * flagged 14.4 points after its onset without this and 6.6 with it (covered 0.815 → 0.874), a 4σ one 3.0
 * → 1.5, with the same false episodes a day on every flat row; the README seeds, 101–108 and 9–16 alike.
 * NAB (standard, half A / B; none of these both halves better): without 72.05 / 74.25, 576 points
 * 71.95 / 74.14, 1,000 points 71.96 / 74.15, 1,440 points 72.05 / 74.15, 2,880 points 71.87 / 74.06
 * (docs/detection-quality.md).
 */
export const FLAT_POINTS = 1440;

/**
 * Points a run's reference (the level offset and scale it reads against) is kept for, across the gaps
 * between runs: a new run within them reads against the last one's. A 2σ shift adds only 0.5 a point
 * beyond the drift, so in its first points the noise returns the sum to 0 now and then, and each new run
 * took the offset as it then was, already part-way to the shifted level (half-life 50): the shift was
 * never summed in full. Scenario suite, covered (seeds 1–8 / README / 101–108 / 9–16):
 * `shift_3sigma_evening` 0.915 / 0.843 / 0.823 / 0.887 → 0.923 / 0.875 / 0.892 / 0.918, `shift_2sigma` on
 * 101–108 0.717 → 0.771 (within 0.006 elsewhere); the cost, +0.01–0.04 false episodes a day on some
 * clock-change and trend rows (`clock_earlier_1h` 0.096 → 0.137 on 101–108). NAB 73.55 → 73.60, half A
 * 72.83 → 72.92, B 74.35 → 74.45; 30 points: A 72.92, B 74.35; 120: A 72.65, B 74.45
 * (docs/detection-quality.md).
 */
export const REFERENCE_POINTS = 60;

export class CusumComponent implements Component<CusumState> {
  /** What the sums are read against, for the explanation (named as ResidualShiftComponent's are). */
  get feature(): string {
    return this.onStationaryLevel
      ? 'cumulative_shift_vs_stationary_level'
      : 'cumulative_shift_vs_seasonal_profile';
  }
  /** Whether the sums read a rolling median the series is flat around (no period), not a profile. */
  get onStationaryLevel(): boolean {
    return this.flat > 0;
  }
  readonly readsPrimary = true;
  readonly narrowsToShift = true;
  readonly kindUp = 'level_shift' as const;
  readonly kindDown = 'level_shift' as const;
  readonly providesBand = false;
  readonly affine = false;
  /**
   * A run's sum builds up over its points, so its calibration range learns each value 20 points late (as
   * the residual test's, Component.measurementPoints): learnt at once, a rising sum below its boundary
   * raised the range ahead of itself.
   */
  readonly measurementPoints = 20;
  private profiled = 0;
  private flat = 0;
  /**
   * Whether the sums spoke at the last point stepped (false for a missing one). The spread test
   * (spread.ts), stepped after this one, speaks exactly where it does. Not in the snapshot: every step
   * sets it before it is read.
   */
  speaking = false;
  private seen = 0;
  private up = 0;
  private down = 0;
  private upPoints = 0;
  private downPoints = 0;
  private upSum = 0;
  private downSum = 0;
  /**
   * The primary's level offset (a flat series' level) and scale when the current run began (NaN: none;
   * see the file's comment).
   */
  private runOffset = NaN;
  private runScale = NaN;
  /** Points since runOffset and runScale were taken (REFERENCE_POINTS). */
  private referenceAge = 0;
  /**
   * The profile's level offset the open run reads against, taken when it or a run shortly before it began
   * (REFERENCE_POINTS; NaN: no run, a run that began at this point, with nothing learnt since, or a flat
   * series' run).
   */
  get runStartOffset(): number {
    return Math.max(this.upPoints, this.downPoints) > 1 && !this.onStationaryLevel ? this.runOffset : NaN;
  }
  constructor(
    /** The primary's base period, the day a week joins (null: none yet): maturity counts its cycles. */
    private readonly periodOf: () => number | null,
    readonly drift = DRIFT,
  ) {}
  step(x: number, out: Deviation, primary?: Deviation): void {
    out.z = out.expected = out.scale = out.shift = out.runPoints = NaN;
    this.speaking = false;
    if (Number.isNaN(x)) return;
    // Points the profile has predicted: missing ones are not counted.
    const period = this.periodOf();
    this.profiled = period === null ? 0 : this.profiled + 1;
    this.flat = period === null && primary?.stationary === true ? this.flat + 1 : 0;
    this.seen = primary?.weekSeen === false ? 0 : this.seen + 1;
    const settled = period !== null ? this.profiled >= MATURE_CYCLES * period : this.flat >= FLAT_POINTS;
    const speaks =
      settled &&
      this.seen > SETTLE_POINTS &&
      primary !== undefined &&
      primary.scale > 0 &&
      !Number.isNaN(primary.z) &&
      primary.weekSeen !== false;
    this.speaking = speaks;
    if (!speaks) {
      this.up = this.down = this.upPoints = this.downPoints = this.upSum = this.downSum = 0;
      this.runOffset = this.runScale = NaN;
      return;
    }
    const raw = primary.z;
    // What each side sums: the point against where the run began (see the file's comment), no nearer
    // than against expected.
    let above = raw;
    let below = raw;
    // The scale the sums' z are read in (the shift estimate's unit).
    let unit = primary.scale;
    const pattern = primary.pattern;
    const profiled = pattern !== undefined && !Number.isNaN(pattern);
    // A profile's level offset, or a flat series' level itself (its pattern is 0).
    const offset = profiled ? primary.expected - pattern : this.onStationaryLevel ? primary.expected : NaN;
    // A finite offset only (values near ±1.8e308 overflow it), and z capped as the primary's is: the sums
    // and their snapshot stay finite numbers.
    if (Number.isFinite(offset)) {
      // The reference is taken anew only between runs, and only once it is REFERENCE_POINTS old.
      this.referenceAge++;
      const between = !(this.up > 0 || this.down > 0);
      if (
        (between && this.referenceAge > REFERENCE_POINTS) ||
        Number.isNaN(this.runOffset) ||
        Number.isNaN(this.runScale)
      ) {
        this.runOffset = offset;
        this.runScale = primary.scale;
        this.referenceAge = 0;
      }
      if (profiled) {
        // Against the run's offset, but no further out than against the bare pattern.
        const vsRun = clipZ(raw + (offset - this.runOffset) / primary.scale);
        const vsPattern = clipZ(raw + offset / primary.scale);
        above = Math.max(raw, Math.min(vsRun, vsPattern));
        below = Math.min(raw, Math.max(vsRun, vsPattern));
      } else {
        // Against the level and the scale the run began with.
        const vsRun = clipZ((x - this.runOffset) / this.runScale);
        above = Math.max(raw, vsRun);
        below = Math.min(raw, vsRun);
        unit = this.runScale;
      }
    } else this.runOffset = this.runScale = NaN;
    this.up = Math.min(CAP, this.up + clipZ(above, CLIP) - this.drift);
    if (this.up > 0) {
      this.upPoints++;
      this.upSum += above;
    } else this.up = this.upPoints = this.upSum = 0;
    this.down = Math.min(CAP, this.down - clipZ(below, CLIP) - this.drift);
    if (this.down > 0) {
      this.downPoints++;
      this.downSum -= below;
    } else this.down = this.downPoints = this.downSum = 0;
    out.scale = primary.scale;
    if (this.up >= this.down) {
      out.z = this.up;
      if (this.upPoints > 0) {
        out.shift = (this.upSum / this.upPoints) * unit;
        out.runPoints = this.upPoints;
      }
    } else {
      out.z = -this.down;
      out.shift = -(this.downSum / this.downPoints) * unit;
      out.runPoints = this.downPoints;
    }
  }
  learn(): void {
    // Nothing to learn: the sums are the measurement, and its calibration range learns them (Calibrator).
  }
  snapshot(): CusumState {
    return {
      type: 'cusum',
      drift: this.drift,
      profiled: this.profiled,
      flat: this.flat,
      seen: this.seen,
      up: this.up,
      down: this.down,
      upPoints: this.upPoints,
      downPoints: this.downPoints,
      upSum: this.upSum,
      downSum: this.downSum,
      runOffset: Number.isNaN(this.runOffset) ? null : this.runOffset,
      runScale: Number.isNaN(this.runScale) ? null : this.runScale,
      referenceAge: this.referenceAge,
    };
  }
  restore(state: TaggedState, path = 'component'): void {
    const s = stateOfType<CusumState>(state, 'cusum', path);
    expectSame(`${path}.drift`, s.drift, this.drift);
    this.profiled = s.profiled;
    this.flat = s.flat ?? 0;
    this.seen = s.seen;
    this.up = s.up;
    this.down = s.down;
    this.upPoints = s.upPoints;
    this.downPoints = s.downPoints;
    this.upSum = s.upSum;
    this.downSum = s.downSum;
    this.runOffset = s.runOffset ?? NaN;
    this.runScale = s.runScale ?? NaN;
    // Older snapshots took the reference anew at every point between runs: as one past its age does.
    this.referenceAge = s.referenceAge ?? REFERENCE_POINTS;
  }
}
