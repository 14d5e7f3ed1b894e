/**
 * The weekly correction of a seasonal profile (WeeklyCorrection): a factor per bin of the long cycle (a
 * week's 30-minute bins) on the daily median, learnt one bin at a time.
 */
import { dec, enc, encFloat32, expectLength, expectSame, type Num } from '../../snapshots/codec.js';
import { SeasonTable } from '../seasonTable.js';
import { ewMean } from '../../stats/windows.js';
import type { WeeklyState } from './state.js';

/**
 * Bins per base cycle of the weekly correction (at most; a bin holds at least MIN_BIN_POINTS points).
 * Why 48 (30 minutes at a 1-minute step): the correction only carries the weekly shape (weekend level,
 * the ramps into and out of it); short features stay in the full-resolution daily table. 7 × 48 × 3
 * values are 2.4 KB (SeasonTable) where a full-resolution weekly profile at 1-minute steps would be
 * 7 × 1,440 × 3 Float64 = 242 KB. Measured (seeds 1–2, false/day weekly_weekend / clean_gaussian): 24 bins 0.98 / 1.08,
 * 48 bins 0.91 / 1.11, 96 bins 0.93 / 1.18.
 */
const WEEKLY_BINS = 48;
const MIN_BIN_POINTS = 4;
/**
 * How far (in natural log, ~5 %) a first-week factor learnt again when the week comes round must move before
 * it is replaced (WeeklyCorrection.relearnFirstWeek). A series begun on a weekday moves its factors by
 * 1–3 % (the table's level at the end of the week against the one each was learnt on), and replaced, a
 * Friday night of week 2 paged on a seed or two; a series begun before a weekend moves them by 15–40 %.
 * Scenario suite, seeds 1–8, false episodes a day of `clean_from_friday` / `_saturday` / `_sunday`: every
 * factor replaced, 0.137 / 0.060 / 0.066, but every row begun on a Monday +0.01–0.07 (`weekly_weekend`
 * 0.048 → 0.125); at 0.03, 0.078 / 0.048 / 0.066, but `shift_3sigma_evening` covered 0.594 → 0.475 and
 * `weekly_weekend` 0.084; at 0.05, 0.090 / 0.119 / 0.107, every other row as without; at 0.07, 0.257 /
 * 0.197 / 0.179.
 */
const RELEARN_TOLERANCE = 0.05;
/**
 * How far (in natural log, ~16 %) a bin's second week may be from its imputed first week's own ratio for the
 * pattern to count as come again (WeeklyCorrection.settleImputed). A weekend at 30–40 % of the weekdays is
 * 0.9–1.2 away from an imputed weekday factor and within 0.01–0.05 of its own first week; a first week's
 * 40 % drop back to normal is 0.51 from it.
 */
const RECURRENCE_TOLERANCE = 0.15;
/** Weight of a finished bin in the weekly correction's recent factor (half-life 4 bins: 2 hours at 1 minute). */
const RECENT_ALPHA = 1 - 2 ** (-1 / 4);
/** Weeks the correction (and a full-resolution multiple) keeps per bin (median). */
export const WEEKLY_SEASONS = 3;

/**
 * WeeklyCorrection.rereadDay reads a bin's one-day mean again only where a bin averages at least this
 * many points (a 1-minute step's 30-minute bins). Fewer points make the mean of one day too noisy to stand
 * alone: at a 5-minute step (6 points a bin) the re-read factors paged their own noise on the second
 * Monday's morning (`shift_3sigma_5m` 0.082 → 0.137, `clean_gaussian_5m` 0.101 → 0.128 false episodes a
 * day, seeds 9–16), where the factor learnt against a table holding its own day did not.
 */
const REREAD_MIN_BIN_POINTS = 30;

/** The upper median of `values` (sorts them; NaN when there are none). */
function upperMedian(values: number[]): number {
  values.sort((a, b) => a - b);
  return values.length > 0 ? values[Math.floor(values.length / 2)] : NaN;
}

