/**
 * Which drops are outages for the primary component's calibration range.
 *
 * A drop toward zero (towardZero: below ZERO_FRACTION of expected) has a deviation of about the level
 * itself in the primary's robust σ (20–30σ for traffic), which says nothing about how much the series
 * varies. Learnt into the primary's range, one outage widens the band up to `growth` times, and a
 * flapping link (down 3 points, up 3, for 40 points; the incident closes between flaps, so each flap
 * widens again from the widened edge) left the simulator's transit-1 link with a primary range of 9σ
 * (3.8σ before) 2,150 points later, so its 1.6× level shift scored 0.8 at the ×1.5 sensitivity.
 *
 * Only where the series is never near zero: where it is, a drop there is the kind of swing it makes
 * anyway and widening for it is right. Without that condition NAB standard fell 66.78 → 66.10 (half B
 * 71.29 → 70.15; art_daily_flatmiddle, which starts at −21 and goes to 0 each night, gained false
 * positives); with it NAB is unchanged. "Near zero" is a point learnt as normal below ZERO_FRACTION of
 * the series' mean |x|, or negative.
 *
 * Only the primary's range: the rate-of-change and level-shift ranges still widen for an outage, as
 * the recovery disturbs them for a while after it. Skipping theirs too raised the scenario suite's
 * drop_to_zero false alarms from 0.12 to 0.69 a day (0.14 with the primary's alone).
 */
import { towardZero, ZERO_FRACTION, type LearnMode } from '../detectors/detector.js';
import { Magnitude } from '../detectors/scale.js';
import type { OutageState } from './snapshot.js';

export class OutageRule {
  /** Mean |x| (half-life 500 points), the series' usual level. */
  private readonly mag = new Magnitude();
  /** A normal point has been near zero: drops toward zero are not outages for this series. */
  private zeroSeen = false;

  /**
   * Whether x (learnt in `mode`) is an outage whose deviation from `expected` (the primary's expected
   * value) must not widen the primary's range: inside an incident, toward zero, on a series never near zero.
   */
  isOutage(x: number, expected: number, mode: LearnMode): boolean {
    return mode === 'incident' && !this.zeroSeen && towardZero(x, expected);
  }

  /** Learn a non-missing x (after isOutage). */
  learn(x: number, mode: LearnMode): void {
    this.mag.push(x);
    // Negative values count as near zero: a series that goes below 0 is not traffic that never stops.
    if (mode === 'normal' && x < ZERO_FRACTION * this.mag.value) this.zeroSeen = true;
  }

  snapshot(): OutageState {
    return { zeroSeen: this.zeroSeen, mag: this.mag.snapshot() };
  }

  restore(s: OutageState): void {
    this.zeroSeen = s.zeroSeen;
    this.mag.restore(s.mag);
  }

  /** For a snapshot from before this rule: drops widen the range as they did then. */
  restoreLegacy(): void {
    this.zeroSeen = true;
  }
}
