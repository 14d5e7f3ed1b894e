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
 *
 * Inside an incident it does not move toward an hour the incident's onset contradicts: where, over the
 * samples just before the incident opened (ONSET_HALF_LIFE), the profile as it is fitted better than that
 * move. A clock that moved at night misfits gradually as the next ramp rises, and the moved profile fits
 * before any point is flagged; a level shift begins at once, fitted by the profile as it is up to its
 * first point. Without this, a 4σ shift that began at 04:00–07:00, on the morning ramp, was read as the
 * clock moving an hour earlier 1–2 hours into it: the table moved, the profile rose above the shifted
 * level and the incident was lost (scenario suite `shift_4sigma_dawn`, seeds 1–8: covered 0.560 → 0.973;
 * every other row as before, the clock rows included).
 *
 * It also keeps, for each move, the evidence for it: a CUSUM of the log likelihood ratio of the moved
 * profile against the profile as it is (Σ (z² − z_moved²) / 2, floored at 0), and how many samples it has
 * been building. At a move that count is where the misfit began (Profile.watchClock keeps what was learnt
 * since in place). Tried as a test of its own, to move before the first morning's misfit pages (measured,
 * not kept): taken at every point, less 0.5 a point, a move once it reached 20 came before the first
 * flagged point on most seeds (clock rows 0.17 / 0.13 → 0.05 / 0.06 false episodes a day, seeds 1–8), but
 * a profile lagging a trend fits an hour-moved one better on every ramp, and heavy tails and a first week
 * build as much (20–150 on clean rows where the clock rows held 10–200 at their first flag): 18 other rows
 * gained false moves (`drop_40pct` 0.02 → 0.34 a day, its evidence built inside the incident; NAB 73.42 →
 * 72.94). Frozen inside incidents, with z clipped at 4, a slow level (half-life 3 hours) taken out or a
 * larger drift, the clean rows' and the clock rows' evidence still overlapped.
 */
import { z } from 'zod';
import { Num, dec, enc } from '../snapshots/codec.js';

/**
 * Mean and mean square of z against the profile as it is, an hour later and an hour earlier; samples since
 * the last move (below 0: resting after one); and the onset check's recent mean squares of the three and
 * its flags (ONSET_* bits; absent before 2026-12: none); each move's evidence and the samples it has been
 * building (absent before 2026-12: none).
 */
export const ClockWatchState = z.tuple([
  z.array(Num).length(6),
  z.number().int(),
  z.tuple([z.array(Num).length(3), z.number().int().min(0).max(7)]).optional(),
  z.tuple([z.array(Num).length(2), z.array(z.number().int().min(0)).length(2)]).optional(),
]);
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
/**
 * Half-life, in samples, of the onset check's mean squares: the ~10 minutes before an incident opened.
 * With the hour of the move averages, the night before a clock move's first ramp outvoted the ramp itself,
 * and a real move waited out its incidents (`clock_later_1h` 0.12 → 0.15 false episodes a day, seeds 1–8);
 * with 1 sample, one noisy sample decided (`shift_4sigma_dawn` covered 0.885).
 */
const ONSET_HALF_LIFE = 2;
const ONSET_ALPHA = 1 - 2 ** (-1 / ONSET_HALF_LIFE);
/** The onset check's flags: inside an incident; its onset contradicted a move later / earlier. */
const IN_INCIDENT = 1;
const VETO_LATER = 2;
const VETO_EARLIER = 4;
/** Where the onset check's three recent mean squares begin in the watch's one array. */
const RECENT = 6;
/** Where the evidence for each move (later, earlier) and the samples it has been building begin in it. */
const EVIDENCE = RECENT + 3;

export class ClockWatch {
  /**
   * [mean, mean square] of z against the profile as it is, an hour later, an hour earlier; then the onset
   * check's recent mean square of each (at RECENT): one typed array, as each costs ~170 bytes of heap
   * objects besides its values (issue 15).
   */
  private readonly moments = new Float64Array(EVIDENCE + 4).fill(NaN).fill(0, EVIDENCE);
  private samples = 0;
  /** The onset check's flags (IN_INCIDENT, VETO_LATER, VETO_EARLIER). */
  private onset = 0;
  /** Samples the evidence for the last move had been building (since it last left 0): its misfit's span. */
  lastSpan = 0;