/**
 * The weekly correction: a factor on the daily profile, per bin of the long cycle (e.g. 30-minute bins
 * of the week): the bin's Σx / Σ daily median, median over the last WEEKLY_SEASONS weeks. Why a
 * factor: weekend traffic is weekday traffic scaled (a 3× spike at 06:00 is 3× on Sunday too, where an
 * additive bin mean would flag it), and a factor needs no resolution of its own, so the daily table
 * keeps every 5-minute feature. It is fed one bin at a time, so it needs no week-long history ring, and
 * it is read interpolated between bin centres within a day (not across midnight, where a daily median
 * may jump). A bin whose daily median is not positive has no factor (1). A bin is used from its first
 * stored week: a weekend must not page on its second occurrence; the cost is that a one-off incident
 * echoes (as a smaller deviation) the next week.
 */
export class WeeklyCorrection {
  readonly bins: number;
  readonly table: SeasonTable;
  private bin = -1;
  private sumX = 0;
  private sumDaily = 0;
  private count = 0;
  /** The current bin's sums over points learnt outside incidents (see recent). */
  private normalX = 0;
  private normalDaily = 0;
  private normalCount = 0;
  /**
   * The factor of the last finished bin whose points were mostly learnt outside incidents (NaN: none yet):
   * the level of the day so far relative to the daily median, what Profile.predict reads where no week is
   * stored yet (a series' first week). Why: there the level offset alone carried the weekend, additively,
   * so a daily feature scaled with the traffic (a 3× spike at 06:00) was expected at its weekday height on
   * the first Saturday and Sunday and paged down, score 2–3, on both days (recurring_spike, every seed).
   * Incident points do not move it, so a drop in the first week is not absorbed after one bin.
   */
  private recent = NaN;
  /**
   * The mean value of each bin's first week (NaN: no point), until rereadDay has read its day again in week
   * 2 (NaN after; null once week 2 is over: 1.3 KB at a 1-minute step, Float32 as the table's values are
   * stored to about that precision).
   */
  private firstMeans: Float32Array | null;
  /**
   * Per bin, the ratio a first-week bin stored as imputed had of its own (NaN: not imputed, or settled),
   * until its weeks outvote the imputed value (null while none is: see learn and readsImputed).
   */
  private imputedRatios: Float32Array | null = null;
  /** How many bins of imputedRatios are set. */
  private imputedLeft = 0;
  constructor(
    readonly period: number,
    readonly multiple: number,
  ) {
    this.bins = Math.max(1, Math.min(WEEKLY_BINS, Math.floor(period / MIN_BIN_POINTS)));
    this.table = new SeasonTable(multiple * this.bins, WEEKLY_SEASONS);
    this.firstMeans = new Float32Array(multiple * this.bins).fill(NaN);
  }

  /**
   * When the first week comes round: every first-week factor learnt again, against the daily table as it is
   * now (`daily(phase)`: its median), where that moves it by more than RELEARN_TOLERANCE. Returns the bins
   * learnt again (1).
   *
   * Why: a factor is a bin's x ÷ the table's median when it was learnt, and the first days' medians were of
   * a few days, the days the series began on. A series begun on a Sunday learnt its Sunday against the mean
   * of a Sunday and a Monday (its day was found with 2¼ days in the table), so the Sunday factor was 0.82
   * where the weekend is 0.7 of a weekday, and its second and third Sundays paged for hours; begun on a
   * Saturday, its Monday and Tuesday were learnt against a weekend (factor 1.4). The table at the week's end
   * holds its last five days, at most one of them a weekend day whatever the first day was, which is also
   * the level the factors are read against from now on. False episodes a day, scenario suite seeds 1–8:
   * `clean_from_friday` / `_saturday` / `_sunday` 0.585 / 0.490 / 0.717 → 0.090 / 0.119 / 0.107, every
   * other row identical. The bin still accumulating (the week's last) is learnt again through its sums.
   */
  relearnFirstWeek(daily: (phase: number) => number): Uint8Array {
    const means = this.firstMeans;
    const moved = new Uint8Array(this.table.slots);
    if (!means) return moved;
    const open = this.bin >= 0 && this.count > 0 && Number.isNaN(this.table.oldestStored(this.bin));
    for (let b = 0; b < means.length; b++) {
      const inProgress = open && b === this.bin;
      const mean = inProgress ? this.sumX / this.count : means[b];
      const reference = this.binDaily(b, daily);
      if (!(mean >= 0) || !(reference > 0)) continue;
      const factor = mean / reference;
      const stored = inProgress ? this.sumX / this.sumDaily : this.table.oldestStored(b);
      if (!(stored > 0) || Math.abs(Math.log(factor / stored)) <= RELEARN_TOLERANCE) continue;
      if (inProgress) this.sumDaily = this.sumX / factor;
      else this.table.scaleOldestStored(b, factor / stored);
      moved[b] = 1;
    }
    return moved;
  }

