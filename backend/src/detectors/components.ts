/**
 * Feature-level components. Each turns one feature of the series into a signed deviation per point.
 * Detectors are made of these; calibration puts every component on the same score scale.
 */
import { learnable, towardZero, type Component, type Deviation, type LearnMode } from './detector.js';
import { Ring, SortedWindow, alphaForHalfLife } from '../stats/windows.js';
import { dec, enc, expectSame } from '../snapshots/codec.js';
import { Magnitude, cappedZ, flooredScale } from './scale.js';
import {
  stateOfType,
  type ComponentState,
  type EwmaState,
  type LevelShiftState,
  type RateOfChangeState,
  type ResidualShiftState,
  type RollingMedianState,
  type VarianceChangeState,
} from './state.js';

/** MAD → σ for normally distributed data. */
export const MAD_TO_SIGMA = 1.4826;

/** Value against the rolling median of the previous `window` points, scaled by their MAD. */
export class RollingMedianComponent implements Component {
  readonly feature = 'level_vs_rolling_median';
  readonly kindUp = 'spike' as const;
  readonly kindDown = 'dip' as const;
  readonly providesBand = true;
  readonly affine = true;
  private readonly win: SortedWindow;
  private readonly mag = new Magnitude();
  constructor(
    readonly window: number,
    private readonly minPoints = 10,
    /** Learn nothing inside incidents: the band of a detector whose own evidence says when to flag. */
    private readonly holdInIncidents = false,
  ) {
    this.win = new SortedWindow(window);
  }
  step(x: number, out: Deviation): void {
    if (this.win.count >= this.minPoints) {
      out.expected = this.win.median();
      out.scale = this.mag.floor(MAD_TO_SIGMA * this.win.mad());
      out.z = Number.isNaN(x) ? NaN : cappedZ(x - out.expected, out.scale);
    } else {
      out.z = out.expected = out.scale = NaN;
    }
  }
  /**
   * A rolling median learns every point (unless `holdInIncidents`): it is the fallback that follows a
   * series whose pattern is not modelled yet (before a period is known), and freezing it inside an
   * "incident" would lock in false alarms. The exception is a drop toward zero inside an incident: an
   * outage's zeros would otherwise become its expected level, and the recovery would read as a new
   * incident (NAB: half A 62.72 → 63.26 standard, half B unchanged; drop_to_zero's false episodes
   * after the recovery gone).
   */
  learn(x: number, mode: LearnMode): void {
    if (Number.isNaN(x)) return;
    const outage = mode === 'incident' && this.win.count > 0 && towardZero(x, this.win.median());
    if ((mode === 'normal' || !this.holdInIncidents) && !outage) this.win.push(x);
    this.mag.push(x);
  }
  snapshot(): RollingMedianState {
    return {
      type: 'rolling_median',
      window: this.window,
      win: this.win.snapshot(),
      mag: this.mag.snapshot(),
    };
  }
  restore(state: ComponentState, path = 'component'): void {
    const s = stateOfType(state, 'rolling_median', path);
    expectSame(`${path}.window`, s.window, this.window);
    this.win.restore(s.win, `${path}.win`);
    this.mag.restore(s.mag);
  }
}

/**
 * Value against an exponentially weighted mean, scaled by the EW deviation of residuals. Updates are
 * winsorized at `clip` deviations so an incident does not drag the baseline along ("incidents must not
 * become the new normal").
 */
