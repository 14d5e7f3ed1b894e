/**
 * The seasonal profile of one period (Profile): its phase table, weekly correction, level offset and
 * noise scale, what it expects at a position and how it learns the point there.
 */
import { learnable, type LearnMode } from '../component.js';
import { EwStats, SortedWindow, alphaForHalfLife, ewMean } from '../../stats/windows.js';
import { StateError, dec, enc, type Num } from '../../snapshots/codec.js';
import { medianInPlace } from '../../stats/median.js';
import { ClockWatch } from '../clockWatch.js';
import { SeasonTable } from '../seasonTable.js';
import { MAD_TO_SIGMA, RELATIVE_FLOOR, flooredScale } from '../scale.js';
import { hourPointsOf } from './calendar.js';
import type { ProfileState } from './state.js';
import { WeeklyCorrection } from './weeklyCorrection.js';
import { NoiseProfile } from './noiseProfile.js';

const MIN_RESIDUALS = 20;
/**
 * A profile is ready once MIN_RESIDUALS residuals are learnt: one change fewer. Its scale reads those
 * changes from that first ready point on. Until 2026-12 the first ready point took the residuals' mean
 * instead, an exponential average (half-life 200) that after 20 points is mostly the first residual:
 * often below the scale's floor, so the point where a profile took over from the fallback median scored
 * 10σ or more, opened an incident that held the profile's learning, and its |z| stayed in the primary's
 * calibration range for weeks at coarse steps (half-life 2,000 points: 21 days at 15 minutes; README,
 * "Detection quality").
 */
const READY_CHANGES = MIN_RESIDUALS - 1;
/**
 * Consecutive incident points back at the phase table's own level before the level offset restarts there
 * (Profile.learn). 1 (the rule as first written): on Student-t noise one outlier near the weekday level
 * during the first weekend (whose lower traffic the offset had absorbed) restarted the offset at weekday
 * level, and the weekend was then a 30 % drop held as a sustained incident for up to 20 hours. 2 against 1
 * (scenarios at sensitivity 50): clean_heavy_tailed false episodes a day 0.29 → 0.19 (5 README seeds),
 * 0.21 → 0.14 (seeds 1–8); the cost, one more flagged point where a change really ends: scrape_gaps
 * 0.07 → 0.09 (one episode more on the 5 seeds), weekly_weekend 0.16 → 0.17 (seeds 1–8); every other row
 * and NAB (all and both halves) unchanged; 3 measured the same as 2.
 */
const RETURN_POINTS = 2;
/** Below this a day's factor is not divided by (a day with almost no traffic: its own level). */
const MIN_DAY_FACTOR = 0.05;
/** Scales at which a normal point's pull on the level offset is winsorized. */
const CLIP = 4;

const NO_OFFSET = (m: number) => (Number.isNaN(m) ? 0 : m);

/**
 * A first-week bin whose weekly factor is within this of the week's median factor (in natural log: 0.86 …
 * 1.16 of it) counts as a weekday level when alignFirstWeek reads the trend from the factors' ages:
 * weekends (0.6–0.7 of a weekday in the scenario suite) and holidays say nothing about it. Of the median,
 * not of 1: the daily table's level is the seeded days' (SeasonalComponent.track), a weekend's where a
 * series begins on a Friday or a Saturday (its weekdays' factors 1.4), and around 1 the band held the
 * weekend and ramp bins instead, whose ages read a trend of +0.5–0.7 % a day on a flat series; the first
 * days' factors moved by up to 3 % (4 days' worth), and the second Monday 00:00–01:00 was expected 4–5 %
 * high (`clean_from_friday`, "level shift down" for up to 40 minutes on both Mondays).
 */
const WEEKDAY_LOG_BAND = 0.15;
/** Fewest bins of one age (4 hours at a 1-minute step) for that age to count in alignFirstWeek. */
const MIN_AGE_BINS = 8;
/** Largest trend alignFirstWeek assumes, in log per cycle (±3 % a day). */
const MAX_FIRST_WEEK_TREND = 0.03;
/** Points between two samples of the clock watch (ClockWatch), as a fraction of an hour: 5 minutes. */
const CLOCK_SAMPLE = 1 / 12;

/**
 * A learnt narrow peak of the daily table (a 06:00 job's 3× spike) carries noise in proportion to its
 * height: traffic's noise grows with its level. The noise scale there is multiplied by the peak's ratio
 * to the higher of the table's values FEATURE_SPAN of the period before and after it (15 minutes of a
 * day: on a smooth ramp a neighbour is as high, so the ratio is ≤ 1 and nothing changes), at most
 * MAX_FEATURE_FACTOR. Without it a learnt 5-minute 3× spike kept scoring 0.4–1.4 on every later day, its
 * noise 3× the series' (recurring_spike recurrences flagged 1.8 / 2.6 / 2.5 of 11 on seeds 1–8 / the 5
 * README seeds / 101–108, false episodes a day 0.13 / 0.19 / 0.20). Measured (docs/detection-quality.md):
 * recurrences flagged 0 of 11 on all three seed sets; 1/48 of the period and 1/288 measured worse on NAB
 * (1/288 also slow_ramp covered 0.452 → 0.343), the square root of the ratio (noise ∝ √level) left 0.4 and
 * 0.8 of 11 flagged on two other seed sets.
 */
const FEATURE_SPAN = 1 / 96;
const MAX_FEATURE_FACTOR = 4;
/**
 * Fewest phases between a peak and its neighbours (a period of at least 240 points): closer, as in an
 * hourly day (24 phases, neighbours 1 hour away), every local maximum of the table's own noise counted
 * as a peak. From any period (span ≥ 1), NAB went 72.60 → 72.22 at its re-optimised threshold (A 72.23 →
 * 72.22, B 74.44 → 74.08; at the former threshold one false positive more on each of five files, two of
 * them the hourly `realAdExchange` ones, and a window of `Twitter_volume_UPS` lost at the threshold's
 * edge); from a span of 3, NAB's raw score at the former threshold is 52.39 → 52.38 (three false positives
 * fewer, three more).
 */