  /**
   * At the first point of each day of the series' second week (Profile.predict; for the series' first day
   * after relearnFirstWeek and Profile.alignFirstWeek): the bins of `day` (its day of the week) take the
   * shape within the day they have against the daily table as it is now (`daily(phase)`: its median), at
   * the level (median over the day's bins) they have; that day's first-week means are then let go.
   *
   * Why: the table now is the one that day is expected against this week, and only that day's: the
   * `seasons` days before it, each divided by its day's factor. Learnt against the seeded table (the first days
   * as they were), the first day lacked what that division does around midnight, where the weekend's ramps
   * divided by a weekend day's factor (or a weekday's) move the table's median by a few % to another day:
   * under a trend of 1 % a day that day is a few days older or younger, and the series' second and third
   * Mondays 00:00–03:00 were expected 6–8 % too high (clean_decline, "level shift down" for up to 2 hours).
   * Only the shape: the level is also what divides the day into the daily table next week, and every other
   * day's factor was learnt against a seeded or a filling table; learnt again as a whole it was ~1 % apart
   * from them (a weekend's mix), which moved every later weekday's median and lost half of the evening 3σ
   * shifts of week 2 on some seeds (`shift_3sigma_evening` covered 0.876 → 0.730, seeds 1–8).
   * Only where a bin averages REREAD_MIN_BIN_POINTS points (a 1-minute step): one day's mean of fewer is
   * too noisy to stand alone. Scenario suite, false episodes a day (seeds 1–8 / README / 101–108 / 9–16):
   * `clean_decline` 0.161 / 0.134 / 0.155 / 0.143 → 0.036 / 0.038 / 0.066 / 0.066, `clean_from_sunday`
   * 0.107 / 0.086 / 0.149 / 0.137 → 0.084 / 0.086 / 0.113 / 0.113, `weekly_weekend` 0.048 / 0.038 /
   * 0.060 / 0.084 → 0.048 / 0.019 / 0.042 / 0.072, and every row that begins on a Monday one episode
   * fewer on most sets (its second Monday morning); `clean_from_saturday` 0.137 / 0.162 / 0.102 / 0.131 →
   * 0.107 / 0.115 / 0.113 / 0.143; coverage and onset identical on every incident row; NAB identical. A
   * median of each bin's move over 5 bins instead of the gate: NAB half A 72.80 → 72.71 (a false positive).
   *
   * Every day, not only the first (2026-12): the table at the week's end (relearnFirstWeek) is the first
   * day's only, and a later day's median around midnight is of other days: at Monday 00:00 the days before
   * hold a Saturday (a ramp out of Friday divided by a weekend day's factor: high), at the week's end a
   * Monday (the ramp out of Sunday divided by a weekday's: low), so the median of five moved by ~0.6σ of
   * the noise to another order statistic, and what relearnFirstWeek's tolerance left alone (up to 5 %)
   * stayed. A series begun on a Friday expected its second and third Mondays 00:00–01:00 4–5 % high, its
   * Monday to Wednesday 22:00–24:00 3–7 % low; begun on a Saturday, its Sundays 00:00–02:00 high ("level
   * shift" for up to 2 hours on both weeks: the third reads the older of two weeks). Read on its own day,
   * each is read against the days it is expected from, as every later week's factor is learnt. The level
   * stays, as for the first day: the shape is what the days before change. Scenario suite, false episodes
   * a day (seeds 1–8 / README / 101–108 / 9–16), with alignFirstWeek's band about the week's median and
   * the last day divided before the week's end reads the table (Profile.predict): `clean_from_friday`
   * 0.096 / 0.162 / 0.119 / 0.072 → 0.048 / 0.057 / 0.084 / 0.054, `clean_from_saturday` 0.107 / 0.115 /
   * 0.113 / 0.143 → 0.042 / 0.057 / 0.048 / 0.054, `clean_from_sunday` 0.084 / 0.086 / 0.113 / 0.113 →
   * 0.072 / 0.038 / 0.072 / 0.066; `shift_3sigma_evening` covered 0.876 / 0.773 / 0.775 / 0.810 → 0.915 /
   * 0.843 / 0.823 / 0.887 (its week-2 Tuesday–Friday evenings read against their own days); most other
   * rows within one episode (seeds 5 and 13 one more single point on the rows sharing their noise, the
   * README seeds one fewer on most rows); `variance_burst` covered 0.365 / 0.330 / 0.190 / 0.206 → 0.350 /
   * 0.330 / 0.200 / 0.135 (seeds 12 and 16 no longer open an incident in the burst: a flip of a marginal
   * detection, 0.35 → 0.02). NAB 73.42 / 63.73 / 78.83 → 73.48 / 63.84 / 78.87 (half A 72.80 → 72.82, B
   * 74.19 → 74.20; one false positive fewer). Without this (the other two changes alone):
   * `clean_from_friday` 0.102 / 0.115 / 0.161 / 0.096.
   */
  rereadDay(daily: (phase: number) => number, day: number): void {
    const means = this.firstMeans;
    if (!means || this.period / this.bins < REREAD_MIN_BIN_POINTS) {
      this.firstMeans = null;
      return;
    }
    const stored: number[] = [];
    const read = new Float64Array(this.bins).fill(NaN);
    const reads: number[] = [];
    for (let i = 0; i < this.bins; i++) {
      const b = day * this.bins + i;
      const f = this.table.oldestStored(b);
      const reference = this.binDaily(b, daily);
      if (!(f > 0) || !(means[b] > 0) || !(reference > 0)) continue;
      stored.push(f);
      read[i] = means[b] / reference;
      reads.push(read[i]);
    }
    for (let i = 0; i < this.bins; i++) means[day * this.bins + i] = NaN;
    if (reads.length === 0) return;
    const level = upperMedian(stored) / upperMedian(reads);
    for (let i = 0; i < this.bins; i++) {
      const b = day * this.bins + i;
      if (read[i] > 0) this.table.scaleOldestStored(b, (read[i] * level) / this.table.oldestStored(b));
    }
  }