export class EwmaComponent implements Component {
  readonly feature = 'level_vs_ewma';
  readonly kindUp = 'spike' as const;
  readonly kindDown = 'dip' as const;
  readonly providesBand = true;
  readonly affine = true;
  private mean = NaN;
  private variance = NaN;
  private n = 0;
  private readonly alpha: number;
  private readonly mag = new Magnitude();
  constructor(
    readonly halfLife: number,
    private readonly clip = 4,
    private readonly minPoints = 10,
  ) {
    this.alpha = alphaForHalfLife(halfLife);
  }
  step(x: number, out: Deviation): void {
    const sd = Math.sqrt(this.variance);
    if (this.n >= this.minPoints) {
      out.expected = this.mean;
      out.scale = this.mag.floor(sd);
      out.z = Number.isNaN(x) ? NaN : cappedZ(x - this.mean, out.scale);
    } else {
      out.z = out.expected = out.scale = NaN;
    }
  }
  learn(x: number, mode: LearnMode): void {
    if (Number.isNaN(x)) return;
    const sd = Math.sqrt(this.variance);
    this.mag.push(x);
    this.n++;
    if (Number.isNaN(this.mean)) {
      this.mean = x;
      this.variance = 0;
      return;
    }
    const limit = this.clip * this.mag.floor(sd);
    const r = Math.max(-limit, Math.min(limit, x - this.mean));
    // During warm-up the variance is still tiny, so do not clip yet.
    const resid = this.n < this.minPoints ? x - this.mean : r;
    this.mean += this.alpha * resid;
    // Inside an incident the level follows (winsorized), the spread does not learn.
    if (mode === 'normal') this.variance = (1 - this.alpha) * (this.variance + this.alpha * resid * resid);
  }
  snapshot(): EwmaState {
    return {
      type: 'ewma',
      halfLife: this.halfLife,
      mean: enc(this.mean),
      variance: enc(this.variance),
      n: this.n,
      mag: this.mag.snapshot(),
    };
  }
  restore(state: ComponentState, path = 'component'): void {
    const s = stateOfType(state, 'ewma', path);
    expectSame(`${path}.halfLife`, s.halfLife, this.halfLife);
    this.mean = dec(s.mean);
    this.variance = dec(s.variance);
    this.n = s.n;
    this.mag.restore(s.mag);
  }
}

/** Step-to-step change against the rolling distribution of changes (rate of change). */
export class RateOfChangeComponent implements Component {
  readonly feature = 'rate_of_change';
  readonly kindUp = 'rate_of_change' as const;
  readonly kindDown = 'rate_of_change' as const;
  readonly providesBand = false;
  readonly affine = true;
  private readonly win: SortedWindow;
  private prev = NaN;
  private readonly mag = new Magnitude();
  constructor(
    readonly window: number,
    private readonly minPoints = 10,
  ) {
    this.win = new SortedWindow(window);
  }
  step(x: number, out: Deviation): void {
    const d = x - this.prev;
    if (this.win.count >= this.minPoints && !Number.isNaN(d)) {
      const med = this.win.median();
      out.expected = NaN;
      out.scale = this.mag.floor(MAD_TO_SIGMA * this.win.mad());
      out.z = cappedZ(d - med, out.scale);
    } else {
      out.z = out.expected = out.scale = NaN;
    }
  }
  learn(x: number, mode: LearnMode): void {
    const d = x - this.prev;
    // The changes of an incident are not the series' normal changes; the previous value always moves on.
    if (!Number.isNaN(d) && mode === 'normal') this.win.push(d);
    if (!Number.isNaN(x)) {
      this.mag.push(x);
      this.prev = x;
    }
  }
  snapshot(): RateOfChangeState {
    return {
      type: 'rate_of_change',
      window: this.window,
      prev: enc(this.prev),
      win: this.win.snapshot(),
      mag: this.mag.snapshot(),
    };
  }
  restore(state: ComponentState, path = 'component'): void {
    const s = stateOfType(state, 'rate_of_change', path);
    expectSame(`${path}.window`, s.window, this.window);
    this.prev = dec(s.prev);
    this.win.restore(s.win, `${path}.win`);
    this.mag.restore(s.mag);
  }
}

/**
 * Level shift: median of the last `recent` points against the median of the `window` points before
 * them. Slow to react to a single spike (the recent median ignores it), quick to see a step.
 */