const MIN_FEATURE_SPAN = 3;

/**
 * While an incident holds the noise scale's window still, the scale follows the pattern by the square root
 * of how far it has moved since the window's last point: traffic's noise grows with its level (by its
 * square root for counts, in proportion for rates), so a scale held at its evening value through the fall
 * into the night grew against the night's noise, a 3σ shift's z fell below the tests' boundaries and the
 * incident was let go with the level still shifted; held through a morning ramp it shrank instead.
 * Scenario suite (seeds 1–8 / README / 101–108 / 9–16), covered: `shift_3sigma_evening` 0.480 / 0.416 /
 * 0.469 / 0.297 → 0.584 / 0.552 / 0.634 / 0.383, `shift_3sigma_afternoon` 0.692 / 0.662 / 0.617 / 0.644 →
 * 0.778 / 0.724 / 0.657 / 0.729; the morning shifts within 0.005 of before, `shift_2sigma` 0.414 / 0.488 /
 * 0.430 / 0.619 → 0.409 / 0.481 / 0.415 / 0.578. NAB 72.81 → 72.91 (half A 72.05 → 72.07, B 74.15 →
 * 74.24; low-FP and low-FN better on both halves). Exponents of 0.4–0.6 score NAB the same; 1 (in
 * proportion) held the evening shift longer (0.660) but NAB fell to 72.27 (half A 70.57), 0.25 to 72.62.
 */
const FOLLOW_EXPONENT = 0.5;

/**
 * How many times the noise the noise profile learnt at this part of the day (NoiseProfile) must exceed the
 * window's for the window to count as stale and the profile's to be the scale. Below it the scale takes
 * stale² / STALE_WINDOW of the window (from stale = √2 up): continuous, so a scale near the bound does not
 * jump from point to point. Why not at 1 (the larger of the two): a bin's noise is a median of one to three
 * days of 30 changes each, ±30–40 % from bin to bin on clean series, and the larger of two noisy estimates
 * widened the band on half the day: 2σ shifts covered 0.82 → 0.43 (seeds 9–16), a variance burst missed on
 * seeds it was seen on. The ramps it is for are 3–10 times the window. Scenario suite, 14 seeds (1, 2, 9–16
 * and four README seeds), minutes flagged: `clean_office_hours` 104,953 → 49,679 false, `shift_2sigma`
 * 4,980 → 4,979, `variance_burst` 466 → 475, `drop_40pct_first_thursday` 3,770 → 3,760; with a hard switch at
 * 1.5, 4,925 and 405, and seed 8's drop on its fourth day missed (5 of 240 minutes), the scale jumping
 * between the two where their ratio hovered about 1.5.
 */
const STALE_WINDOW = 2;
/**
 * Cycles the phase table must hold at a phase before the noise profile learns there: changes of a residual
 * against a median of one or two cycles carry that median's own noise (a table of 5 cycles adds ~14 % to
 * σ, of 2 ~22 %). `clean_office_hours` 181 → 174 false episodes over 14 seeds; NAB identical.
 */
const NOISE_TABLE_CYCLES = 3;

/** The seasonal profile of a base period: phase table, weekly correction, level offset and residual spread. */
export class Profile {
  /** The last `seasons` values at each phase. */
  private readonly cycles: SeasonTable;
  readonly weekly: WeeklyCorrection | null;
  /** Changes of the residual from one learnt point to the next (see scale). */
  private readonly steps: SortedWindow;
  /** The noise of each part of the day (see scale; null where the period's bins hold too few points). */
  private readonly noise: NoiseProfile | null;
  /** The phase of the position predicted (what the noise profile is read at). */
  private phase = 0;
  private lastResid = NaN;
  private lastLearnt = false;
  /** `pattern` at the last point whose residual change the noise scale learnt (see scale). */
  private learntPattern = NaN;
  /**
   * The pattern's level over the noise scale's window: an exponential mean of `pattern` at the points whose
   * change the scale learnt, half-life half the window (its centre of mass). See noiseLag.
   */
  private seenPattern = NaN;
  private readonly seenAlpha: number;
  private readonly offset = new EwStats(alphaForHalfLife(50));
  /** Recent mean |residual|: picks between profiles, and the residuals' spread (see scale). */
  readonly error = new EwStats(alphaForHalfLife(200));
  /** Daily median at the position predicted (before the weekly correction and the offset). */
  private daily = NaN;
  /** The noise scale's factor at the position predicted: how far `daily` is a learnt narrow peak (≥ 1). */
  private feature = 1;
  /** Phases between a position and the neighbours its peak is measured against (FEATURE_SPAN). */
  private readonly featureSpan: number;
  /** Exponential average of `daily` (half-life a weekly bin): the table's level without its sharp features. */
  private smoothDaily = NaN;
  private readonly smoothAlpha: number;
  /** Consecutive incident points back at the phase table's own level (see learn). */
  private returned = 0;
  /**
   * The ratio the cycles from before the last accepted incident were scaled by (acceptLevel; NaN: none, or
   * none of them left in the table), the incident's first position, and consecutive points since back at
   * the level from before it (see revertIfBack).
   */
  private acceptedRatio = NaN;
  private acceptedOnset = 0;
  private backToEarlier = 0;
  /** Phases of the current day (the weekly correction's) whose value was missing, so not stored. */
  private skipped: number[] = [];
  /** The day (of the weekly correction's count) `skipped` is for. */
  private day = NaN;
  /** The position of the table's first cycle and where its seeding ended (seed; NaN: unknown). */
  private seededFrom = NaN;
  private seededUntil = NaN;
  /** Whether the series' clock moved by an hour (where hourPoints > 0; made at its first sample). */
  private clock: ClockWatch | null = null;
  /**
   * Points in an hour where the profile carries a weekly correction and its period is a calendar day, else
   * 0: the clock watch runs only there (ClockWatch says why).
   */
  private readonly hourPoints: number;
  expected = NaN;
  /** The expected value without the level offset (what the residual level-shift test measures against). */
  pattern = NaN;
  /** Whether the weekly correction (if any) has a week stored at the position predicted (Deviation.weekSeen). */
  weekSeen = true;
  constructor(
    readonly period: number,
    seasons: number,
    residualWindow: number,
    weekly: number | null,
    /** The series step in ms (null: unknown): the clock watch's hour in points. */
    stepMs: number | null,
  ) {
    this.cycles = new SeasonTable(period, seasons);
    this.weekly = weekly !== null && weekly > 1 ? new WeeklyCorrection(period, weekly) : null;
    this.hourPoints = this.weekly ? hourPointsOf(period, stepMs) : 0;
    this.smoothAlpha = alphaForHalfLife(this.weekly ? period / this.weekly.bins : 1);
    this.featureSpan = Math.max(1, Math.round(period * FEATURE_SPAN));
    this.steps = new SortedWindow(residualWindow);
    this.noise = NoiseProfile.forPeriod(period);
    this.seenAlpha = alphaForHalfLife(residualWindow / 2);
  }