  /** The first week's means let go: week 2 is over (rereadDay has read each of its days again). */
  releaseFirstWeek(): void {
    this.firstMeans = null;
  }

  /** The mean of `daily` over the phases of bin `b` (NaN where none is known). */
  private binDaily(b: number, daily: (phase: number) => number): number {
    const p = this.period;
    const inDay = b % this.bins;
    let sum = 0;
    let n = 0;
    for (let ph = Math.ceil((inDay * p) / this.bins); ph < Math.ceil(((inDay + 1) * p) / this.bins); ph++) {
      const d = daily(ph);
      if (!Number.isNaN(d)) {
        sum += d;
        n++;
      }
    }
    return n > 0 ? sum / n : NaN;
  }

  /**
   * A bin's factor over its stored weeks (`skipNewest`: this week's left out); of two weeks, the older
   * instead of their mean (SeasonTable.median's `olderOfTwo`). With three weeks a one-off week is outvoted; with two, the mean of a
   * normal week and a 6-hour 40 % drop expected the next week's same hours 20 % low, and they paged again for
   * all 6 hours (21-day series, seeds 1–8: 345–382 points → 0; false episodes a day 0.07 → 0.01), and a
   * lasting change's first days, learnt while the daily table lagged the new level, paged for a day a week
   * later (0.15 / 0.29 → 0.03 / 0.13 a day, rise / drop; docs/detection-quality.md). The one nearer no
   * weekly effect instead: a lasting rise's first Saturday, learnt near 1, was read on the next (0.07). A new
   * weekly pattern is read from its third week on, as the median of three reads it.
   */
  private binMedian(bin: number, skipNewest = false): number {
    return this.table.median(bin, skipNewest, true);
  }

  private binOf(position: number): number {
    const p = this.period;
    const inLong = position % (p * this.multiple);
    const day = Math.floor(inLong / p);
    return day * this.bins + Math.floor(((inLong - day * p) * this.bins) / p);
  }

