/**
 * Seasonal component: the value against the same phase of the previous cycles (median of the last
 * `seasons` cycles, plus a slowly tracked level offset), scaled by the spread of the residual's recent
 * point-to-point changes (Profile.scale).
 *
 * The period is detected automatically from the history seen so far (ACF, `stats/period.ts`),
 * retried on a schedule as history grows until one is found, or fixed by the caller. When the series
 * step is known (`stepMs`), a detected period within CALENDAR_TOLERANCE of a day or a week snaps to it
 * (ACF peaks on 2–3 cycles land a few points off: 1,451 for 1,440).
 *
 * Once a base period p is known, a weekly-style multiple (7p: weekdays differ from weekends in most
 * traffic) is tracked too: as a full-resolution profile of its own once two of its cycles are in the
 * history, where 3 of its cycles fit the history (5-minute steps and coarser; the profiles compete by
 * their recent residuals), and as a binned factor on the daily profile, learnt without any week-long
 * history (see WeeklyCorrection), where it does not fit (1-minute steps) or where a day holds the
 * factor's bins (steps of 7.5 minutes or less: correctionOf).
 *
 * We chose a seasonal profile over Holt-Winters and augurs MSTL by measurement on NAB (see README):
 * it needs no refit, costs O(seasons) per point, and a median over cycles ignores bad cycles.
 */
import {
  stateOfType,
  type Component,
  type Deviation,
  type LearnMode,
  type TaggedState,
} from '../component.js';
import { Ring, toFloat32 } from '../../stats/windows.js';
import { StateError, expectLength, expectSame } from '../../snapshots/codec.js';
import { calendarPeriodConfirmed, detectPeriod } from '../../stats/period.js';
import { Magnitude, cappedZ } from '../scale.js';
import { CALENDAR_TOLERANCE, DAY_MS, isCalendarDay, periodToAdopt } from './calendar.js';
import { Profile } from './profile.js';
import type { SeasonalState } from './state.js';
import { WEEKLY_SEASONS } from './weeklyCorrection.js';

export interface SeasonalOptions {
  /** Fixed period in points, or null to detect it. */
  period: number | null;
  /** Cycles the phase table keeps; what recurs on more than half of them is normal. */
  seasons: number;
  /** First detection attempt after this many points (see maybeTrack for the schedule). */
  firstCheck: number;
  maxPeriod: number;
  residualWindow: number;
  /**
   * Multiples of the base period also tracked (7: a week over a day): as a full-resolution profile of
   * their own when WEEKLY_SEASONS cycles of it fit the history, else as the base profile's binned
   * correction (the first such multiple).
   */
  multiples: readonly number[];
  /** Series step in ms when known (detected periods snap to a day or a week), null otherwise. */
  stepMs: number | null;
  /**
   * Points every detection check comes later than the schedule (0 in batch scoring): jobs give each
   * series its own stable offset so the series of a job, which start together, do not all run their
   * detection in the same tick (jobs/schedule.ts).
   */
  checkOffset: number;
}

export const DEFAULT_SEASONAL: SeasonalOptions = {
  period: null,
  // 3 cycles, stored unclipped: a pattern seen on 2 of the last 3 cycles is the median, so a daily
  // 5-minute spike is normal from its 3rd day, one bad cycle is ignored (see also CORRECTED_SEASONS).
  seasons: 3,
  firstCheck: 400,
  maxPeriod: 2100,
  residualWindow: 100,
  multiples: [7],
  stepMs: null,
  checkOffset: 0,
};

const HISTORY = 8192;
/**
 * Slots the history starts with, doubling up to HISTORY as points arrive: a fixed period releases it at
 * the second point and a daily period at 1-minute steps is found at 3,240 points (calendarCheckDue), so
 * most streams never hold all of it (issue 15). Its values are Float32 (32 KiB full, not 64): what it
 * seeds a profile with is rounded so by the phase table anyway; period detection reads the rounded values
 * (NAB and the scenario table measured unchanged: docs/performance.md).
 */