  store(phase: number, x: number): void {
    this.cycles.push(phase, x);
  }

  /**
   * Learn a remembered point into the weekly correction, against the phase table as it is now (call after
   * storing the whole history). Without it the days before the period was found (~2.8 at a 1-minute step)
   * were never seen: in the second week Monday to Wednesday evening had no weekly factor, and with
   * `weekSeen` false there the residual tests had no shift estimate and the band took the residuals' own
   * spread. Against the table as it grew (each remembered day against the days before it) a Tuesday night
   * was learnt against Monday's, a weekend's tail, and its factor was 1.15 (a level shift paged at the
   * second Tuesday's midnight).
   */
  learnWeekly(position: number, x: number): void {
    this.weekly?.learn(position, x, this.cycles.median(position % this.period), true);
  }

  /** The table's cycles begin at position `from`; those before `until` were seeded from remembered history. */
  seeded(from: number, until: number): void {
    this.seededFrom = from;
    this.seededUntil = until;
  }

  /**
   * How many cycles after the median it was learnt against a weekly factor learnt at `position` is: a
   * factor is x ÷ that median, so under a trend of g per cycle it carries g × this age besides the weekly
   * shape. Learnt live with k cycles in the table, (k + 1) / 2; seeded, against the seeded table (its k
   * cycles, this one the i-th of them), i − (k − 1) / 2.
   */
  private ageAt(position: number): number {
    const ph = position % this.period;
    const s = this.cycles.seasons;
    if (position < this.seededUntil) {
      const k = Math.min(s, this.positionsOf(ph, this.seededFrom, this.seededUntil));
      return this.positionsOf(ph, this.seededFrom, position) - (k - 1) / 2;
    }
    const k = Math.min(s, this.positionsOf(ph, this.seededFrom, position));
    return (k + 1) / 2;
  }

  /** How many positions of phase `ph` lie in [from, to). */
  private positionsOf(ph: number, from: number, to: number): number {
    const p = this.period;
    const last = to - 1 - ((((to - 1 - ph) % p) + p) % p);
    return last >= from ? Math.floor((last - from) / p) + 1 : 0;
  }

  /**
   * When the first week's bins come round again: the weekly factors learnt before the table held all its
   * cycles are put on the age every later factor has, (seasons + 1) / 2 cycles after the median. `relearnt`:
   * the bins WeeklyCorrection.relearnFirstWeek has just learnt again (against the table of the week's last
   * days, so their age is their day's distance from that table's median).
   *
   * Why: a factor is x ÷ the table's median at its phase, so under a trend it also carries the trend over
   * the median's age. In steady state every factor and every prediction carry the same age (3 days of a
   * 5-day table), so a trend cancels. The first week's do not: the seeded days (~2.8 at a 1-minute step)
   * were learnt against the seeded table, their own days (ages −1 … 1), the next ones against 3 and 4
   * cycles (2, 2.5). Under a 1 % daily decline the series' first Monday's factor was 1.008 where a live
   * one was 0.968, and the second and third Mondays (the third reads the older of two weeks) paged a
   * "level shift down" of 6–8 % for hours (clean_decline 0.54 false episodes a day, seeds 1–8).
   *
   * The trend is read from those factors themselves: the Theil–Sen slope of the median log factor by age
   * over the bins near a weekday level (WEEKDAY_LOG_BAND), ages with at least MIN_AGE_BINS bins, at most
   * MAX_FIRST_WEEK_TREND. Without a trend the factors of every age agree and nothing moves.
   */
  private alignFirstWeek(relearnt: Uint8Array): void {
    const w = this.weekly;
    if (!w || Number.isNaN(this.seededFrom)) return;
    const p = this.period;
    const long = p * w.multiple;
    const steady = (this.cycles.seasons + 1) / 2;
    const nBins = w.multiple * w.bins;
    const ages = new Float64Array(nBins);
    const byAge = new Map<number, number[]>();
    const logs: number[] = [];
    for (let b = 0; b < nBins; b++) {
      const f = w.table.oldestStored(b);
      if (f > 0) logs.push(Math.log(f));
    }
    const level = logs.length > 0 ? medianInPlace(logs) : 0;
    for (let b = 0; b < nBins; b++) {
      const centre = Math.floor(b / w.bins) * p + Math.floor((((b % w.bins) + 0.5) * p) / w.bins);
      let position = this.seededFrom - (this.seededFrom % long) + centre;
      if (position < this.seededFrom) position += long;
      // Learnt again against the table of the week's last `seasons` days: its median is `steady` days
      // before the week's end, multiple − steady days after the series' first.
      ages[b] = relearnt[b]
        ? Math.floor((position - this.seededFrom) / p) - (w.multiple - steady)
        : this.ageAt(position);
      const f = w.table.oldestStored(b);
      if (!(f > 0) || Math.abs(Math.log(f) - level) > WEEKDAY_LOG_BAND) continue;
      const key = Math.round(ages[b] * 2) / 2;
      const group = byAge.get(key);
      if (group) group.push(Math.log(f));
      else byAge.set(key, [Math.log(f)]);
    }
    const points = [...byAge.entries()]
      .filter(([, logs]) => logs.length >= MIN_AGE_BINS)
      .map(([age, logs]) => [age, medianInPlace(logs)] as const);
    if (points.length < 3) return;
    const slopes: number[] = [];
    for (let i = 0; i < points.length; i++)
      for (let j = i + 1; j < points.length; j++)
        slopes.push((points[j][1] - points[i][1]) / (points[j][0] - points[i][0]));
    const g = Math.max(-MAX_FIRST_WEEK_TREND, Math.min(MAX_FIRST_WEEK_TREND, medianInPlace(slopes)));
    // A correction below the noise scale's relative floor is the slope's own noise (a stationary series
    // measures |g| ≤ 0.0013 a day, ≤ 0.5 % on the youngest factor), and it moved marginal points across
    // the band's edge (one more false episode on one of five series), so such a trend is left alone.
    let largest = 0;
    for (let b = 0; b < nBins; b++) largest = Math.max(largest, Math.abs(g * (steady - ages[b])));
    if (!(largest >= RELATIVE_FLOOR)) return;
    for (let b = 0; b < nBins; b++)
      if (ages[b] !== steady) w.table.scaleOldestStored(b, Math.exp(g * (steady - ages[b])));
  }