  /** The day dayFactor was read for (absolute day number; NaN: none yet) and its factor. */
  private day = NaN;
  private dayValue = 1;
  /**
   * The weekly factor of the day of `position`: the median over its bins (1 where none is stored), read at
   * the day's first point and kept for the day, so it comes from the weeks before (the day's own bins,
   * pushed as it goes, would divide a day by its own level). Kept in the snapshot.
   */
  dayFactor(position: number): number {
    const day = Math.floor(position / this.period);
    if (day === this.day) return this.dayValue;
    const f = this.factorOf(day);
    this.day = day;
    this.dayUnseen = Number.isNaN(f);
    this.dayValue = this.dayUnseen ? 1 : f;
    return this.dayValue;
  }

  /** Whether none of the bins of the day dayFactor last read had a week stored then (its factor was 1). */
  private dayUnseen = false;

  /**
   * The factor of the day before `day`, now that its own bins are stored, when dayFactor read that day
   * unseen (Profile.endDay); NaN otherwise, and after the first call for it.
   */
  takeUnseenFactor(day: number): number {
    if (!this.dayUnseen || this.day !== day - 1) return NaN;
    this.dayUnseen = false;
    return this.factorOf(day - 1);
  }

  /** The median over the bins of `day`'s day of the week (NaN: none stored). */
  factorOf(day: number): number {
    const inWeek = day % this.multiple;
    const values: number[] = [];
    for (let b = inWeek * this.bins; b < (inWeek + 1) * this.bins; b++) {
      const v = this.binMedian(b);
      if (!Number.isNaN(v)) values.push(v);
    }
    // The upper median, not the mean of the middle two (SeasonTable.median's): with that the README seeds' table is
    // identical and seeds 1–8 page slightly more (false episodes a day shift_4sigma 0.04 → 0.07,
    // weekly_weekend 0.15 → 0.16, counter_resets 0.03 → 0.04), so the upper median stays.
    return upperMedian(values);
  }

  /**
   * The series' clock moved by `shift` bins (Profile.watchClock), noticed at `position`, the move's misfit
   * since `since`: the bins of the week learnt since then were the new clock's traffic already, learnt
   * against the daily table before it moved (`dailyBefore`, `dailyAfter`: its median at a phase before and
   * after the move), so they stay where they are, re-read against the moved table, and the bin being
   * accumulated too; the rest of the table rotates.
   */
  moveClock(
    shift: number,
    position: number,
    since: number,
    dailyBefore: (ph: number) => number,
    dailyAfter: (ph: number) => number,
  ): void {
    const long = this.period * this.multiple;
    const weekStart = position - (position % long);
    const done = this.bin >= 0 && this.count > 0 ? this.bin : this.binOf(position);
    const from = since >= weekStart ? this.binOf(since) : 0;
    const reread = (b: number) => this.binDaily(b, dailyBefore) / this.binDaily(b, dailyAfter);
    // The imputed bins' own ratios are of bins that have moved: what a second week would settle against is
    // no longer known, so the imputed weeks stay as stored until their third week outvotes them.
    this.imputedRatios = null;
    this.imputedLeft = 0;
    this.table.rotateKeeping(shift, done, from, (b, v) => {
      const r = reread(b);
      return r > 0 && Number.isFinite(r) ? v * r : v;
    });
    if (this.bin >= from && this.count > 0) {
      const r = 1 / reread(this.bin);
      if (r > 0 && Number.isFinite(r)) {
        this.sumDaily *= r;
        this.normalDaily *= r;
      }
    }
  }

  /** Factor at `position`; NaN where no week has been stored yet for its bin (the week is not seen). */
  at(position: number): number {
    const p = this.period;
    const nb = this.bins;
    const b = this.binOf(position);
    const v = this.binMedian(b);
    if (Number.isNaN(v)) return NaN;
    // Position within the bin relative to its centre, in bins: −0.5 … 0.5.
    const inDay = position % p;
    const u = (inDay * nb) / p - (b % nb) - 0.5;
    const nbBin = u >= 0 ? b + 1 : b - 1;
    // Interpolate only toward a neighbour of the same day.
    if (Math.floor(nbBin / nb) !== Math.floor(b / nb) || nbBin < 0) return v;
    // The previous bin was just stored from this week: read it from earlier weeks only, as every other
    // bin is, or a one-off burst in it moves the expected value of the next half bin (an echo that
    // opened a short incident and widened the ranges after each of the repeated bursts).
    const w = this.binMedian(nbBin, u < 0);
    if (Number.isNaN(w)) return v;
    return v + Math.abs(u) * (w - v);
  }