const HISTORY_INITIAL = 256;
/**
 * A calendar day of at least this many points (4 an hour: a step of 15 minutes or less) carries the
 * binned weekly correction whatever fits the history (SeasonalComponent.correctionOf: 24 hourly bins at
 * 15 minutes, 48 from 7.5 minutes down) and is confirmed by its own check two cycles and a quarter in,
 * however few points that is (calendarCheckDue: 216 at 15 minutes, where the ACF search began at 400,
 * 4.2 days). NAB has no series between 15 minutes and 1 minute but its 5-minute ones, so it measures the
 * correction only there (73.38 → 73.44, half A better, B lower: docs/detection-quality.md); coarser
 * days keep the daily profile alone and the search's schedule: the correction on NAB's 30-minute and
 * hourly files (48 and 24 points) paged more (NAB 73.19, both halves lower), a day checked at two cycles
 * on the hourly ones lost labelled windows. Scenario suite, seeds 1–8, from 192 points (5 minutes only)
 * to 96: `clean_gaussian_15m` false episodes a day 0.241 → 0.039, `shift_3sigma_15m` detected 0.12 → 1,
 * covered 0.125 → 0.573 (0.542 since first-week incidents are imputed, WeeklyCorrection.learn).
 */
const BINNED_DAY_POINTS = 96;

/**
 * Days a day of fewer than BINNED_DAY_POINTS is confirmed on (SeasonalComponent.calendarCheckDue), from
 * MIN_SHORT_DAY points a day (hourly steps or finer): a week, weekdays and a weekend.
 */
const SHORT_DAY_CYCLES = 7;
const MIN_SHORT_DAY = 24;
/**
 * Cycles of a base profile that carries the binned weekly correction (1-minute steps). Why 5: with 3,
 * Monday's and Tuesday's daily median is a weekend day (median of Fri, Sat, Sun) and pages until the
 * correction has seen those days; the median of 5 days is a weekday whatever the day (recurring_spike:
 * 4 flagged recurrences against 5). A base profile without the correction (15-minute steps and coarser,
 * whose full-resolution weekly profile handles weekends) keeps `seasons`: 5 cycles there measured worse on
 * NAB (standard 63.09 against 63.56, when 5-minute days had no correction either).
 * 1,440 × 5 values in a SeasonTable are 15.8 KB (28.8 KB in Float32 until 2026-12, 34.6 KB for the former
 * 1,440 × 3 Float64 table).
 */
const CORRECTED_SEASONS = 5;

/** Shortest period whose profile counts as anticipating changes (a day of hourly points). */
export const MIN_ANTICIPATING_PERIOD = 24;

export class SeasonalComponent implements Component<SeasonalState> {
  readonly feature = 'seasonal_profile_deviation';
  readonly kindUp = 'seasonal_mismatch' as const;
  readonly kindDown = 'seasonal_mismatch' as const;
  readonly providesBand = true;
  readonly affine = true;
  private readonly opts: SeasonalOptions;
  /** Recent values for period detection and for seeding new profiles; released once neither is pending. */
  private history: Ring | null = new Ring(HISTORY, true, HISTORY_INITIAL);
  private seen = 0;
  private nextCheck: number;
  private profiles: Profile[] = [];
  /** Multiples not yet tracked (waiting for enough history). */
  private pending: number[] = [];
  /** The series step (ms) the calendar snapping uses: from the options, or restored from a snapshot. */
  private stepMs: number | null;
  private readonly mag = new Magnitude();
  /** period() as of the last step (anticipates is read per point: the band, the scorer's learning). */
  private scoringPeriod: number | null = null;
  /** The scoring profile's noiseLag as of the last step (1: none). */
  private lag = 1;

  constructor(options: Partial<SeasonalOptions> = {}) {
    this.opts = { ...DEFAULT_SEASONAL, ...options };
    this.nextCheck = this.opts.firstCheck;
    this.stepMs = this.opts.stepMs;
  }

  /**
   * A profile of at least MIN_ANTICIPATING_PERIOD points anticipates a learnt pattern (a daily spike);
   * a profile of a few points (a sampling beat, e.g. a 6-point period in a counter's rate) is little
   * more than a lagged median and anticipates nothing.
   */
  get anticipates(): boolean {
    return this.scoringPeriod !== null && this.scoringPeriod >= MIN_ANTICIPATING_PERIOD;
  }

  get noiseLag(): number {
    return this.lag;
  }

  /** The period currently scoring (the best profile), or null before one is known. */
  period(): number | null {
    return this.best()?.period ?? null;
  }

  /**
   * The base period (the first profile's: the day a week joins), or null before one is known. A
   * sequential test counts the cycles a profile has predicted in it (CusumComponent, MATURE_CYCLES): a
   * week that joins after one cycle and scores better than the day has predicted nothing of its own yet,
   * but the residuals it takes over are the day's, which have.
   */
  basePeriod(): number | null {
    return this.profiles[0]?.period ?? null;
  }

  private best(): Profile | null {
    let best: Profile | null = null;
    for (const p of this.profiles) {
      if (!p.ready) continue;
      if (!best || p.error.mean < best.error.mean) best = p;
    }
    return best ?? this.profiles[0] ?? null;
  }