  /**
   * A change of the series' clock by an hour (ClockWatch): every CLOCK_SAMPLE of an hour, the point's z
   * against the pattern as it is and as it would be an hour later or earlier (the phase table's median
   * and the weekly factor there); on a move, the table and the weekly correction move by that hour and the
   * level offset restarts. `incident`: the point is inside an open incident (ClockWatch's onset check).
   *
   * What was learnt since the misfit began (ClockWatch.lastSpan: since the evidence for the move last was
   * nil, ~02:00–04:00 for a change at 02:00) was the new clock's traffic already, so it stays where it is
   * and only the rest moves (SeasonTable.rotateKeeping): the weekly bins learnt then are re-read against
   * the moved table (WeeklyCorrection.moveClock) and the day's values in the phase table are kept. Rotated
   * with the rest (before 2026-12), the first morning's bins, learnt while the profile misfitted, were an
   * hour late and a ramp's height too low: the next Sunday 06:40–08:00 was expected 5–8 % low and paged
   * "level shift up" (`clock_later_1h`, 7 of 13 seeds). And the phase table holds each day as its weekday
   * equivalent, so a value the move carries across midnight is of the day before or after and is re-read
   * with that day's factor: carried as it was, a Saturday 00:30 (a weekend ramp's 0.85 divided by the
   * weekend's 0.7) stood for the Friday's 23:30, two of five values 20 % high, and an hour-earlier clock
   * paged "level shift down" at 23:00–24:00 on the nights after (`clock_earlier_1h`). False episodes a
   * day, seeds 1–8 / README / 101–108 / 9–16: `clock_later_1h` 0.167 / 0.172 / 0.155 / 0.185 → 0.119 /
   * 0.134 / 0.125 / 0.203 (on 9–16 the next Sundays' episodes went, and short ones came right after the
   * move: an incident opening then restores a level offset from before it), `clock_earlier_1h` 0.131 /
   * 0.172 / 0.113 / 0.209 → 0.113 / 0.153 / 0.102 / 0.167; `shift_4sigma_dawn` 0.072 → 0.054 on 101–108,
   * every other row and NAB identical.
   */
  private watchClock(position: number, x: number, sc: number, incident: boolean): void {
    const h = this.hourPoints;
    if (h === 0 || !this.weekSeen || !(sc > 0)) return;
    // A weekly pattern the correction does not know yet misfits as a moved clock would: a first weekend
    // at 30 % of the weekdays ramps up at 08:00 to a third of what the table expects, and the profile an
    // hour later, still at the night's level there, fitted better (office traffic: the clock moved on the
    // second or third Saturday at 08:05–08:10 on 4 of 9 seeds, on 5 with the noise profile and settled
    // first weeks, and every later morning paged).
    if (this.weekly?.readsImputed(position)) return;
    if (position % Math.max(1, Math.round(h * CLOCK_SAMPLE)) !== 0) return;
    this.clock ??= new ClockWatch();
    const later = this.movedPattern(position, h);
    const earlier = this.movedPattern(position, -h);
    const move = this.clock.sample((x - this.pattern) / sc, (x - later) / sc, (x - earlier) / sc, incident);
    if (move === 0) return;
    const since = position - this.clock.lastSpan * Math.max(1, Math.round(h * CLOCK_SAMPLE));
    this.rotateClock(position, move * h, since);
    // What the level offset took up of the misfit is not a level.
    this.offset.mean = 0;
    this.returned = 0;
  }

  /**
   * The series' local clock changed its offset from UTC (ScoreOptions.timezone) before `position`: its
   * pattern comes `by` points later. Moved as the clock watch moves it, at the instant and with nothing
   * learnt under the new clock yet; the level offset is a level here (nothing misfitted), so it stays.
   */
  moveClock(position: number, by: number): void {
    if (by !== 0 && Math.abs(by) < this.period) this.rotateClock(position, by, position);
  }

  /**
   * The table and the weekly correction moved `by` points later; what was learnt from `since` on was of
   * the new clock already and keeps its place (see watchClock).
   */
  private rotateClock(position: number, by: number, since: number): void {
    const p = this.period;
    const w = this.weekly;
    if (w) {
      const before = (ph: number) => this.cycles.median(ph);
      const after = (ph: number) => this.cycles.median((((ph - by) % p) + p) % p);
      w.moveClock(Math.round((by * w.bins) / p), position, since, before, after);
    }
    const done = position % p;
    const today = Math.floor(position / p);
    // The table holds each day as its weekday equivalent (learn): a value moved across midnight is of the
    // day before or after now, re-read with that day's factor.
    const dayFactor = (day: number) => {
      const f = w ? w.factorOf(day) : 1;
      return f > MIN_DAY_FACTOR ? f : 1;
    };
    const across = (age: number, v: number, crossed: number) =>
      (v * dayFactor(today - age)) / dayFactor(today - age + crossed);
    this.cycles.rotateKeeping(by, done, Math.max(0, since - (position - done)), (_, v) => v, across);
  }