  /**
   * Learn one sample; returns +1 (the clock moved an hour later), −1 (earlier) or 0. A move restarts the
   * averages and rests the watch for REST_SAMPLES (its sample count starts that far below 0). `incident`:
   * the point is inside an open incident (the onset check).
   */
  sample(here: number, later: number, earlier: number, incident = false): -1 | 0 | 1 {
    if (!Number.isFinite(here) || !Number.isFinite(later) || !Number.isFinite(earlier)) return 0;
    this.checkOnset(incident, here, later, earlier);
    this.average(0, here);
    this.average(1, later);
    this.average(2, earlier);
    this.accumulate(0, here, later);
    this.accumulate(1, here, earlier);
    this.samples++;
    const m = this.moments;
    if (this.samples < MIN_SAMPLES) return 0;
    const meanSquare = (k: number) => m[2 * k + 1];
    if (meanSquare(0) < BAD) return 0;
    // The better of the two moves; it must fit within the noise, in level too.
    const k = meanSquare(1) <= meanSquare(2) ? 1 : 2;
    if (meanSquare(k) > GOOD || meanSquare(k) > RATIO * meanSquare(0) || Math.abs(m[2 * k]) > LEVEL) return 0;
    if ((this.onset & IN_INCIDENT) !== 0 && (this.onset & (k === 1 ? VETO_LATER : VETO_EARLIER)) !== 0)
      return 0;
    this.moments.fill(NaN, 0, RECENT);
    this.lastSpan = this.moments[EVIDENCE + 2 + k - 1];
    this.moments.fill(0, EVIDENCE);
    this.samples = -REST_SAMPLES;
    return k === 1 ? 1 : -1;
  }

  /**
   * At an incident's first sample, which moves the samples just before it contradict (the profile as it is
   * fitted them better); then the recent mean squares take this sample in.
   */
  private checkOnset(incident: boolean, here: number, later: number, earlier: number): void {
    const r = this.moments;
    if (!incident) this.onset = 0;
    else if ((this.onset & IN_INCIDENT) === 0) {
      // NaN (no sample before): nothing to contradict.
      const here2 = r[RECENT];
      this.onset =
        IN_INCIDENT | (r[RECENT + 1] > here2 ? VETO_LATER : 0) | (r[RECENT + 2] > here2 ? VETO_EARLIER : 0);
    }
    this.recentSquare(RECENT, here);
    this.recentSquare(RECENT + 1, later);
    this.recentSquare(RECENT + 2, earlier);
  }

  /** The onset check's recent mean square at slot `at` takes z in (the first sample sets it). */
  private recentSquare(at: number, z: number): void {
    const r = this.moments;
    r[at] = Number.isNaN(r[at]) ? z * z : r[at] + ONSET_ALPHA * (z * z - r[at]);
  }

  /** The evidence for move k (0: later, 1: earlier) takes a sample in. */
  private accumulate(k: number, here: number, moved: number): void {
    const m = this.moments;
    const e = Math.max(0, m[EVIDENCE + k] + (here * here - moved * moved) / 2);
    m[EVIDENCE + 2 + k] = e > 0 ? m[EVIDENCE + 2 + k] + 1 : 0;
    m[EVIDENCE + k] = e;
  }

  /** Hypothesis k's mean and mean square take z in (the first sample sets them). */
  private average(k: number, z: number): void {
    const m = this.moments;
    m[2 * k] = Number.isNaN(m[2 * k]) ? z : m[2 * k] + ALPHA * (z - m[2 * k]);
    m[2 * k + 1] = Number.isNaN(m[2 * k + 1]) ? z * z : m[2 * k + 1] + ALPHA * (z * z - m[2 * k + 1]);
  }

  /** The samples each move's evidence has been building. */
  private evidenceSince(): number[] {
    return [this.moments[EVIDENCE + 2], this.moments[EVIDENCE + 3]];
  }

  snapshot(): ClockWatchState | null {
    return this.samples === 0
      ? null
      : [
          Array.from(this.moments.subarray(0, RECENT), enc),
          this.samples,
          [Array.from(this.moments.subarray(RECENT, EVIDENCE), enc), this.onset],
          [Array.from(this.moments.subarray(EVIDENCE, EVIDENCE + 2), enc), this.evidenceSince()],
        ];
  }

  restore(s: ClockWatchState): void {
    s[0].forEach((v, i) => (this.moments[i] = dec(v)));
    this.samples = s[1];
    this.moments.fill(NaN, RECENT);
    this.onset = 0;
    if (s[2]) {
      s[2][0].forEach((v, i) => (this.moments[RECENT + i] = dec(v)));
      this.onset = s[2][1];
    }
    this.moments.fill(0, EVIDENCE);
    if (s[3]) {
      s[3][0].forEach((v, i) => (this.moments[EVIDENCE + i] = dec(v)));
      s[3][1].forEach((v, i) => (this.moments[EVIDENCE + 2 + i] = v));
    }
  }
}