  /** Whether a full-resolution profile of `period` fits the history (else a multiple is a correction). */
  private fits(period: number): boolean {
    return period * WEEKLY_SEASONS <= HISTORY;
  }

  /**
   * The binned multiple of the base profile, or null: the first multiple whose full-resolution profile
   * does not fit the history (1-minute steps), or, where the base is a calendar day at the series' step of
   * at least BINNED_DAY_POINTS, the first multiple anyway. Why: a full-resolution weekly profile joins once
   * two weeks are in memory, and until then a daily profile alone read every weekend as a day-long level
   * shift down and every Monday as one up (at a 5-minute step, the suite's `_5m` rows: 0.3 false episodes
   * a day on clean series, a 3σ shift covered 0.2 on seeds 1–8); the correction learns the week from its
   * first days, as at 1 minute, and the full-resolution profile still joins at two weeks and competes
   * (best).
   *
   * Where the step is known, only a calendar day has one: the multiples are a day's (a week is seven of
   * them), and a period off the calendar given a correction seven cycles long (NAB's `TravelTime_451`,
   * 960 points of 10 minutes: 47 days) had no week stored at its position for seven cycles, and was
   * scored all that time as a first week is: its scale read from its level, its residual tests silent
   * (they speak where the week has been seen). NAB 73.63 → 73.68 / 64.28 / 79.00 (one false positive
   * fewer there; half A 72.98 → 73.07, half B the same standard, low FN 79.94 → 80.07); the scenario
   * suite identical on four seed sets.
   */
  private correctionOf(base: number): number | null {
    const day = isCalendarDay(base, this.stepMs);
    if (this.stepMs !== null && this.stepMs > 0 && !day) return null;
    const binnedDay = day && base >= BINNED_DAY_POINTS;
    return this.opts.multiples.find((k) => binnedDay || !this.fits(k * base)) ?? null;
  }

  /**
   * Cycles of a full-resolution multiple in memory before it joins and competes (best): two, or one where
   * the base is a calendar day of fewer than BINNED_DAY_POINTS (an hourly or 30-minute series). Such a day
   * is confirmed on a week of days (calendarCheckDue), so a week is in memory when it is adopted, and it
   * has no binned correction: until its week joined at two weeks, its table (the median of the last three
   * days) expected a second Monday and Tuesday at the weekend's level. A 40 % drop on those days was
   * missed and the day after it paged "level shift up" (`drop_40pct_hourly` seeds 1–4), and a clean
   * series paged for most of its second Saturday. Joined at once, a week seeded with one cycle competes
   * with the day as it does at two; its residuals are the week's own from then on. NAB identical (scores
   * move on `nyc_taxi` and two hourly files, none across the threshold); scenario suite (seeds 1–8 /
   * README / 101–108 / 9–16): `drop_40pct_hourly` detected 0.5 / 0.8 / 1 / 0.875 → 0.75 / 1 / 1 / 0.875,
   * covered 0.40 / 0.65 / 0.75 / 0.64 → 0.45 / 0.87 / 0.81 / 0.78, false episodes a day 0.05 / 0.06 /
   * 0.01 / 0.03 → 0 / 0 / 0 / 0.01; `clean_gaussian_hourly` 0.04–0.05 → 0 on every seed set; every other
   * row identical.
   */
  private cyclesToJoin(): number {
    const base = this.profiles[0].period;
    return isCalendarDay(base, this.stepMs) && base < BINNED_DAY_POINTS ? 1 : 2;
  }

  /** Cycles a profile keeps (see CORRECTED_SEASONS); a full-resolution multiple keeps WEEKLY_SEASONS. */
  private seasonsOf(index: number, corrected: boolean): number {
    if (index > 0) return WEEKLY_SEASONS;
    return corrected ? Math.max(this.opts.seasons, CORRECTED_SEASONS) : this.opts.seasons;
  }

  private track(period: number, correction: number | null): void {
    const seasons = this.seasonsOf(this.profiles.length, correction !== null);
    const p = new Profile(period, seasons, this.opts.residualWindow, correction, this.stepMs);
    // Replay remembered history into the phase table so scoring starts at once.
    const h = this.history;
    const n = h ? Math.min(h.count, period * seasons) : 0;
    for (let i = n - 1; i >= 0; i--) p.store((this.seen - 1 - i) % period, h!.recent(i));
    for (let i = n - 1; i >= 0; i--) p.learnWeekly(this.seen - 1 - i, h!.recent(i));
    p.seeded(this.seen - n, this.seen);
    this.profiles.push(p);
  }