  /** The pattern at `position` were the series' clock `by` points later: table and weekly factor read `by` earlier. */
  private movedPattern(position: number, by: number): number {
    const p = this.period;
    const w = this.weekly;
    const phase = (((position - by) % p) + p) % p;
    return this.cycles.median(phase) * (w ? w.at(position - by + w.multiple * p) : 1);
  }

  /** Expected value at this position (before seeing x); NaN when the phase has no history. */
  predict(position: number): number {
    // The day just over is divided by its factor before anything reads the table: at the first week's end
    // relearnFirstWeek and rereadDay read it. From learn (a point later) they read the week's last day
    // undivided, 40 % above the other days where a series began on a Friday (its table at a weekend's level).
    this.endDay(position);
    const w = this.weekly;
    if (w) {
      const long = w.multiple * this.period;
      const turn = this.seededFrom + long;
      if (position === turn || (position > turn && position < turn + long && position % this.period === 0)) {
        const daily = (ph: number) => this.cycles.median(ph);
        if (position === turn) this.alignFirstWeek(w.relearnFirstWeek(daily));
        w.rereadDay(daily, Math.floor((position % long) / this.period));
      } else if (position >= turn + long) w.releaseFirstWeek();
    }
    const phase = position % this.period;
    this.phase = phase;
    this.daily = this.cycles.median(phase);
    const d = this.daily;
    this.feature = this.peakFactor(phase, d);
    const smoothBefore = this.smoothDaily;
    if (!Number.isNaN(d)) this.smoothDaily = ewMean(this.smoothDaily, d, this.smoothAlpha);
    const factor = this.weekly ? this.weekly.at(position) : 1;
    const wasSeen = this.weekSeen;
    this.weekSeen = !Number.isNaN(factor);
    // Where the week was unseen the level offset carried the day's level additively (a first weekend at
    // 40 % pulls it ~100 below a 250 level); once the weekly factor carries it, that offset is stale: kept,
    // a series' second Monday was expected at its first Sunday's level and paged at midnight.
    if (this.weekSeen && !wasSeen) this.offset.mean = 0;
    else if (!this.weekSeen && !this.lastLearnt) this.followDay(smoothBefore);
    this.pattern = this.weekSeen ? d * factor : d + this.unseenFeature(d);
    this.expected = this.pattern + NO_OFFSET(this.offset.mean);
    return this.expected;
  }

  /**
   * Where no week is stored yet, the level offset held by an incident (the last point was learnt as one) is
   * scaled as the day's level moves (smoothDaily, from `before` to now). There the offset carries the
   * weekday's level over a table that still holds the first weekend: a ratio, ~25 % of the level. Outside
   * an incident it learns the afternoon's larger difference as it comes; held at its value from a morning
   * drop's onset, it expected the afternoon ~10 % low, and after the drop ended the recovery paged "seasonal
   * mismatch up" for hours (`drop_40pct_first_thursday`: 30 points after the end flagged 0.23–0.55 of the
   * time on four seed sets, 0.00–0.01 since; docs/detection-quality.md). Scaled outside incidents too, the
   * offset followed the day's noise as well (one more NAB false positive).
   * Not where the level rises from near zero: a smoothed level that grows by more than its own smoothing
   * factor in a step (the day's value more than twice it) is a level leaving zero, whose offset is noise and
   * not yet a share of it. Scaled there, a business-hours series with nights at exactly 0 multiplied a
   * night's offset of a fraction by thousands through the morning, and expected its day at 0.
   */
  private followDay(before: number): void {
    const now = this.smoothDaily;
    if (!(before > 0 && now > 0) || now > before * (1 + this.smoothAlpha)) return;
    if (!Number.isNaN(this.offset.mean)) this.offset.mean *= now / before;
  }

  /**
   * Where no week is stored yet (a series' first week) the level offset carries the day's level, additively.
   * The daily table's sharp features (its departure from smoothDaily) scale with the day's level instead:
   * by the weekly correction's recent factor. Without it a 3× spike at 06:00 was expected at its weekday
   * height on the first Saturday and Sunday and paged down, score 2–3, on both days (recurring_spike, every
   * seed). Only the features: the level itself stays the offset's, so a sustained shift is not absorbed
   * faster than before (the factor on the whole table absorbed a 4σ shift in week 2 within an hour).
   */
  private unseenFeature(daily: number): number {
    const f = this.weekly?.recentFactor() ?? NaN;
    return Number.isNaN(f) || Number.isNaN(this.smoothDaily) ? 0 : (daily - this.smoothDaily) * (f - 1);
  }

  /** `daily` ÷ the higher of the table's medians featureSpan phases before and after (FEATURE_SPAN), in 1 … MAX. */
  private peakFactor(phase: number, daily: number): number {
    const p = this.period;
    if (this.featureSpan < MIN_FEATURE_SPAN) return 1;
    const before = this.cycles.median((phase - this.featureSpan + p) % p);
    const after = this.cycles.median((phase + this.featureSpan) % p);
    const ratio = daily / Math.max(before, after);
    // NaN (a neighbour not stored yet) or a non-positive neighbour: no peak to speak of.
    return ratio > 1 && Number.isFinite(ratio) ? Math.min(MAX_FEATURE_FACTOR, ratio) : 1;
  }

  get ready(): boolean {
    return this.steps.count >= READY_CHANGES && !Number.isNaN(this.expected);
  }