  /** The factor of the last finished bin learnt mostly outside incidents; NaN before one (see `recent`). */
  recentFactor(): number {
    return this.recent;
  }

  /**
   * Accumulate x against the daily median at `position` (either NaN: nothing); a finished bin is stored.
   * `normal`: x was learnt outside an incident (the recent factor's points).
   *
   * A first-week bin learnt mostly inside an incident is stored as `recent` (NaN before any normal bin:
   * unseen), and is not learnt again when the week comes round (relearnFirstWeek: no kept mean). Why: the
   * next week reads a bin's one stored week as it is, so a 6-hour 40 % drop on a series' third day (a
   * job's first live day) was expected again a week later, and normal traffic paged "level shift up" for
   * the drop's 6 hours (`drop_40pct_day3`, every seed). From the second week on the stored weeks outvote
   * an incident (binMedian's older of two, then the median of three), and a bin is stored as learnt: a
   * weekly pattern that opened an incident in the first week is read from its third (from its second
   * where the second week brings its own ratio again: settleImputed). Stored as missing
   * instead, such a bin was unseen inside a seen weekend and paged there the next week (a first Sunday's
   * incident, `weekly_weekend_5m` seed 107: an hour at 8.3); stored so on every week, it was never learnt.
   * Scenario suite, false episodes a day (seeds 1–8 / README / 101–108): `drop_40pct_day3` 0.179 / 0.244 /
   * 0.162 → 0.063 / 0.086 / 0.072; every other row identical but `clean_gaussian_15m` on the README seeds
   * (0 → 0.031) and `shift_3sigma_15m`'s coverage on seeds 1–8 (0.573 → 0.542); NAB identical.
   */
  learn(position: number, x: number, daily: number, normal: boolean): void {
    const b = this.binOf(position);
    if (b !== this.bin) {
      if (this.bin >= 0 && this.count > 0) {
        const first = Number.isNaN(this.table.oldestStored(this.bin));
        // In a series' first week a bin learnt mostly inside an incident stores the recent normal bins'
        // factor, not its own ratio: with no other week stored, the next week reads that one alone (below).
        const imputed = this.firstMeans !== null && first && 2 * this.normalCount < this.count;
        if (this.firstMeans && first && !imputed) this.firstMeans[this.bin] = this.sumX / this.count;
        const ratio = this.sumDaily > 0 && this.sumX >= 0 ? this.sumX / this.sumDaily : NaN;
        if (imputed) this.markImputed(this.bin, ratio);
        else if (!first) this.settleImputed(this.bin, ratio);
        this.table.push(this.bin, imputed ? this.recent : ratio);
      }
      if (2 * this.normalCount > this.count && this.normalDaily > 0 && this.normalX >= 0) {
        const f = this.normalX / this.normalDaily;
        this.recent = ewMean(this.recent, f, RECENT_ALPHA);
      }
      this.bin = b;
      this.sumX = this.sumDaily = this.count = 0;
      this.normalX = this.normalDaily = this.normalCount = 0;
    }
    if (!Number.isNaN(x) && !Number.isNaN(daily)) {
      this.sumX += x;
      this.sumDaily += daily;
      this.count++;
      if (normal) {
        this.normalX += x;
        this.normalDaily += daily;
        this.normalCount++;
      }
    }
  }

  private markImputed(bin: number, ratio: number): void {
    if (!(ratio >= 0)) return;
    const marks = (this.imputedRatios ??= new Float32Array(this.table.slots).fill(NaN));
    if (Number.isNaN(marks[bin])) this.imputedLeft++;
    marks[bin] = ratio;
  }