export class LevelShiftComponent implements Component {
  readonly feature = 'level_shift';
  /** The recent window is the measurement (Component.measurementPoints). */
  get measurementPoints(): number {
    return this.recent;
  }
  readonly kindUp = 'level_shift' as const;
  readonly kindDown = 'level_shift' as const;
  readonly providesBand = false;
  readonly affine = false;
  private readonly recentWin: SortedWindow;
  /** The last `recent` values as the base will learn them (clamped during incidents), on their way to it. */
  private readonly delay: Ring;
  private readonly base: SortedWindow;
  private readonly mag = new Magnitude();
  private expected = NaN;
  private scale = NaN;
  /** The x of the last step (NaN: missing). */
  private stepped = NaN;
  constructor(
    readonly recent: number,
    readonly window: number,
  ) {
    this.recentWin = new SortedWindow(recent);
    this.delay = new Ring(recent);
    this.base = new SortedWindow(window);
  }
  step(x: number, out: Deviation): void {
    // The recent window is the measurement, so it takes x whatever the learning mode.
    if (!Number.isNaN(x)) this.recentWin.push(x);
    this.stepped = x;
    if (this.base.count >= Math.min(this.window, 20)) {
      this.expected = this.base.median();
      this.scale = this.mag.floor(MAD_TO_SIGMA * this.base.mad());
    } else this.expected = this.scale = NaN;
    if (!Number.isNaN(this.expected) && this.recentWin.count === this.recent && !Number.isNaN(x)) {
      out.expected = this.expected;
      out.scale = this.scale;
      out.z = cappedZ(this.recentWin.median() - out.expected, out.scale);
    } else {
      out.z = out.expected = out.scale = NaN;
    }
  }
  learn(x: number, mode: LearnMode): void {
    if (Number.isNaN(x)) return;
    // x differs from the value just stepped when the detector imputes an incident's points (the
    // primary's expected value, CompositeDetector.learn). The recent window then holds that value too, so
    // an incident the primary has already flagged does not echo here for `recent` points after it ends (a
    // 10-point burst read as a level shift after it, which widened this range 4×: repeated bursts
    // last/first 0.40 → 0.79), and the base learns it as a normal value (the profile's, not the incident's;
    // clamped, it lagged a 4-hour outage's daily ramp and the recovery read as a shift up: drop_to_zero
    // false episodes a day 0.59 → 0.17 against clamping it; README seeds).
    const imputed = !Number.isNaN(this.stepped) && x !== this.stepped;
    if (imputed) this.recentWin.replaceNewest(x);
    const leaving = this.delay.push(imputed ? x : learnable(x, mode, this.expected, this.scale));
    if (!Number.isNaN(leaving)) this.base.push(leaving);
    this.mag.push(x);
  }
  snapshot(): LevelShiftState {
    return {
      type: 'level_shift',
      recent: this.recent,
      window: this.window,
      recentWin: this.recentWin.snapshot(),
      delay: this.delay.snapshot(),
      base: this.base.snapshot(),
      mag: this.mag.snapshot(),
    };
  }
  restore(state: ComponentState, path = 'component'): void {
    const s = stateOfType(state, 'level_shift', path);
    expectSame(`${path}.recent`, s.recent, this.recent);
    expectSame(`${path}.window`, s.window, this.window);
    this.recentWin.restore(s.recentWin, `${path}.recentWin`);
    this.delay.restore(s.delay, `${path}.delay`);
    this.base.restore(s.base, `${path}.base`);
    this.mag.restore(s.mag);
  }
}

/**
 * Level shift against the primary's own model (a seasonal profile): the median of the last `recent`
 * values less the profile's pattern (its expected value without its level offset), against the level
 * offset the profile had `recent` points ago, in units of the profile's scale, × √recent / 1.25 (a unit
 * statistic for independent normal residuals).
 *
 * Why: the raw level-shift tests compare a window with the 300 or 600 points before it, so on a daily
 * pattern their range is set by the day's ramps and a shift of a few σ never shows; and the profile's
 * offset absorbs such a shift within ~100 points (half-life 50). Against the offset as it was before the
 * window, a step shows for as long as it is not learnt, while a slow change the offset follows (a
 * weekend easing in) barely does. Its points count as the primary's own for holding a sustained incident
 * (Component.readsPrimary). Silent unless the period is at least PERIOD_WINDOWS windows long: over a
 * window that spans much of a cycle (hourly points, a daily period) the profile's own errors look like
 * shifts (NAB: realKnownCause/ambient_temperature_system_failure lost 2 detections and gained 3 false ones).
 */