  /**
   * The noise scale: the spread of the residual's point-to-point changes over the last `residualWindow`
   * learnt points (MAD · 1.4826 / √2: σ for independent noise), not of the residuals themselves. A
   * sustained shift of a few σ filled a window of residuals within ~50 points and doubled their MAD, so the
   * band widened around the shift until the shift was inside it (a 4σ shift in a series' fourth week:
   * scale 15 → 38 over 60 points); among the changes it is one step. Where the weekly correction has not
   * yet seen this time of the week (a series' first week), the profile's level errors are not noise it can
   * rely on: the residuals' own spread (√(π/2) · mean |residual|, σ for normal residuals) is kept when
   * larger. Measured against the MAD of the last 100 residuals (docs/detection-quality.md): NAB standard
   * 69.63 → 71.87, both halves better on every profile; the 4σ shift in week 2 detected on 5/8 → 8/8 of
   * seeds 1–8 and covered 0.207 → 0.829. Where the noise profile knows this part of the day to be far
   * noisier than the window (a morning ramp: the window still holds the night), it raises it (STALE_WINDOW).
   */
  scale(magnitude: number, integral: boolean): number {
    const level = Math.sqrt(Math.PI / 2) * this.error.mean;
    // While the profile warms up the few changes are no estimate yet (READY_CHANGES).
    if (this.steps.count < READY_CHANGES) return flooredScale(level, magnitude, integral);
    let noise = MAD_TO_SIGMA * Math.SQRT1_2 * this.steps.mad();
    // Inside an incident the window is held: the scale follows the pattern (FOLLOW_EXPONENT).
    if (!this.lastLearnt && this.learntPattern > 0 && this.pattern > 0)
      noise *= (this.pattern / this.learntPattern) ** FOLLOW_EXPONENT;
    // Where the noise profile knows this part of the day to be noisier than the window says (a ramp).
    const stale = this.knownNoise() / noise;
    if (stale > 1) noise *= stale >= STALE_WINDOW ? stale : Math.max(1, (stale * stale) / STALE_WINDOW);
    const base = flooredScale(this.weekSeen || !(level > noise) ? noise : level, magnitude, integral);
    return base * this.feature;
  }

  /**
   * The noise the noise profile learnt at this part of the day (NaN: none), on a day the weekly correction
   * expects below the daily table (a weekend) by the square root of its factor (FOLLOW_EXPONENT: noise ∝
   * √level), as the held window follows the pattern. Never above the table's: a day expected higher keeps
   * the noise learnt (a weekday that is a little busier is not a noisier one).
   */
  private knownNoise(): number {
    if (!this.noise) return NaN;
    return this.noise.at(this.phase) * this.weekdayNoiseFactor();
  }

  /** Whether the phase table holds at least `cycles` cycles at `phase`. */
  private holdsCycles(phase: number, cycles: number): boolean {
    return !Number.isNaN(this.cycles.at(phase, this.cycles.seasons - cycles));
  }

  /** What a weekday's noise is multiplied by at the position predicted (see knownNoise): ≤ 1. */
  private weekdayNoiseFactor(): number {
    const factor = this.weekSeen ? this.pattern / this.daily : 1;
    return factor > 0 && factor < 1 ? factor ** FOLLOW_EXPONENT : 1;
  }

  /**
   * How far the noise scale lags a rising pattern (≥ 1): (pattern ÷ its level over the scale's window) to
   * FOLLOW_EXPONENT, the noise ∝ √level that scale() follows while an incident holds the window. The window
   * is the last `residualWindow` (100) changes, so on a morning ramp it still holds much of the night's
   * smaller noise: the band there was ±2.8σ of the noise against ±6σ in the afternoon, and single points on
   * the ramp paged. Never below 1: a falling pattern's wider window is kept (a noise that does not shrink
   * with the level must not page on every evening). Outside an incident the scorer widens the shown band by
   * it (display only: nothing learnt changes).
   */
  noiseLag(): number {
    if (!this.ready || !(this.pattern > 0) || !(this.seenPattern > 0)) return 1;
    const ratio = this.pattern / this.seenPattern;
    return ratio > 1 ? ratio ** FOLLOW_EXPONENT : 1;
  }

