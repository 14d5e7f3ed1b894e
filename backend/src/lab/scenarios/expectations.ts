/**
 * What the regression guard (guard.test.ts) demands of each scenario, in ONE table. A bound left out
 * is not checked. The guard runs GUARD_SEEDS and checks every run (not the mean) against its row.
 *
 * These are the figures the code at the time of writing achieves (see README, "Scenario suite") with
 * a margin, so the guard catches a regression without asserting improvements nobody has made yet.
 * Tighten them as detection improves (issue 11: e.g. shift_4sigma detected within a few points,
 * coverage near 1 for sustained incidents, ≤ 0.1 false episodes a day, last/first ≥ 0.8, no flagged
 * recurrences).
 */
import type { ScenarioMetrics } from './measure.js';

export interface Expectation {
  scenario: string;
  /** Incidents detected, at least. */
  minDetected?: number;
  /** Median onset delay in points, at most (fails if nothing was detected). */
  maxOnsetDelay?: number;
  /** Fraction of incident points flagged, at least. */
  minCoverage?: number;
  /** False episodes per scored day, at most. */
  maxFalsePerDay?: number;
  /** Peak score in the last identical incident ÷ in the first, at least (fails if not measured). */
  minLastFirstRatio?: number;
  /** Recurrences after the 3rd with an anomalous point, at most. */
  maxFlaggedRecurrences?: number;
  /**
   * The band's width after the incidents ÷ on the incident-free twin, at most (ScenarioMetrics.bandTwin;
   * fails if not measured).
   */
  maxBandTwin?: number;
  /** Share of the 30 points after an incident still flagged, at most, where not MAX_AFTER_END. */
  maxAfterEnd?: number;
}

/**
 * Every run with an incident: at most this share of the 30 points after an incident still flagged
 * (ScenarioMetrics.afterEnd), so holding an incident cannot turn into not letting it go. Seeds 1–8 at the
 * commit after 609638e: worst 0.433 (`shift_2sigma`, seed 1: a 2σ shift's CUSUM falls back over ~20
 * points), 0.333 at 3σ, 0.167 at 4σ, 0.067 on the 40 % rows, 0 after outages, bursts and spikes.
 */
export const MAX_AFTER_END = 0.5;

/** The fixed seeds of the guard. */
export const GUARD_SEEDS: readonly number[] = [1, 2];

/*
 * Re-derived from seeds 1–8 when the default multiplier went from ×1.19 to ×1.5 (with sustained incidents
 * held and the outage rule): the worst run with a margin — false episodes/day +~0.25, coverage to ~90 %
 * and ratios to ~70 % of the worst, onset delays ×2 (at least 2). Every bound is as tight or tighter than
 * at ×1.19 except the variance burst's coverage (0.02 → 0.015) and onset (8 → 36 points): at ×1.5 its
 * noise exceeds the wider band later and less often, the price of ten times fewer false episodes on clean
 * series (README, "Sensitivity"). Bounds the code cannot meet on every seed are left low or out.
 *
 * False episodes a day re-derived from seeds 1–8 (their worst + ~0.1) when a series' first weekend entered
 * the daily table as weekday equivalents (detectors/seasonal/profile.ts, Profile.endDay): before, those
 * days stayed at their own level and any weekday incident of week 2 echoed on the next days (drop_40pct
 * 0.21 → 0.01 a day on average, drop_to_zero 0.19 → 0.02, weekly_weekend 0.17 → 0.02). Two bounds went out
 * with that change, by the same rule: slow_ramp's detection (now missed on seed 2 of 1–8, caught on the
 * other 7; it was caught on 6 of 8, and a 0.8σ-low expected value from the raw weekend had helped it over
 * the boundary), and repeated_bursts' last/first ratio to 70 % of the new worst (seed 1: 0.47).
 */