  /**
   * A later week's bin is stored with `ratio`: where the bin's first week was imputed and this is its second
   * week, a ratio within RECURRENCE_TOLERANCE of the first week's own makes that its stored value (the
   * pattern came again: it is the series', not an incident's); from its third week the median outvotes
   * the imputed week whatever it was, and the mark goes.
   *
   * Why: an imputed first week was read by the second (its only week) and, with binMedian's older of two,
   * by the third too, so a weekly pattern that opened an incident in the first week (office traffic's
   * weekend at 30 % of a working day, flagged all day before the week was seen) paged on three weekends,
   * ~10 hours a day; the issue asks that a pattern on 3 cycles be normal. Not on the second week's ratio
   * alone: a first week's one-off drop must not come back a week later.
   */
  private settleImputed(bin: number, ratio: number): void {
    const marks = this.imputedRatios;
    if (!marks || Number.isNaN(marks[bin])) return;
    const second = Number.isNaN(this.table.at(bin, this.table.seasons - 2));
    if (second) {
      const own = marks[bin];
      if (!(own > 0 && ratio > 0) || Math.abs(Math.log(ratio / own)) > RECURRENCE_TOLERANCE) return;
      const stored = this.table.oldestStored(bin);
      if (stored > 0) this.table.scaleOldestStored(bin, own / stored);
    }
    marks[bin] = NaN;
    if (--this.imputedLeft === 0) this.imputedRatios = null;
  }

  /**
   * Whether the factor at `position` still reads a week stored as imputed (see settleImputed): a weekly
   * pattern not known yet, which the clock watch must not take for a moved clock (Profile.watchClock).
   */
  readsImputed(position: number): boolean {
    return this.imputedRatios !== null && !Number.isNaN(this.imputedRatios[this.binOf(position)]);
  }

  snapshot(): WeeklyState {
    return {
      multiple: this.multiple,
      bins: this.bins,
      table: this.table.snapshot(),
      bin: this.bin,
      sumX: enc(this.sumX),
      sumDaily: enc(this.sumDaily),
      count: this.count,
      ...(Number.isNaN(this.day) ? {} : { day: [this.day, enc(this.dayValue)] as [number, Num] }),
      dayUnseen: this.dayUnseen,
      recent: [enc(this.recent), enc(this.normalX), enc(this.normalDaily), this.normalCount],
      ...(this.firstMeans ? { firstMeans: Array.from(this.firstMeans, encFloat32) } : {}),
      ...(this.imputedRatios ? { imputed: Array.from(this.imputedRatios, encFloat32) } : {}),
    };
  }

  restore(s: WeeklyState, path: string): void {
    expectSame(`${path}.multiple`, s.multiple, this.multiple);
    expectSame(`${path}.bins`, s.bins, this.bins);
    this.table.restore(
      s.table,
      `${path}.table`,
      `${this.multiple} × ${this.bins} bins × ${WEEKLY_SEASONS} weeks`,
    );
    this.bin = s.bin;
    this.sumX = dec(s.sumX);
    this.sumDaily = dec(s.sumDaily);
    this.count = s.count;
    this.day = s.day ? s.day[0] : NaN;
    this.dayValue = s.day ? dec(s.day[1]) : 1;
    this.dayUnseen = s.dayUnseen ?? false;
    const [recent, normalX, normalDaily, normalCount] = s.recent ?? [null, 0, 0, 0];
    this.recent = dec(recent);
    this.normalX = dec(normalX);
    this.normalDaily = dec(normalDaily);
    this.normalCount = normalCount;
    if (s.firstMeans) {
      expectLength(`${path}.firstMeans`, s.firstMeans.length, this.table.slots, 'the weekly bins');
      this.firstMeans = Float32Array.from(s.firstMeans, dec);
    } else this.firstMeans = null;
    // Absent: none left (or a snapshot from before 2026-12-08, which kept none).
    if (s.imputed) {
      expectLength(`${path}.imputed`, s.imputed.length, this.table.slots, 'the weekly bins');
      this.imputedRatios = Float32Array.from(s.imputed, dec);
      this.imputedLeft = this.imputedRatios.reduce((n, r) => (Number.isNaN(r) ? n : n + 1), 0);
      if (this.imputedLeft === 0) this.imputedRatios = null;
    } else {
      this.imputedRatios = null;
      this.imputedLeft = 0;
    }
  }
}