  /**
   * Learn x at `position` (call after predict). The phase table and the weekly correction learn x as it
   * is in both modes: their medians over cycles are the robustness (what happens on fewer than half of
   * the cycles is ignored, what recurs on most becomes normal). During an incident the residual spread
   * does not learn and the level offset moves by a bounded step (learnable).
   */
  learn(position: number, x: number, magnitude: number, integral: boolean, mode: LearnMode): void {
    if (Number.isNaN(x)) {
      this.weekly?.learn(position, NaN, NaN, false);
      this.skipped.push(position % this.period);
      return;
    }
    const expected = this.expected;
    if (!Number.isNaN(expected)) {
      // A profile still warming up learns everything (it must become ready even inside an incident).
      const gated = mode === 'incident' && this.ready;
      const residual = x - expected;
      if (!gated) {
        const change = this.lastLearnt ? residual - this.lastResid : NaN;
        if (this.lastLearnt) this.steps.push(change);
        // As the daily table, the noise profile holds weekday equivalents (knownNoise reads them back).
        const phase = position % this.period;
        if (this.noise && this.holdsCycles(phase, NOISE_TABLE_CYCLES))
          this.noise.learn(phase, change / this.weekdayNoiseFactor());
        this.learntPattern = this.pattern;
        if (this.pattern > 0) this.seenPattern = ewMean(this.seenPattern, this.pattern, this.seenAlpha);
        this.error.push(Math.abs(residual));
      }
      this.lastResid = residual;
      this.lastLearnt = !gated;
      const sc = this.scale(magnitude, integral);
      this.watchClock(position, x, sc, gated);
      this.revertIfBack(position, x, sc);
      const off = NO_OFFSET(this.offset.mean);
      const back =
        gated && this.weekSeen && Math.abs(off) > CLIP * sc && Math.abs(x - (expected - off)) <= CLIP * sc;
      this.returned = back ? this.returned + 1 : 0;
      if (this.returned >= RETURN_POINTS) {
        // Back at the phase table's own level while only the offset disagrees: the offset absorbed a
        // slow change (a ramp) that has now ended; that return is not an incident to hold. (slow_ramp,
        // seeds 1–4: false episodes a day 1.69 → 0.93, a day-long false episode gone; NAB unchanged.)
        // Only where the weekly correction has seen this time of the week: before, the table is not yet
        // the series' level there (a series begun on a Friday holds its weekend in the table for days)
        // and the offset carries the difference. There a 40 % drop that fell to the table's level read as
        // such a return: the offset was reset to the drop after 3 points and the drop learnt as normal
        // (`drop_40pct_first_thursday`, docs/detection-quality.md).
        this.offset.mean = x - (expected - off);
      } else {
        // The incident bound is learnable()'s; in normal mode the offset is still winsorized at CLIP
        // scales, so one unflagged outlier does not move the level (without it NAB fell 63.46 → 62.05).
        const bounded = learnable(x, gated ? 'incident' : 'normal', expected, sc);
        const target = Math.max(expected - CLIP * sc, Math.min(expected + CLIP * sc, bounded));
        this.offset.push(off + target - expected);
      }
    }
    this.weekly?.learn(position, x, this.daily, !(mode === 'incident' && this.ready));
    // The daily table holds each day as its weekday equivalent (divided by its day's weekly factor): its
    // median over 5 days always spans 2 weekend days, and stored as they are, one anomalous weekday made 3
    // low values of 5, and the next weekdays expected the weekend's level at that hour (a 6-hour 40 %
    // drop on a Tuesday of week 4 paged again, 350 points each, on Wednesday and Thursday). A day's
    // factor, not each 30-minute bin's: per bin, a 40 % weekend's values carried 2.5× the noise into the
    // table around its ramps (weekly_weekend false episodes a day 0.15 → 0.24, seeds 1–8).
    const f = this.weekly ? this.weekly.dayFactor(position) : 1;
    this.store(position % this.period, f > MIN_DAY_FACTOR ? x / f : x);
  }

  /**
   * The level offset set back to `offset`, its value when the evidence for the incident just opened began
   * (Detector.incidentOpened: a CUSUM run's start): the points since were the incident's, learnt as normal
   * before it was recognised, and the incident was held against a level that had taken part of it in.
   * Scenario suite, covered on seeds 1–8 / the README seeds / 101–108 / 9–16 (the last chose nothing):
   * `shift_2sigma` 0.604 / 0.538 / 0.647 / 0.703 → 0.636 / 0.818 / 0.690 / 0.815, `shift_3sigma_evening`
   * 0.687 / 0.676 / 0.727 / 0.694 → 0.876 / 0.773 / 0.775 / 0.810, `shift_3sigma_afternoon` 0.866 / 0.894
   * / 0.859 / 0.858 → 0.911 / 0.917 / 0.910 / 0.907, the other shift rows +0.001–0.026; false episodes a
   * day within ±0.04 on every row (the clock rows mostly down, `clean_from_friday` up 0.006–0.009); NAB
   * identical on every profile and both halves (docs/detection-quality.md).
   */
  restoreOffset(offset: number): void {
    this.offset.mean = offset;
  }

  /**
   * An incident's level accepted as the new normal (the gate's acceptNewLevelAfter), `points` points after
   * it began, before the point at `next` is learnt: the cycles stored before the incident are scaled to
   * its level, so the table's median moves to it at every phase at once. Before, it moved phase by phase
   * as the incident's cycles became most of the table (three of five days later), and the level offset
   * carried the difference additively meanwhile: at the hour of the onset the median jumped and the
   * offset counted the change twice, and at night a daytime difference expected the new level far too low.
   * The ratio is the median over phases of the incident's cycles' median ÷ the earlier cycles' median; a
   * return to the earlier level undoes it (revertIfBack). Measured (false episodes a day, seeds 1–8 / README / 101–108 / 9–16): level_down_40pct_lasting 0.13 /
   * 0.13 / 0.10 / 0.16 → 0.01 / 0.05 / 0.05 / 0.07, level_up_40pct_lasting 0.03 / 0.05 / 0.07 / 0.08 →
   * 0.02 / 0.05 / 0.05 / 0.07; every other row and NAB identical (docs/detection-quality.md).
   */
  acceptLevel(next: number, points: number): void {
    const first = next - points;
    const s = this.cycles.seasons;
    const ratios: number[] = [];
    for (let ph = 0; ph < this.period; ph++) {
      const n = this.cyclesSince(next, first, ph);
      if (n === 0 || n === s) continue;
      const r = this.cycles.splitMedianRatio(ph, s - n);
      if (Number.isFinite(r) && r > 0) ratios.push(r);
    }
    if (ratios.length === 0) return;
    ratios.sort((a, b) => a - b);
    const r = ratios[Math.floor(ratios.length / 2)];
    this.rescale(next, first, r);
    this.acceptedRatio = r;
    this.acceptedOnset = first;
    this.backToEarlier = 0;
  }

  /**
   * Scale by `factor` the cycles each phase stored before position `onset` (the later ones, up to `next`,
   * stay), and restart the level offset: the table now carries the level.
   */
  private rescale(next: number, onset: number, factor: number): void {
    const p = this.period;
    const s = this.cycles.seasons;
    for (let ph = 0; ph < p; ph++) this.cycles.scaleOldest(ph, s - this.cyclesSince(next, onset, ph), factor);
    this.offset.mean = 0;
    this.returned = 0;
  }

  /** How many of phase `ph`'s newest cycles were stored at positions from `onset` up to `next` (exclusive). */
  private cyclesSince(next: number, onset: number, ph: number): number {
    return Math.min(this.cycles.seasons, this.positionsOf(ph, onset, next));
  }