export const EXPECTATIONS: readonly Expectation[] = [
  // Detected on every seed 1–8 since the seasonal profile's noise scale comes from the residual's changes
  // (detectors/seasonal/profile.ts, Profile.scale; before: 5 of 8, covered 0.207): 0.875 covered at seeds
  // 1–2. 0.6 → 0.65 with the second residual test (seeds 1–8: covered 0.773 → 0.863, worst seed 0.008 →
  // 0.731). 0.65 → 0.83 and 30 → 14 points with the CUSUM (components/cusum.ts; seeds 1–8: covered
  // 0.922–0.956, onset 1–7 points).
  // 0.83 → 0.94 with the band narrowing to a quarter of the CUSUM's estimate inside an incident (calibration/band.ts, INCIDENT_SHIFT_FLOOR; guard seeds 0.933 / 0.917 → 0.975 / 0.967).
  { scenario: 'shift_4sigma', minDetected: 1, maxOnsetDelay: 14, minCoverage: 0.94, maxFalsePerDay: 0.2 },
  // Added at 6f784b6 to track what is not yet caught: seeds 1–8 detected a 3σ shift on 6 of 8 (covered
  // 0.00–0.87, mean 0.51, onset 8–19 points), so only its false episodes were bounded. Held with the CUSUM
  // (components/cusum.ts): detected on every seed 1–8, covered 0.783–0.908, onset 4–22 points.
  // 0.7 → 0.9 with the band narrowing to a quarter of the CUSUM's estimate inside an incident (calibration/band.ts, INCIDENT_SHIFT_FLOOR; guard seeds 0.903 / 0.872 → 0.944 / 0.928; seeds 1–8 worst 0.728 → 0.747).
  { scenario: 'shift_3sigma', minDetected: 1, maxOnsetDelay: 44, minCoverage: 0.9, maxFalsePerDay: 0.2 },
  // Added with the level tests learning the profile's expected value inside incidents (seriesScorer.ts,
  // `reference`): before it, the return from the drop read as a shift up in the afternoon (seeds 1–8: 0.12
  // false episodes a day, worst 0.93; guard seed 2: 0.22); since, none on seeds 1–8, covered 0.828–0.925,
  // onset 3–10 points.
  {
    scenario: 'shift_down_3sigma',
    minDetected: 1,
    maxOnsetDelay: 20,
    // 0.75 → 0.93 with the band narrowing to a quarter of the CUSUM's estimate inside an incident (calibration/band.ts, INCIDENT_SHIFT_FLOOR; guard seeds 0.914 / 0.897 → 0.964 / 0.956).
    minCoverage: 0.93,
    maxFalsePerDay: 0.1,
  },
  // Added at the same commit to show where detection ends: a 2σ shift is caught on 6 of seeds 1–8 (covered
  // 0–0.81, mean 0.39), so only its false episodes were bounded (worst 0.07). Since a CUSUM run reads its
  // points against the level offset it began with (components/cusum.ts), the guard seeds are held too:
  // covered 0.842 / 0.042 → 0.842 / 0.803 (seeds 1–8 0–0.84, mean 0.60; two seeds still not caught).
  { scenario: 'shift_2sigma', minDetected: 1, minCoverage: 0.6, maxFalsePerDay: 0.2 },
  // Added with the clock watch's onset check (detectors/clockWatch.ts): before it a 4σ shift from
  // 04:00–07:00 was read as the clock moving an hour earlier (seeds 1–8 covered 0.144–0.983, mean 0.560;
  // guard seeds 0.267 / 0.744); since, 0.958–0.983 (guard seeds 0.972 / 0.981), onset 0–8 points.
  {
    scenario: 'shift_4sigma_dawn',
    minDetected: 1,
    maxOnsetDelay: 16,
    minCoverage: 0.94,
    maxFalsePerDay: 0.25,
  },
  // Added to track what is not yet held (seeds 1–8): a 3σ shift from 14:00–17:00 covered 0.078–0.903
  // (mean 0.692, onset 3–29 points), from 19:00–22:00 0.083–0.897 (mean 0.480, onset 0–13): detected on
  // every seed, but the incident is let go as the level falls toward the night. With the noise scale
  // following the pattern inside an incident (detectors/seasonal/profile.ts, FOLLOW_EXPONENT) 0.089–0.925
  // (mean 0.778) and 0.114–0.911 (mean 0.584); three evening seeds still lose it within two hours. Only
  // detection, onset and false episodes are bounded, with the coverage of the worst seed.
  {
    scenario: 'shift_3sigma_afternoon',
    minDetected: 1,
    maxOnsetDelay: 60,
    minCoverage: 0.05,
    maxFalsePerDay: 0.25,
  },
  {
    scenario: 'shift_3sigma_evening',
    minDetected: 1,
    maxOnsetDelay: 26,
    minCoverage: 0.05,
    maxFalsePerDay: 0.2,
  },
  // The same on a flat series, added with the CUSUM on a flat series (components/cusum.ts, FLAT_POINTS): caught
  // on 5 of seeds 1–8 (covered 0–0.78, mean 0.38; before it 0.003, caught on 2), so only its false episodes
  // were bounded (worst 0.07). Since a run reads its points against the median and the scale it began
  // with, the guard seeds are held: covered 0 / 0 → 0.842 / 0.828 (seeds 1–8 mean 0.424 → 0.632).
  { scenario: 'kpi_shift_2sigma', minDetected: 1, minCoverage: 0.6, maxFalsePerDay: 0.2 },
  // Added with the scenario (issue 11): the 4σ shift of a series past its first weeks (0.796 at seeds 1–2;
  // seed 1 covered 0.003 before the noise scale).
  // 0.6 → 0.8 when the band kept narrowing to the level the residual test observed after its own score fell
  // inside the incident (band.ts; seeds 1–8: covered 0.855 → 0.900, worst seed 0.611 → 0.858).
  {
    scenario: 'shift_4sigma_week4',
    minDetected: 1,
    // 30 → 14 with the CUSUM (seeds 1–8: onset 1–7 points, covered 0.889–0.933).
    maxOnsetDelay: 14,
    // 0.8 → 0.94 with the band narrowing to a quarter of the CUSUM's estimate inside an incident (calibration/band.ts, INCIDENT_SHIFT_FLOOR; guard seeds 0.928 / 0.928 → 0.964 / 0.975).
    minCoverage: 0.94,
    maxFalsePerDay: 0.3,
  },
  // The same 6-hour 40 % drop as drop_40pct, in a series' 4th week. It echoed at the same hour on the next
  // weekdays (0.18 false episodes a day at guard seed 1) until the daily table held weekday equivalents
  // (detectors/seasonal/profile.ts, Profile.learn): 0 and 0.11 now.
  { scenario: 'drop_40pct_week4', minDetected: 1, maxOnsetDelay: 2, minCoverage: 0.9, maxFalsePerDay: 0.15 },
  // A series with no pattern: held since the rolling median holds incidents where the series is stationary
  // around it (detectors/components/rollingMedian.ts; before: covered 0.10–0.16, the drop became the
  // median within half its window).
  { scenario: 'kpi_drop_40pct', minDetected: 1, maxOnsetDelay: 2, minCoverage: 0.9, maxFalsePerDay: 0.2 },
  // Held since the residual level-shift test also reads a median the series is stationary around
  // (components/residualShift.ts; before: detected on 6 of seeds 1–8, covered 0.003): seeds 1–8 worst
  // covered 0.681, onset 10 points.
  {
    scenario: 'kpi_shift_4sigma',
    minDetected: 1,
    // 20 → 6 with the CUSUM on a flat series (components/cusum.ts, FLAT_POINTS; seeds 1–8: onset 0–10
    // points → 0–4).
    maxOnsetDelay: 6,
    // 0.6 → 0.75 with the observed level (seeds 1–8: 0.859 → 0.889, worst 0.681 → 0.836).
    // 0.75 → 0.96 with the band narrowing to a quarter of the CUSUM's estimate inside an incident (calibration/band.ts, INCIDENT_SHIFT_FLOOR; guard seeds 0.953 / 0.928 → 0.975 / 0.975).
    minCoverage: 0.96,
    maxFalsePerDay: 0.2,
  },
  // Added at 6f784b6: seeds 1–8 detect it on every seed, covered 0.747–0.875 (mean 0.815), onset 9–22 points.
  // Onset 45 → 10 and coverage 0.65 → 0.75 with the CUSUM on a flat series (components/cusum.ts,
  // FLAT_POINTS; seeds 1–8: onset 4–14 points, mean 6.6, covered 0.792–0.900, mean 0.874; at the guard's
  // seeds 6 and 5 points, 14 and 12 before).
  // 0.75 → 0.91 with the band narrowing to a quarter of the CUSUM's estimate inside an incident (calibration/band.ts, INCIDENT_SHIFT_FLOOR; guard seeds 0.889 / 0.869 → 0.942 / 0.942).
  { scenario: 'kpi_shift_3sigma', minDetected: 1, maxOnsetDelay: 10, minCoverage: 0.91, maxFalsePerDay: 0.2 },
  { scenario: 'shift_40pct', minDetected: 1, maxOnsetDelay: 2, minCoverage: 0.9, maxFalsePerDay: 0.2 },
  // Added with the weekly correction reading the older of two stored weeks (seasonal/weeklyCorrection.ts,
  // WeeklyCorrection.binMedian; seeds 1–8: false episodes a day 0.07 → 0.01, worst 0.05; the week after is
  // checked point by point in weekAfter.test.ts, since an echo is one episode however long: 345–382 points
  // before, 0 since).
  {
    scenario: 'drop_40pct_week_after',
    minDetected: 1,
    maxOnsetDelay: 2,
    minCoverage: 0.9,
    maxFalsePerDay: 0.15,
  },
  // A lasting change, labelled for its first day (acceptNewLevelAfter). Seeds 1–8 since the reading above:
  // up 0.15 → 0.03 false episodes a day (worst 0.05), down 0.29 → 0.13 (worst 0.43, seed 1: short episodes
  // in the hours after the new level is accepted, while the level estimates catch up); since the accepted
  // level moves the phase table at once (Profile.acceptLevel): up 0.02, down 0.01 (worst 0.05 both).
  {
    scenario: 'level_up_40pct_lasting',
    minDetected: 1,
    maxOnsetDelay: 2,
    minCoverage: 0.9,
    maxFalsePerDay: 0.15,
  },
  {
    scenario: 'level_down_40pct_lasting',
    minDetected: 1,
    maxOnsetDelay: 2,
    minCoverage: 0.9,
    maxFalsePerDay: 0.15,
  },
  // The same on a flat KPI, as small as a 2σ shift. Its label is the change's first day, but the change goes
  // on: its first flagged point comes 2–15 points after the onset and the day is counted from there, so the
  // 30 points after the label are still flagged (0.73–0.9 on seeds 1–8) and MAX_AFTER_END does not apply.
  // What the row guards is after the acceptance: a variant that held a flat series' CUSUM run through its
  // own shift paged such a change for good (docs/detection-quality.md). Seeds 1–8: missed on seed 3 (no
  // detection bound), false episodes a day 0–0.096.
  { scenario: 'kpi_level_up_2sigma_lasting', maxFalsePerDay: 0.2, maxAfterEnd: 1 },
  { scenario: 'drop_40pct', minDetected: 1, maxOnsetDelay: 2, minCoverage: 0.9, maxFalsePerDay: 0.2 },
  // The same drop on a series' third day, 2¼ days after its day is confirmed (stats/period.ts,
  // calendarPeriodConfirmed): covered 0.975–1.000 on seeds 1–8, 0.003–0.006 before. Its false episodes were
  // mostly the drop's echo a week later (one week stored: the weekly correction read the drop's hours):
  // 0.55 → 0.35 when a first-week bin learnt inside an incident stored the recent normal factor instead
  // (seasonal/weeklyCorrection.ts, WeeklyCorrection.learn; seeds 1–8: 0.18 → 0.06, worst 0.22).
  { scenario: 'drop_40pct_day3', minDetected: 1, maxOnsetDelay: 2, minCoverage: 0.9, maxFalsePerDay: 0.35 },
  // Added with the rule that a return to the phase table's level resets the level offset only where the
  // week has been seen (Profile.learn): before it the drop, at the level of a table still holding the first
  // weekend, was let go after 3 points (covered 0.042 / 0.142 on seeds 1 / 2, 0.015–0.154 on four seed
  // sets); since, 0.992 / 1.000. Seed 1's false episodes are its first morning's (before a period is known).
  // After the drop, 25 of 30 points were still flagged "up" on both seeds: a first week's daily table misses
  // a weekday's shape by 20–30 %, the level offset follows it through the day, and held at its value from
  // the drop's onset it was stale for the afternoon. Since the held offset is scaled with the day's level
  // (Profile.followDay): none of the 30 points on either seed (worst 0.033 on four seed sets), so the row's
  // after-end bound is 0.1, not 0.9. Seed 2's false episodes a day 0.30 → 0 (three warnings at 18:22–18:52);
  // seed 1's 0.30 → 0.40: its first day's three, and a one-point warning (score 1.02, a noisy +10 % point)
  // 34 minutes after the drop, a point its drop’s episode, held until 18:48, used to swallow.
  {
    scenario: 'drop_40pct_first_thursday',
    minDetected: 1,
    maxOnsetDelay: 2,
    minCoverage: 0.9,
    maxFalsePerDay: 0.45,
    maxAfterEnd: 0.1,
  },
  { scenario: 'drop_to_zero', minDetected: 1, maxOnsetDelay: 2, minCoverage: 0.9, maxFalsePerDay: 0.2 },
  {
    scenario: 'flapping_outage',
    minDetected: 8,
    maxOnsetDelay: 2,
    minCoverage: 0.9,
    maxFalsePerDay: 0.2,
    minLastFirstRatio: 0.36,
    // The band over the 30 points after each incident ÷ on the same series without its incidents (issue
    // 11: the band after an incident returns to its earlier width). Seeds 1–8 when it was added: repeated
    // bursts 0.96–1.07, spikes 0.98–1.01, flaps 0.77–1.09, the dip 0.91–1.07.
    maxBandTwin: 1.2,
  },
  {
    scenario: 'repeated_bursts',
    minDetected: 5,
    maxOnsetDelay: 2,
    minCoverage: 0.9,
    maxFalsePerDay: 0.2,
    // 0.12 → 0.5 when the level-shift tests stopped echoing an imputed burst (seeds 1–8: worst 0.72);
    // 0.33 with the first weekend as weekday equivalents (worst 0.47, seed 1; mean 0.81 → 0.76).
    minLastFirstRatio: 0.33,
    // As flapping_outage's (0.96–1.07 on seeds 1–8): what a burst leaves behind is the twin's band, so the
    // last/first below 1 is the band's width at 08:00 against 16:00, not what the bursts taught it.
    maxBandTwin: 1.2,
  },
  {
    scenario: 'spikes',
    minDetected: 3,
    maxOnsetDelay: 0,
    minCoverage: 1,
    maxFalsePerDay: 0.15,
    // 0.25 → 0.43 (70 % of the new worst) when the shown band left an incident's outliers out
    // (calibration/calibrator.ts, SHOWN_OUTLIER; seeds 1–8: last/first 0.74 → 0.98, worst seed 0.51 → 0.62).
    minLastFirstRatio: 0.43,
    maxBandTwin: 1.2,
  },
  {
    scenario: 'dip',
    minDetected: 1,
    maxOnsetDelay: 2,
    minCoverage: 0.9,
    maxFalsePerDay: 0.2,
    maxBandTwin: 1.2,
  },
  // Caught on 7 of seeds 1–8, not on guard seed 2 (see above): no detection bound. Bounds again since the
  // second residual test reads the offset 60 points back (detectors/registry.ts, SLOW_SHIFT_BACK): every
  // seed 1–8 caught within 29–76 points and covered 0.868–0.951 (before: 0.000–0.931, mean 0.452).
  { scenario: 'slow_ramp', minDetected: 1, maxOnsetDelay: 150, minCoverage: 0.78, maxFalsePerDay: 0.2 },
  {
    scenario: 'variance_burst',
    minDetected: 1,
    maxOnsetDelay: 36,
    // 0.015 → 0.5, and a band/twin bound of 1, with the spread test (detectors/components/spread.ts):
    // seeds 1 and 2 covered 0.367 / 0.133 → 0.617 / 0.583, band/twin 0.74 / 3.29 → 0.52 / 0.47 (seeds
    // 1–8: covered 0.079 → 0.365 on average, band/twin 3.42 → 1.17; seed 7's burst is never flagged, so no
    // incident opens for the test to hold).
    minCoverage: 0.5,
    maxBandTwin: 1,
    maxFalsePerDay: 0.15,
  },
  {
    scenario: 'recurring_spike',
    minDetected: 3,
    maxOnsetDelay: 2,
    minCoverage: 0.9,
    // 0.55 → 0.4 and 6 → 4 when the first weekend expected the spike at its own height
    // (seasonal/profile.ts, unseenFeature; seeds 1–8: 0.13 false episodes a day, worst 0.29; 1.8 of 11
    // flagged, worst 4). 0.4 → 0.1 and 4 → 0 when a learnt peak's noise scaled with its height
    // (seasonal/profile.ts, peakFactor; seeds 1–8: no false episode, none of 11 flagged).
    maxFalsePerDay: 0.1,
    // 9 → 6 when lagging components stopped narrowing the band past an anticipating profile (seeds 1–8:
    // at most 4 of 11 flagged, 3.6 on average).
    maxFlaggedRecurrences: 0,
  },
  // The same spike at 06:02 (added with it: seeds 1–8 0.28 false episodes a day, worst 0.43; at most 6
  // of 11 recurrences flagged). A phase table of 5-minute phases paged on it every day (0.57): docs/performance.md.
  // 0.55 → 0.4 and 6 → 5 with the first weekend's spike height (seeds 1–8: 0.15, worst 0.36; 2.1 of 11
  // flagged, worst 5). 0.4 → 0.15 and 5 → 0 with a learnt peak's noise scaled with its height (seeds 1–8:
  // 0.02, worst 0.07; none flagged).
  {
    scenario: 'recurring_spike_offset',
    minDetected: 3,
    maxOnsetDelay: 2,
    minCoverage: 0.9,
    maxFalsePerDay: 0.15,
    maxFlaggedRecurrences: 0,
  },
  { scenario: 'clean_gaussian', maxFalsePerDay: 0.2 },
  // 1.35 → 0.55 with the score tail (calibration/tail.ts) and the seasonal offset's two-point restart
  // (seeds 1–8: 0.81, worst 1.08 → 0.14, worst 0.29).
  // 0.5 → 0.4 and 0.4 → 0.35 with the tail extrapolated from ξ ≥ 0.15 (calibration/tail.ts; seeds 1–8:
  // worst 0.29 and 0.22).
  // 0.4 → 0.3 with the tail's target rate 10⁻⁶ at sensitivity 50 instead of 10⁻⁵ (contract/sensitivity.ts;
  // seeds 1–8: 0.09, worst 0.22).
  { scenario: 'clean_heavy_tailed', maxFalsePerDay: 0.3 },
  { scenario: 'clean_counts', maxFalsePerDay: 0.35 },
  // Added with the CUSUM on a flat series (components/cusum.ts, FLAT_POINTS), the flat series' false alarms
  // it could raise: seeds 1–8 0.02 (worst 0.07) and 0.09 (worst 0.22) with it and without it alike.
  { scenario: 'kpi_clean_gaussian', maxFalsePerDay: 0.2 },
  { scenario: 'kpi_clean_heavy_tailed', maxFalsePerDay: 0.3 },
  // Added at the commit after f1c0c40 to show a gap: seeds 1–8 0.12 false episodes a day, worst 0.38 (most on
  // Mondays, where the week becomes seen and the level offset that carried the trend restarts at 0; at 3 %
  // a day each Monday pages for the whole day). So only a loose bound, to catch it getting worse.
  // 0.5 → 0.25 with the first week's factors put on a live factor's age (detectors/seasonal/profile.ts,
  // Profile.alignFirstWeek; seeds 1–8: 0.06, worst 0.14).
  { scenario: 'clean_growth', maxFalsePerDay: 0.25 },
  // Added at the commit after c195f49, also to show a gap: seeds 1–8 0.54 false episodes a day (0.19–0.91),
  // Mondays of weeks 2 and 3 paging "level shift down" for hours: the weekly correction's factors carry the
  // trend, those learnt from the replayed first days (against a table of those days) less than the later
  // ones (against a table lagging ~2.5 days), so Monday's factor sits a few per cent above Friday's
  // (README, "Scenario suite"). A loose bound, to catch it getting worse.
  // 1.2 → 0.4 with the first week's factors put on a live factor's age (Profile.alignFirstWeek; seeds 1–8:
  // 0.16, worst 0.29; what is left pages in the first two hours of the second and third Mondays).
  { scenario: 'clean_decline', maxFalsePerDay: 0.4 },
  // Added with the clock watch (detectors/clockWatch.ts): seeds 1–8 0.28 / 0.23 false episodes a day without
  // it, 0.12 / 0.11 with it (worst 0.24 both: the day of the change pages before the move).
  { scenario: 'clock_later_1h', maxFalsePerDay: 0.35 },
  { scenario: 'clock_earlier_1h', maxFalsePerDay: 0.35 },
  // Added with the timezone option (engine/localClock.ts): the same moves, on real daylight-saving dates,
  // scored with the zone. Seeds 1–8: 0–3 single-point false episodes in 21 days (worst 0.14 a day) where the
  // same series without the zone give 0–7 (0.33), paging through the mornings after the change.
  { scenario: 'dst_end_berlin', maxFalsePerDay: 0.2 },
  { scenario: 'dst_start_new_york', maxFalsePerDay: 0.2 },
  // Added with the weekly correction (issue 11 item 5); every false episode a single noise point. 1.0 →
  // 0.55 with lagging components re-centred on the anticipating profile (seeds 1–8: worst 0.29); 0.2 with
  // the first weekend as weekday equivalents (worst 0.10).
  { scenario: 'weekly_weekend', maxFalsePerDay: 0.2 },
  // Seeds 1–8's worst + ~0.1 (0.19 / 0.24 / 0.33), at the commit that learns the first week again when it
  // comes round (WeeklyCorrection.relearnFirstWeek); before it the means were 0.59 / 0.49 / 0.72.
  { scenario: 'clean_from_friday', maxFalsePerDay: 0.3 },
  { scenario: 'clean_from_saturday', maxFalsePerDay: 0.35 },
  { scenario: 'clean_from_sunday', maxFalsePerDay: 0.45 },
  // Added with the learning gate's bound by the normal history (calibration/gate.ts): seeds 1–8 0.74
  // false episodes a day without it (0.57–0.86: the first three mornings each held through the day as a level
  // shift), 0.25 with it (0.07–0.36: the first morning until the afternoon, then single points on the
  // steep ramps of week 2, where the phase table is coarser than the ramp). 0.30 since the bar for opening
  // an episode is raised by the noise scale's lag on a ramp (Profile.noiseLag): seeds 1–8 0.12 (0.07–0.22).
  { scenario: 'clean_sharp_mornings', maxFalsePerDay: 0.3 },
  // Office traffic ten times busier by day than by night, weekends' days at 30 %. Added as a known failure:
  // seeds 1 / 2 paged 0.81 / 0.62 times a day, most episodes whole working days (the morning ramp's noise
  // read against the night's) and whole weekends (the first weekend's imputed factor read by the next two).
  // Since the noise profile (detectors/seasonal/noiseProfile.ts) and a recurring first-week pattern settled
  // in week 2 (WeeklyCorrection.settleImputed): 0.43 / 0.57, what is left being the series' first two days
  // and its first two weekends (officeHours.test.ts), ~170 minutes a day on every seed set.
  { scenario: 'clean_office_hours', maxFalsePerDay: 0.7 },
  { scenario: 'counter_resets', maxFalsePerDay: 0.2 },
  { scenario: 'scrape_gaps', maxFalsePerDay: 0.2 },
  // At a 5-minute step, added with the weekly correction on days of 96 points or more
  // (detectors/seasonal/component.ts, correctionOf, BINNED_DAY_POINTS). Seeds 1–8 before it / with it:
  // false episodes a day 0.35 / 0.11 (worst 0.22; most of what is left is the first morning, before a
  // period) on clean_gaussian_5m, 0.25 / 0.07 (worst 0.15) on weekly_weekend_5m; the 3σ shift detected
  // 0.25 / 1, covered 0.25 / 0.89 (worst 0.79), flagged from 4.5 points (worst 13); the 40 % drop covered
  // 0.74 / 1.0.
  { scenario: 'clean_gaussian_5m', maxFalsePerDay: 0.35 },
  { scenario: 'weekly_weekend_5m', maxFalsePerDay: 0.3 },
  { scenario: 'shift_3sigma_5m', minDetected: 1, maxOnsetDelay: 20, minCoverage: 0.65, maxFalsePerDay: 0.35 },
  { scenario: 'drop_40pct_5m', minDetected: 1, maxOnsetDelay: 2, minCoverage: 0.9, maxFalsePerDay: 0.35 },
  // At a 15-minute step, added with the day's own check on 96 points (calendarCheckDue). Seeds 1–8 before it
  // / with it: clean false episodes a day 0.24 / 0.04 (worst 0.08); the 3σ shift (24 points) detected 0.12 /
  // 1, covered 0.13 / 0.57 (0.13–0.79), flagged from 7.9 points (worst 15).
  { scenario: 'clean_gaussian_15m', maxFalsePerDay: 0.2 },
  { scenario: 'shift_3sigma_15m', minDetected: 1, maxOnsetDelay: 20, maxFalsePerDay: 0.2 },
  // At an hourly step, added with the day confirmed on a week of days (calendarCheckDue, SHORT_DAY_CYCLES).
  // Seeds 1–8 before it / with it: clean false episodes a day 0.03 / 0.06 (worst 0.13); the 12-hour drop
  // detected 0 / 0.5, covered 0 / 0.41. Seeds 1–4 (the guard's) still missed it: it falls on the second
  // week's Tuesday, expected at the weekend's level, and the Wednesday after it paged (one false episode).
  // Since the week joins once its day is confirmed (SeasonalComponent.cyclesToJoin): no false episode on
  // either row at seeds 1–8 (0.047 / 0.051 a day before), the drop detected 0.75 of seeds 1–8, covered 0.45;
  // the guard's seeds 1 and 2 still miss it (their Monday, mis-expected before the week took over, widened
  // the calibration ranges), so only false episodes are bounded here.
  { scenario: 'clean_gaussian_hourly', maxFalsePerDay: 0.02 },
  { scenario: 'drop_40pct_hourly', maxFalsePerDay: 0.02 },
];