export class ResidualShiftComponent implements Component {
  readonly feature = 'level_shift_vs_seasonal_profile';
  readonly readsPrimary = true;
  readonly kindUp = 'level_shift' as const;
  readonly kindDown = 'level_shift' as const;
  readonly providesBand = false;
  readonly affine = false;
  /** Shortest period, in windows of `recent` points, for which the test has an opinion. */
  static readonly PERIOD_WINDOWS = 10;
  /** x − pattern of the last `recent` points (an imputed incident point replaces its value, see learn). */
  private readonly win: SortedWindow;
  /** The profile's level offset over the last `recent` points: the oldest is the reference. */
  private readonly offsets: Ring;
  private pattern = NaN;
  private stepped = NaN;
  constructor(
    readonly recent: number,
    /** The primary's period (null: none yet). */
    private readonly periodOf: () => number | null = () => null,
  ) {
    this.win = new SortedWindow(recent);
    this.offsets = new Ring(recent);
  }
  /** The recent window is the measurement (Component.measurementPoints). */
  get measurementPoints(): number {
    return this.recent;
  }
  step(x: number, out: Deviation, primary?: Deviation): void {
    const period = this.periodOf();
    const pattern =
      period !== null && period >= ResidualShiftComponent.PERIOD_WINDOWS * this.recent
        ? (primary?.pattern ?? NaN)
        : NaN;
    this.pattern = pattern;
    this.stepped = x;
    out.z = out.expected = out.scale = out.shift = NaN;
    if (Number.isNaN(pattern) || !primary || !(primary.scale > 0)) return;
    const reference = this.offsets.push(primary.expected - pattern);
    if (Number.isNaN(x)) return;
    this.win.push(x - pattern);
    if (this.win.count < this.recent || Number.isNaN(reference)) return;
    out.scale = 1;
    const moved = this.win.median() - reference;
    // No estimate where the profile has not yet seen this time of the week: a first weekend easing in
    // looks like a shift against a weekday profile (band.ts would flag its points; clean series' false
    // episodes a day +0.01–0.02 on most scenario rows without this condition).
    out.shift = primary.weekSeen === false ? NaN : moved;
    out.z = (moved / primary.scale) * (Math.sqrt(this.recent) / 1.25);
  }
  learn(x: number): void {
    // An imputed incident point (CompositeDetector.learn) stands in the window, as in LevelShiftComponent:
    // an incident the primary flagged does not echo here after it ends.
    const imputed = !Number.isNaN(this.stepped) && !Number.isNaN(x) && x !== this.stepped;
    if (imputed && !Number.isNaN(this.pattern)) this.win.replaceNewest(x - this.pattern);
  }
  snapshot(): ResidualShiftState {
    return {
      type: 'residual_shift',
      recent: this.recent,
      win: this.win.snapshot(),
      offsets: this.offsets.snapshot(),
    };
  }
  restore(state: ComponentState, path = 'component'): void {
    const s = stateOfType(state, 'residual_shift', path);
    expectSame(`${path}.recent`, s.recent, this.recent);
    this.win.restore(s.win, `${path}.win`);
    this.offsets.restore(s.offsets, `${path}.offsets`);
  }
}

/** Variance change: log ratio of the recent spread to the long-run spread (positive = noisier). */
export class VarianceChangeComponent implements Component {
  readonly feature = 'variance_change';
  readonly kindUp = 'variance_change' as const;
  readonly kindDown = 'variance_change' as const;
  readonly providesBand = false;
  readonly affine = false;
  private readonly recentWin: SortedWindow;
  private readonly longWin: SortedWindow;
  private prev = NaN;
  private readonly mag = new Magnitude();
  constructor(
    readonly recent: number,
    readonly window: number,
  ) {
    this.recentWin = new SortedWindow(recent);
    this.longWin = new SortedWindow(window);
  }
  step(x: number, out: Deviation): void {
    // Spread of first differences: insensitive to level shifts and seasonality, sensitive to noise.
    const d = x - this.prev;
    if (!Number.isNaN(x)) {
      this.prev = x;
      this.mag.push(x);
    }
    if (!Number.isNaN(d)) this.recentWin.push(Math.abs(d));
    this.lastD = d;
    if (
      this.longWin.count >= Math.min(this.window, 50) &&
      this.recentWin.count === this.recent &&
      !Number.isNaN(d)
    ) {
      // Relative floor only: a ratio of spreads needs no count quantum.
      const floor = flooredScale(0, this.mag.value);
      const r = Math.max(this.recentWin.quantile(0.5), floor);
      const l = Math.max(this.longWin.quantile(0.5), floor);
      out.expected = NaN;
      out.scale = 1;
      out.z = Math.log2(r / l);
    } else {
      out.z = out.expected = out.scale = NaN;
    }
  }
  private lastD = NaN;
  learn(_x: number, mode: LearnMode): void {
    if (!Number.isNaN(this.lastD) && mode === 'normal') this.longWin.push(Math.abs(this.lastD));
  }
  snapshot(): VarianceChangeState {
    return {
      type: 'variance_change',
      recent: this.recent,
      window: this.window,
      prev: enc(this.prev),
      recentWin: this.recentWin.snapshot(),
      longWin: this.longWin.snapshot(),
      mag: this.mag.snapshot(),
    };
  }
  restore(state: ComponentState, path = 'component'): void {
    const s = stateOfType(state, 'variance_change', path);
    expectSame(`${path}.recent`, s.recent, this.recent);
    expectSame(`${path}.window`, s.window, this.window);
    this.prev = dec(s.prev);
    this.recentWin.restore(s.recentWin, `${path}.recentWin`);
    this.longWin.restore(s.longWin, `${path}.longWin`);
    this.mag.restore(s.mag);
  }
}