  private adopt(base: number): void {
    this.track(base, this.correctionOf(base));
    this.pending = this.opts.multiples.map((k) => k * base).filter((p) => this.fits(p));
  }

  /**
   * Whether a day at the series' step is checked for now, on its own, before the schedule of
   * detectPeriod (which needs 2.5 cycles and a peak inside them: at a 1-minute step it finds a day at
   * 4,000 points, 2.8 days). None without a known step or where a day is not whole steps.
   *
   * A day of fewer than BINNED_DAY_POINTS (an hourly or 30-minute series) is checked on a week of days
   * (SHORT_DAY_CYCLES) instead: at two cycles NAB's hourly ad-exchange files lost labelled windows to a
   * day found on 48 points, and left to the schedule (400 points) an hourly series found its day after
   * 17 days, the fallback median's band held its daily swing, and a 12-hour 40 % drop in its second week
   * was never flagged (`drop_40pct_hourly` detected on 0 of 26 seeds). With a week: detected 0.5 / 0.8 / 1 /
   * 0.9 of seeds 1–8 / README / 101–108 / 9–16, covered 0.41 / 0.67 / 0.76 / 0.66; `clean_gaussian_hourly`
   * 0.02–0.03 → 0.06 false episodes a day (noise points the profile now scores); NAB 73.48 / 63.84 /
   * 78.87 → 73.55 / 64.01 / 78.92 (half A 72.82 / 63.43 / 78.06 → 72.83 / 63.48 / 78.06, B 74.20 / 64.30 /
   * 79.77 → 74.35 / 64.60 / 79.87: three false positives fewer on `exchange-2`). Five days scored NAB the
   * same but caught fewer drops (a table seeded on weekdays entering a weekend: 0–0.5 of seeds); three
   * or four lost NAB (A 72.48 / 72.57); ten, A 72.77. Then the table (the median of the last three days)
   * expected a second Monday or Tuesday at the weekend's level until the week joined at two weeks; the
   * week joins at once since (cyclesToJoin). The binned weekly correction of finer steps, tried from 24
   * points a day instead, caught those drops (0.6–0.9 of seeds) but lost NAB (half A 72.58).
   *
   * Two cycles and a quarter, so a 1-minute job's first live day (two days of backfill by default) is scored
   * against a daily profile from its seventh hour instead of its nineteenth, and a dashboard's three days
   * of history (the query API's) always carry it. Measured: a 6-hour 40 % drop on a series' third day
   * flagged for its first point only (the fallback median let it go) → ~97 % of it; NAB 72.86 / 62.62 /
   * 78.46 → 73.38 / 63.67 / 78.81, both halves better (A 72.07 → 72.71, B 74.14 → 74.54). At exactly two
   * cycles (NAB A 72.62, B 74.44) every phase of the table held two days, so a day's weekly factor was
   * learnt against a median (a mean) half made of itself: a series' Monday night, still easing out of
   * its weekend, got a factor halfway to Tuesday's, and its second Monday paged at midnight for an hour
   * (0.17–0.2 false episodes a day on every scenario row); at 2.5 cycles NAB A 72.25, B 74.24.
   */
  private calendarCheckDue(): boolean {
    const step = this.stepMs;
    if (step === null || !(step > 0) || DAY_MS % step !== 0) return false;
    const day = DAY_MS / step;
    const short = day < BINNED_DAY_POINTS;
    const at = short ? SHORT_DAY_CYCLES * day : 2 * day + Math.floor(day / 4);
    return (!short || day >= MIN_SHORT_DAY) && at <= HISTORY && this.seen === at + this.opts.checkOffset;
  }

  private maybeTrack(): void {
    if (this.profiles.length === 0) {
      if (this.opts.period !== null) {
        if (this.seen >= 2) this.adopt(this.opts.period);
      } else if (this.calendarCheckDue()) {
        const day = DAY_MS / this.stepMs!;
        if (calendarPeriodConfirmed(this.history!.toArray(), day, CALENDAR_TOLERANCE)) this.adopt(day);
      } else if (this.seen >= this.nextCheck + this.opts.checkOffset) {
        // Doubling, then steps of 800 once past 3,200 so a daily period at 1-minute steps (1,440,
        // needing 3,600 points) is found on the third day rather than the fifth; once the history
        // window is full, a check every half window (a series without a period stops paying for it).
        const step = this.nextCheck < 3200 ? this.nextCheck : this.nextCheck < HISTORY ? 800 : HISTORY / 2;
        this.nextCheck += step;
        const history = this.history!.toArray();
        const found = detectPeriod(history, { maxPeriod: this.opts.maxPeriod });
        if (found) this.adopt(periodToAdopt(found.period, history, this.stepMs, this.opts.maxPeriod));
      }
      if (this.profiles.length === 0) return;
    }
    if (this.pending.length && this.seen >= this.cyclesToJoin() * this.pending[0])
      this.track(this.pending.shift()!, null);
    if (this.pending.length === 0) this.history = null;
  }