  /**
   * After an accepted level, while the table still holds cycles from before the incident: RETURN_POINTS
   * consecutive points back at the level from before it (within CLIP scales of the pattern ÷ the ratio)
   * and away from the accepted one end the acceptance: those cycles are scaled back. An incident that
   * lasted past acceptNewLevelAfter and then recovered (a day-and-a-half drop) paged its recovery as a
   * level shift for a day without it, until that level was accepted in turn.
   */
  private revertIfBack(position: number, x: number, sc: number): void {
    if (Number.isNaN(this.acceptedRatio)) return;
    if (position - this.acceptedOnset >= this.cycles.seasons * this.period) {
      this.acceptedRatio = NaN;
      return;
    }
    const earlier = this.pattern / this.acceptedRatio;
    const back = Math.abs(x - earlier) <= CLIP * sc && Math.abs(x - this.expected) > CLIP * sc;
    this.backToEarlier = back ? this.backToEarlier + 1 : 0;
    if (this.backToEarlier < RETURN_POINTS) return;
    this.rescale(position, this.acceptedOnset, 1 / this.acceptedRatio);
    this.acceptedRatio = NaN;
    this.backToEarlier = 0;
  }

  /**
   * At a new day's first point (from predict, before the table is read): a day whose weekly factor was
   * unknown when it began (no week of its day of the week stored: a series' first week) went into the
   * daily table as it was, not as its weekday equivalent. Now that the weekly correction has stored that
   * day's own bins, its values in the table are divided by that factor. Without this a first weekend stayed
   * in the table at its own level: two of 5 days low at every hour, so a 6-hour 40 % drop on the Tuesday of
   * week 2 made 3 low values of 5 and the drop paged again, 350 points each, on Wednesday and Thursday
   * (drop_40pct, seeds 1–4).
   */
  private endDay(position: number): void {
    const w = this.weekly;
    const day = Math.floor(position / this.period);
    if (!w || day === this.day) return;
    this.day = day;
    const f = w.takeUnseenFactor(day);
    if (f > MIN_DAY_FACTOR) {
      const skipped = new Set(this.skipped);
      for (let ph = 0; ph < this.period; ph++) if (!skipped.has(ph)) this.cycles.divideNewest(ph, f);
    }
    this.skipped.length = 0;
  }

  snapshot(): ProfileState {
    return {
      period: this.period,
      cycles: this.cycles.snapshot(),
      weekly: this.weekly?.snapshot() ?? null,
      offset: this.offset.snapshot(),
      error: this.error.snapshot(),
      expected: enc(this.expected),
      daily: enc(this.daily),
      smoothDaily: enc(this.smoothDaily),
      returned: this.returned,
      steps: this.steps.snapshot(),
      lastResid: enc(this.lastResid),
      lastLearnt: this.lastLearnt,
      ...(Number.isNaN(this.learntPattern) ? {} : { learntPattern: enc(this.learntPattern) }),
      ...(Number.isNaN(this.seenPattern) ? {} : { seenPattern: enc(this.seenPattern) }),
      skipped: [...this.skipped],
      weekSeen: this.weekSeen,
      ...(this.noise ? { noise: this.noise.snapshot() } : {}),
      ...(Number.isNaN(this.day) ? {} : { day: this.day }),
      ...(Number.isNaN(this.seededFrom)
        ? {}
        : { seeded: [this.seededFrom, this.seededUntil] as [number, number] }),
      ...(Number.isNaN(this.acceptedRatio)
        ? {}
        : {
            accepted: [enc(this.acceptedRatio), this.acceptedOnset, this.backToEarlier] as [
              Num,
              number,
              number,
            ],
          }),
    };
  }

  restore(s: ProfileState, path: string): void {
    this.cycles.restore(s.cycles, `${path}.cycles`, `period ${this.period} × ${this.cycles.seasons} seasons`);
    if ((s.weekly === null) !== (this.weekly === null)) {
      throw new StateError(`${path}.weekly`, this.weekly ? 'is missing' : 'is set, this profile has none');
    }
    if (this.weekly && s.weekly) this.weekly.restore(s.weekly, `${path}.weekly`);
    if (s.steps) {
      this.steps.restore(s.steps, `${path}.steps`);
      this.lastResid = dec(s.lastResid ?? null);
      this.lastLearnt = s.lastLearnt ?? false;
      this.learntPattern = dec(s.learntPattern ?? null);
    } else if (s.resid) {
      // Older snapshots: the residual window's consecutive values are the best record of its changes.
      const r = SortedWindow.fromSnapshot(s.resid, `${path}.resid`).values();
      for (let i = 1; i < r.length; i++) this.steps.push(r[i] - r[i - 1]);
      this.lastResid = r.length ? r[r.length - 1] : NaN;
      this.lastLearnt = r.length > 0;
    } else {
      throw new StateError(`${path}.steps`, 'is missing (and so is resid, which older snapshots had)');
    }
    this.offset.restore(s.offset);
    this.error.restore(s.error);
    this.expected = dec(s.expected);
    this.daily = dec(s.daily);
    this.smoothDaily = dec(s.smoothDaily ?? null);
    this.seenPattern = dec(s.seenPattern ?? null);
    // Absent (a snapshot from before it was kept): nothing learnt yet, as a new profile.
    if (this.noise && s.noise) this.noise.restore(s.noise, `${path}.noise`);
    this.returned = s.returned ?? 0;
    this.skipped = [...(s.skipped ?? [])];
    this.day = s.day ?? NaN;
    this.weekSeen = s.weekSeen ?? true;
    this.acceptedRatio = s.accepted ? dec(s.accepted[0]) : NaN;
    this.acceptedOnset = s.accepted ? s.accepted[1] : 0;
    this.backToEarlier = s.accepted ? s.accepted[2] : 0;
    this.seededFrom = s.seeded ? s.seeded[0] : NaN;
    this.seededUntil = s.seeded ? s.seeded[1] : NaN;
    this.clock = null;
    if (s.clock) (this.clock = new ClockWatch()).restore(s.clock);
  }
}