export function expectationFor(scenario: string): Expectation | undefined {
  return EXPECTATIONS.find((e) => e.scenario === scenario);
}

/** Each bound of `e` that `m` misses, as a readable line; empty when all hold. */
export function violations(m: ScenarioMetrics, e: Expectation): string[] {
  const out: string[] = [];
  const fmt = (x: number | null) => (x === null ? 'n/a' : Number.isInteger(x) ? String(x) : x.toFixed(3));
  const atLeast = (name: string, value: number | null, bound: number | undefined) => {
    if (bound !== undefined && !(value !== null && value >= bound))
      out.push(`${e.scenario}: ${name} ${fmt(value)} < ${bound}`);
  };
  const atMost = (name: string, value: number | null, bound: number | undefined) => {
    if (bound !== undefined && !(value !== null && value <= bound))
      out.push(`${e.scenario}: ${name} ${fmt(value)} > ${bound}`);
  };
  atLeast('detected', m.detected, e.minDetected);
  atMost('onset delay', m.onsetDelay, e.maxOnsetDelay);
  atLeast('coverage', m.coverage, e.minCoverage);
  atMost('false episodes/day', m.falsePerDay, e.maxFalsePerDay);
  atLeast('last/first peak ratio', m.lastFirstRatio, e.minLastFirstRatio);
  atMost('flagged recurrences', m.flaggedRecurrences, e.maxFlaggedRecurrences);
  atMost('band/twin', m.bandTwin, e.maxBandTwin);
  // Not measured where no point follows an incident on the grid.
  if (m.afterEnd !== null) atMost('after end', m.afterEnd, e.maxAfterEnd ?? MAX_AFTER_END);
  return out;
}