  step(x: number, out: Deviation): void {
    this.maybeTrack();
    for (const p of this.profiles) p.predict(this.seen);
    const best = this.best();
    this.scoringPeriod = best?.period ?? null;
    if (best && best.ready) {
      out.expected = best.expected;
      out.pattern = best.pattern;
      out.weekSeen = best.weekSeen;
      out.scale = best.scale(this.mag.value, this.mag.integral);
      out.z = Number.isNaN(x) ? NaN : cappedZ(x - best.expected, out.scale);
      this.lag = best.noiseLag();
    } else {
      out.z = out.expected = out.scale = out.pattern = NaN;
      out.weekSeen = undefined;
      this.lag = 1;
    }
  }

  acceptLevel(points: number): void {
    for (const p of this.profiles) p.acceptLevel(this.seen, points);
  }

  /**
   * The local clock moved (Component.moveClock): every profile whose period is whole days moves by the
   * change in points (a period found off the calendar holds no time of day). Not without a known step, nor
   * by a change that is not whole steps (a 30-minute change at an hourly step).
   */
  moveClock(ms: number): void {
    const step = this.stepMs;
    if (step === null || !(step > 0) || ms % step !== 0) return;
    for (const p of this.profiles) if ((p.period * step) % DAY_MS === 0) p.moveClock(this.seen, ms / step);
  }

  /** The offset of the profile that scored the point (Component.restoreOffset). */
  restoreOffset(offset: number): void {
    this.best()?.restoreOffset(offset);
  }

  learn(x: number, mode: LearnMode): void {
    for (const p of this.profiles) p.learn(this.seen, x, this.mag.value, this.mag.integral, mode);
    if (!Number.isNaN(x)) this.mag.push(x);
    this.history?.push(toFloat32(x));
    this.seen++;
  }

  snapshot(): SeasonalState {
    return {
      type: 'seasonal',
      fixedPeriod: this.opts.period,
      seasons: this.opts.seasons,
      stepMs: this.stepMs,
      seen: this.seen,
      nextCheck: this.nextCheck,
      history: this.history?.snapshot() ?? null,
      profiles: this.profiles.map((p) => p.snapshot()),
      pending: [...this.pending],
      mag: this.mag.snapshot(),
    };
  }

  restore(state: TaggedState, path = 'component'): void {
    const s = stateOfType<SeasonalState>(state, 'seasonal', path);
    expectSame(`${path}.fixedPeriod`, s.fixedPeriod, this.opts.period);
    expectSame(`${path}.seasons`, s.seasons, this.opts.seasons);
    if (s.history === null && (s.profiles.length === 0 || s.pending.length > 0)) {
      throw new StateError(
        `${path}.history`,
        'is null, but period detection or a pending multiple still needs it',
      );
    }
    if (s.history) {
      expectSame(`${path}.history.size`, s.history.size, HISTORY);
      this.history = Ring.fromSnapshot(s.history, `${path}.history`, HISTORY_INITIAL, true);
    } else this.history = null;
    this.profiles = s.profiles.map((ps, i) => {
      const at = `${path}.profiles[${i}]`;
      // A base profile restores with the correction its snapshot has: one made before a 5-minute day
      // carried a correction (correctionOf) keeps its daily profile alone, as it was built.
      const correction = i === 0 && ps.weekly ? ps.weekly.multiple : null;
      if (correction !== null && !this.opts.multiples.includes(correction)) {
        throw new StateError(
          `${at}.weekly.multiple`,
          `is ${correction}, not a multiple this detector tracks`,
        );
      }
      const seasons = this.seasonsOf(i, correction !== null);
      // Checked before allocating the phase table, so a corrupt period cannot ask for a huge one.
      expectLength(
        `${at}.cycles`,
        ps.cycles.length,
        ps.period * seasons,
        `period ${ps.period} × ${seasons} seasons`,
      );
      const p = new Profile(ps.period, seasons, this.opts.residualWindow, correction, s.stepMs);
      p.restore(ps, at);
      return p;
    });
    this.pending = [...s.pending];
    this.stepMs = s.stepMs;
    this.seen = s.seen;
    this.nextCheck = s.nextCheck;
    this.mag.restore(s.mag);
  }
}
