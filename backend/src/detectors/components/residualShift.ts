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
 *
 * A second instance reads the offset further back (`back`, 60 points in `auto`): a slow change (a ramp to
 * +60 % over 6 hours) moves the offset along with it, ~1 σ of lag behind, so against the offset 20 points
 * back it never stands out, while against the offset an hour back it does, and once its incident is open
 * the offset holds and the primary flags the rest (issue 11: slow_ramp covered 0.45 → 0.90; README,
 * "Detection quality").
 *
 * Before a period is known the primary is a rolling median. Where the series is flat around it
 * (Deviation.stationary: a KPI, a queue length, a latency with no daily pattern) the median is the level
 * and the pattern is 0, so the same test holds a shift of a few σ there, which no single point shows
 * (issue 11: a +4σ shift for 6 hours on such a series was covered 0.003, the rolling median absorbing it
 * point by point; docs/detection-quality.md).
 */
import { z } from 'zod';
import {
  stateOfType,
  type Component,
  type Deviation,
  type LearnMode,
  type TaggedState,
} from '../component.js';
import { Ring, SortedWindow } from '../../stats/windows.js';
import { Count, RingState, SortedWindowState, expectSame } from '../../snapshots/codec.js';

export const ResidualShiftState = z.object({
  type: z.literal('residual_shift'),
  recent: z.number().int(),
  /** Points back the reference offset is read (absent before detector snapshots version 6: `recent`). */
  back: z.number().int().optional(),
  win: SortedWindowState,
  /** The window's values as observed (absent before 2026-12: `win` stands for it). */
  observed: SortedWindowState.optional(),
  /** Consecutive points learnt inside an open incident (absent before 2026-12: 0). */
  incidentRun: Count.optional(),
  offsets: RingState,
});
export type ResidualShiftState = z.infer<typeof ResidualShiftState>;

