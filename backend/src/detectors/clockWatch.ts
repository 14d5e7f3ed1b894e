/**
 * Whether a daily series' clock moved by an hour. Traffic that keeps local time moves by an hour in UTC
 * twice a year (daylight saving time), and a daily profile kept in UTC then misfits every ramp of the day
 * until its median over cycles has caught up (3 of 5 days), and again on the following weekends through
 * the weekly correction: on the scenario suite's `clock_later_1h` and `clock_earlier_1h` rows, 0.28 and
 * 0.23 false episodes a day on seeds 1–8 (0.12 and 0.11 with the watch).
 *
 * Fed a sample every few minutes: the point's z against the profile as it is, an hour later and an hour
 * earlier (all three without the level offset, which takes up part of a misfit before an incident opens
 * and holds it after). It keeps each one's mean and mean square over about an hour. The clock moves when
 * the profile as it is misfits (mean square ≥ BAD) and a moved one fits within the noise (≤ GOOD, ≤ RATIO
 * of the other, mean within LEVEL). Why each: a level change on a ramp (the `slow_ramp` row's rising
 * level through a morning) fits an hour-earlier profile in proportion, not within the noise (its mean
 * square 10–20 where a real move's is 1–2.5); by variances (a level change moves a mean, not a variance)
 * that row was safe too but a real move, whose misfit follows the ramp's slowly changing slope, was seen
 * hours later (0.20 / 0.18 false episodes a day instead of 0.12 / 0.11). The level test is a margin: no
 * row of the suite changes without it (seeds 1–8).
 * Only beside a weekly correction (steps under ~3 minutes): where a full-resolution weekly profile keeps
 * weekends (5-minute steps), a weekend's own daily shape fits a moved day too, and NAB's `nyc_taxi` moved
 * five times in three weeks.
 */
import { z } from 'zod';
import { Num, dec, enc } from '../snapshots/codec.js';

/** Mean and mean square of z against the profile as it is, an hour later and an hour earlier; samples since the last move (below 0: resting after one). */
export const ClockWatchState = z.tuple([z.array(Num).length(6), z.number().int()]);
export type ClockWatchState = z.infer<typeof ClockWatchState>;

/** Weight of a sample in the averages (half-life 12 samples: an hour at a sample every 5 minutes). */
const ALPHA = 1 - 2 ** (-1 / 12);
/** Samples (2 hours at one every 5 minutes) before the clock may be moved. */
const MIN_SAMPLES = 24;
/**
 * Samples after a move (14 days at one every 5 minutes) before the next: clocks change twice a year, and
 * a watch run beside a full-resolution weekly profile (measured, not kept) moved NAB's `nyc_taxi` six
 * times in 18 days, to and fro, after its holidays.
 */
const REST_SAMPLES = 14 * 24 * 12;
/** Mean square of z above which the profile as it is misfits (3 σ on average). */
const BAD = 9;
/**
 * A moved profile fits where the mean square of its z is at most GOOD (2 σ on average) and RATIO of the
 * other's, and its mean z is within LEVEL.
 */
const GOOD = 4;
const RATIO = 0.25;
const LEVEL = 0.75;

export class ClockWatch {
  /** [mean, mean square] of z against the profile as it is, an hour later, an hour earlier. */
  private readonly moments = new Float64Array(6).fill(NaN);
  private samples = 0;

  /**
   * Learn one sample; returns +1 (the clock moved an hour later), −1 (earlier) or 0. A move restarts the
   * averages and rests the watch for REST_SAMPLES (its sample count starts that far below 0).
   */
  sample(here: number, later: number, earlier: number): -1 | 0 | 1 {
    if (!Number.isFinite(here) || !Number.isFinite(later) || !Number.isFinite(earlier)) return 0;
    this.average(0, here);
    this.average(1, later);
    this.average(2, earlier);
    this.samples++;
    const m = this.moments;
    if (this.samples < MIN_SAMPLES) return 0;
    const meanSquare = (k: number) => m[2 * k + 1];
    if (meanSquare(0) < BAD) return 0;
    // The better of the two moves; it must fit within the noise, in level too.
    const k = meanSquare(1) <= meanSquare(2) ? 1 : 2;
    if (meanSquare(k) > GOOD || meanSquare(k) > RATIO * meanSquare(0) || Math.abs(m[2 * k]) > LEVEL) return 0;
    this.moments.fill(NaN);
    this.samples = -REST_SAMPLES;
    return k === 1 ? 1 : -1;
  }

  /** Hypothesis k's mean and mean square take z in (the first sample sets them). */
  private average(k: number, z: number): void {
    const m = this.moments;
    m[2 * k] = Number.isNaN(m[2 * k]) ? z : m[2 * k] + ALPHA * (z - m[2 * k]);
    m[2 * k + 1] = Number.isNaN(m[2 * k + 1]) ? z * z : m[2 * k + 1] + ALPHA * (z * z - m[2 * k + 1]);
  }

  snapshot(): ClockWatchState | null {
    return this.samples === 0 ? null : [Array.from(this.moments, enc), this.samples];
  }

  restore(s: ClockWatchState): void {
    s[0].forEach((v, i) => (this.moments[i] = dec(v)));
    this.samples = s[1];
  }
}
