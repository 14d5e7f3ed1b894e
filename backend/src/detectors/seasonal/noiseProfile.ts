/**
 * The noise of each part of the day (NoiseProfile): how far a seasonal profile's residual moves from one
 * point to the next, per 30-minute bin of its period, learnt a day at a time from points outside incidents.
 *
 * Why: traffic's noise grows with its level, and a profile's noise scale is the spread of its last 100
 * residual changes (Profile.scale). On office traffic (nights at 10 % of the day, a 30-minute ramp at
 * 08:00) that window still holds the night's noise when the working day has come: at 08:30 the scale was
 * 3–4.5 where the day's noise is ~30, the ramp's first points opened an incident, the incident held the
 * window still, and the rest of the day paged as "variance change" or "level shift" (`clean_office_hours`,
 * 0.8 false episodes a day, 330–440 minutes of them). Each bin remembers the noise it had on the days
 * before, so the morning's scale is the morning's from its first point.
 */
import { z } from 'zod';
import { Num, expectAtMost } from '../../snapshots/codec.js';
import { medianOfFirst } from '../../stats/median.js';
import { MAD_TO_SIGMA } from '../scale.js';
import { SeasonTable } from '../seasonTable.js';

/** Bins per period at most (30 minutes of a day at a 1-minute step). */
const BINS = 48;
/**
 * Fewest points a bin must average for its one-day noise to be read (and a profile of fewer gets none):
 * as WeeklyCorrection's REREAD_MIN_BIN_POINTS, one day's spread of fewer points is too noisy to stand
 * alone. Measured with every period given bins (a 5-, 15- or 60-minute step's day: 6, 4 and 4 points a
 * bin): NAB 74.43 → 71.00 (half A 74.51 → 67.09) and `shift_3sigma_15m` covered 0.60 → 0.47 (seeds 1–8);
 * from 6 points a bin NAB 74.84 (half A 73.70). At 30 only a day of 1,440 points or more has them.
 */
export const MIN_BIN_POINTS = 30;
/** Days each bin keeps (median): one day's burst of noise is outvoted, a lasting change read on its second. */
const DAYS = 3;

/** Each bin's noise of its last DAYS days (bin by bin; null: none), the bin being accumulated and its |changes| so far. */
export const NoiseState = z.tuple([z.array(Num), z.number().int().min(-1), z.array(z.number().min(0))]);
export type NoiseState = z.infer<typeof NoiseState>;

export class NoiseProfile {
  /** Each bin's noise of its last DAYS days, σ in the series' units (16-bit: a scale needs no more). */
  private readonly days: SeasonTable;
  private bin = -1;
  /** The current bin's |changes| (its first `count`). */
  private readonly changes: Float64Array;
  private count = 0;

  /** A noise profile for `period`, or null where its bins would average fewer than MIN_BIN_POINTS. */
  static forPeriod(period: number): NoiseProfile | null {
    return period / BINS >= MIN_BIN_POINTS ? new NoiseProfile(period) : null;
  }

  private constructor(readonly period: number) {
    this.days = new SeasonTable(BINS, DAYS);
    this.changes = new Float64Array(Math.ceil(period / BINS));
  }

  private binOf(phase: number): number {
    return Math.floor((phase * BINS) / this.period);
  }

  /** The bin `at` read last and its median (read at every point; it changes only when a bin is stored). */
  private readBin = -1;
  private readSigma = NaN;

  /** The noise learnt at `phase`: its median over the days kept (NaN: none yet). */
  at(phase: number): number {
    const b = this.binOf(phase);
    if (b !== this.readBin) {
      this.readBin = b;
      this.readSigma = this.days.median(b);
    }
    return this.readSigma;
  }

  /**
   * Learn the residual's change from the last learnt point (`change`; NaN: none, that point was not learnt)
   * at `phase`. Call only for points learnt outside incidents: a bin whose day was mostly inside one keeps
   * what it had. A finished bin stores its day's σ from the median |change| (as the noise scale reads its
   * window: robust to the few outliers a day has).
   */
  learn(phase: number, change: number): void {
    const b = this.binOf(phase);
    if (b !== this.bin) {
      // At least half of the bin's points: a bin cut short by an incident or a gap is not its day's noise.
      if (this.bin >= 0 && 2 * this.count * BINS >= this.period) {
        // Changes of independent noise have median |Δ| = 0.6745 · √2 σ: σ = MAD_TO_SIGMA / √2 · that.
        this.days.push(this.bin, MAD_TO_SIGMA * Math.SQRT1_2 * medianOfFirst(this.changes, this.count));
        if (this.bin === this.readBin) this.readBin = -1;
      }
      this.bin = b;
      this.count = 0;
    }
    if (!Number.isNaN(change) && this.count < this.changes.length)
      this.changes[this.count++] = Math.abs(change);
  }

  snapshot(): NoiseState {
    return [this.days.snapshot(), this.bin, Array.from(this.changes.subarray(0, this.count))];
  }

  restore(s: NoiseState, path: string): void {
    this.days.restore(s[0], `${path}[0]`, `${BINS} bins × ${DAYS} days`);
    this.readBin = -1;
    this.bin = s[1];
    expectAtMost(`${path}[2]`, s[2].length, this.changes.length, 'points a bin holds');
    this.changes.set(s[2]);
    this.count = s[2].length;
  }
}