export class ResidualShiftComponent implements Component<ResidualShiftState> {
  /** The names as constants: a name built per call was a new string at every explained point. */
  get feature(): string {
    if (this.back > this.recent) {
      return this.onProfile ? 'slow_level_shift_vs_seasonal_profile' : 'slow_level_shift_vs_stationary_level';
    }
    return this.onProfile ? 'level_shift_vs_seasonal_profile' : 'level_shift_vs_stationary_level';
  }
  readonly readsPrimary = true;
  readonly kindUp = 'level_shift' as const;
  readonly kindDown = 'level_shift' as const;
  readonly providesBand = false;
  readonly affine = false;
  /** Shortest period, in windows of `recent` points, for which the test has an opinion. */
  static readonly PERIOD_WINDOWS = 10;
  /** x − pattern of the last `recent` points (an imputed incident point replaces its value, see learn). */
  private ownWin: SortedWindow | null;
  /**
   * The same values as observed, never imputed: how far the level moved while an incident is open. In
   * `win` each flagged point of a sustained shift stands as the expected value, so its median came back to
   * the reference within ~20 of a 4σ shift's points, the band stopped narrowing to the moved level, and
   * the shift's points went unflagged wherever they fell inside the band.
   */
  private ownObserved: SortedWindow | null;
  /**
   * The component whose windows this one reads: itself, or an earlier sibling over the same `recent` points
   * (the test against the offset 60 points back reads the 20-point test's windows). Their values are the
   * same whatever the reference: x − pattern, imputed alike. The owner pushes and imputes; a reader only
   * reads (two sorted windows fewer a stream, and their updates; issue 15).
   */
  private readonly windows: ResidualShiftComponent;
  /** The profile's level offset over the last `back` points: the oldest is the reference. */
  private offsets: Ring;
  /**
   * Whether the windows hold residuals from a seasonal profile (a period is known) rather than from a
   * flat median's level: the two are not comparable, so the windows start afresh when it changes. It is
   * whether the primary had a period at the last step, so a restored component reads it from its primary.
   */
  private onProfile: boolean;
  private pattern = NaN;
  private stepped = NaN;
  /** Consecutive points learnt inside an open incident, up to the last one. */
  private incidentRun = 0;
  constructor(
    readonly recent: number,
    /** The primary's period (null: none yet). */
    private readonly periodOf: () => number | null = () => null,
    /** How many points back the reference offset is read (at least `recent`). */
    readonly back = recent,
    /** An earlier sibling (stepped and learnt before this one) whose windows this one reads. */
    windowsOf?: ResidualShiftComponent,
  ) {
    if (!(back >= recent)) throw new RangeError(`back (${back}) must be at least recent (${recent})`);
    if (windowsOf && windowsOf.recent !== recent) {
      throw new RangeError(`a sibling's windows of ${windowsOf.recent} points cannot stand for ${recent}`);
    }
    this.windows = windowsOf ?? this;
    this.ownWin = windowsOf ? null : new SortedWindow(recent);
    this.ownObserved = windowsOf ? null : new SortedWindow(recent);
    this.offsets = new Ring(back);
    this.onProfile = periodOf() !== null;
  }
  /**
   * The measurement spans the reference's age (Component.measurementPoints): its range learns a value once
   * the reference has moved past everything that value measured, so a slow change cannot ratchet it up.
   */
  get measurementPoints(): number {
    return this.back;
  }
  private get win(): SortedWindow {
    return this.windows.ownWin!;
  }
  private get observed(): SortedWindow {
    return this.windows.ownObserved!;
  }
  private get owner(): boolean {
    return this.windows === this;
  }
  step(x: number, out: Deviation, primary?: Deviation): void {
    const period = this.periodOf();
    if ((period !== null) !== this.onProfile) {
      this.onProfile = period !== null;
      if (this.owner) {
        this.ownWin = new SortedWindow(this.recent);
        this.ownObserved = new SortedWindow(this.recent);
      }
      this.offsets = new Ring(this.back);
    }
    // Before a period is known the primary is a rolling median: where the series is flat around it, the
    // median is the level and the pattern is 0.
    const pattern = this.patternOf(period, primary);
    this.pattern = pattern;
    this.stepped = x;
    out.z = out.expected = out.scale = out.shift = out.observedShift = out.observedZ = NaN;
    if (Number.isNaN(pattern) || !primary || !(primary.scale > 0)) return;
    // A level offset read where the profile had not seen the time of the week is no reference: there the
    // offset carries a first weekend's level additively, lagging its multiplicative ramps, and the test's
    // range learnt 7–10 from it (still 3–4 on the second Tuesday, where a 3σ shift then went unflagged).
    // So the test is silent while the week is unseen and for `back` points after.
    const reference = this.offsets.push(primary.weekSeen === false ? NaN : primary.expected - pattern);
    if (Number.isNaN(x)) return;
    if (this.owner) {
      this.win.push(x - pattern);
      this.observed.push(x - pattern);
    }
    if (this.win.count < this.recent || Number.isNaN(reference)) return;
    out.scale = 1;
    const moved = this.win.median() - reference;
    // No estimate where the profile has not yet seen this time of the week: a first weekend easing in
    // looks like a shift against a weekday profile (band.ts would flag its points; clean series' false
    // episodes a day +0.01–0.02 on most scenario rows without this condition).
    const unit = Math.sqrt(this.recent) / 1.25 / primary.scale;
    out.z = moved * unit;
    if (primary.weekSeen === false) return;
    out.shift = moved;
    // Only once the whole window is the incident's: over fewer of its points the median understates it (a
    // 5× burst's 7th point read as a shift of a σ or two, and the band narrowed to half of that scored it
    // 100 and more).
    if (this.incidentRun < this.recent) return;
    const observed = this.observed.median() - reference;
    out.observedShift = observed;
    out.observedZ = observed * unit;
  }
  /**
   * What the primary's level is read against: a seasonal profile's pattern where the period spans
   * PERIOD_WINDOWS windows, 0 for a median the series is flat around before a period is known, else NaN
   * (no opinion).
   */
  private patternOf(period: number | null, primary: Deviation | undefined): number {
    if (period === null) return primary?.stationary === true ? 0 : NaN;
    return period >= ResidualShiftComponent.PERIOD_WINDOWS * this.recent ? (primary?.pattern ?? NaN) : NaN;
  }
  learn(x: number, mode: LearnMode = 'normal'): void {
    this.incidentRun = mode === 'incident' ? this.incidentRun + 1 : 0;
    // An imputed incident point (CompositeDetector.learn) stands in the window, as in LevelShiftComponent:
    // an incident the primary flagged does not echo here after it ends.
    const imputed = !Number.isNaN(this.stepped) && !Number.isNaN(x) && x !== this.stepped;
    if (this.owner && imputed && !Number.isNaN(this.pattern)) this.win.replaceNewest(x - this.pattern);
  }
  snapshot(): ResidualShiftState {
    return {
      type: 'residual_shift',
      recent: this.recent,
      back: this.back,
      win: this.win.snapshot(),
      observed: this.observed.snapshot(),
      incidentRun: this.incidentRun,
      offsets: this.offsets.snapshot(),
    };
  }
  restore(state: TaggedState, path = 'component'): void {
    const s = stateOfType<ResidualShiftState>(state, 'residual_shift', path);
    expectSame(`${path}.recent`, s.recent, this.recent);
    expectSame(`${path}.back`, s.back ?? s.recent, this.back);
    if (this.owner) {
      this.win.restore(s.win, `${path}.win`);
      // Older snapshots kept only the imputed window: it stands for what was observed.
      this.observed.restore(s.observed ?? s.win, `${path}.observed`);
    }
    // A reader restores no windows: its snapshot carries a copy of its owner's (the format is unchanged),
    // and the owner restores them.
    this.incidentRun = s.incidentRun ?? 0;
    this.offsets.restore(s.offsets, `${path}.offsets`);
    this.onProfile = this.periodOf() !== null;
  }
}
