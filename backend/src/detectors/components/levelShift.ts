/**
 * Level shift: median of the last `recent` points against the median of the `window` points before
 * them. Slow to react to a single spike (the recent median ignores it), quick to see a step.
 */
import { z } from 'zod';
import {
  learnable,
  stateOfType,
  type Component,
  type Deviation,
  type LearnMode,
  type TaggedState,
} from '../component.js';
import { Ring, SortedWindow, toFloat32 } from '../../stats/windows.js';
import { RingState, SortedWindowState, expectSame } from '../../snapshots/codec.js';
import { MAD_TO_SIGMA, Magnitude, MagnitudeState, cappedZ } from '../scale.js';

export const LevelShiftState = z.object({
  type: z.literal('level_shift'),
  recent: z.number().int(),
  window: z.number().int(),
  recentWin: SortedWindowState,
  delay: RingState,
  base: SortedWindowState,
  mag: MagnitudeState,
});
export type LevelShiftState = z.infer<typeof LevelShiftState>;

export class LevelShiftComponent implements Component<LevelShiftState> {
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
  /**
   * The last `recent` values as the base will learn them (clamped during incidents), on their way to it.
   * Float32, rounded as the base rounds them (toFloat32): the base learns the same values (issue 15).
   */
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
    this.delay = new Ring(recent, true);
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
  learn(x: number, mode: LearnMode, reference = NaN): void {
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
    // Inside an incident the primary does not flag point by point (a shift of a few σ that the CUSUM holds),
    // the base learns the seasonal profile's expected value where there is one (Component.learn): held at
    // its own median instead, it stayed at the incident's morning level, and after a 6-hour 3σ drop the
    // afternoon's return read as a shift up (shift_down_3sigma, seeds 1–8: 0.12 false episodes a day → 0).
    let learnt = x;
    if (!imputed) {
      learnt =
        mode === 'incident' && !Number.isNaN(reference)
          ? reference
          : learnable(x, mode, this.expected, this.scale);
    }
    const leaving = this.delay.push(toFloat32(learnt));
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
  restore(state: TaggedState, path = 'component'): void {
    const s = stateOfType<LevelShiftState>(state, 'level_shift', path);
    expectSame(`${path}.recent`, s.recent, this.recent);
    expectSame(`${path}.window`, s.window, this.window);
    this.recentWin.restore(s.recentWin, `${path}.recentWin`);
    this.delay.restore(s.delay, `${path}.delay`);
    this.base.restore(s.base, `${path}.base`);
    this.mag.restore(s.mag);
  }
}
