/**
 * Office traffic (`clean_office_hours`): nights at 10 % of a working day, weekends at 30 %, 30-minute ramps
 * at 08:00 and 18:00, no incident. What may page is the series' first two days (before its day is known)
 * and its first two weekends (the weekly pattern's first and second occurrence). Before 2026-12-08:
 * - a working morning's ramp opened an incident while the noise scale still held the night's noise (a
 *   tenth of the day's), the incident held that scale, and the day paged until the evening ramp, on most
 *   weekdays from the second week on (the noise profile, detectors/seasonal/noiseProfile.ts);
 * - the first weekend, flagged before its week was seen, was stored as an imputed weekday factor, read by
 *   the second weekend and (older of two) by the third: three weekends paged ~10 hours a day
 *   (WeeklyCorrection.settleImputed);
 * - on seed 817836828 the clock watch took the second Saturday's ramp to 30 % for a clock moved by an hour,
 *   and every morning after was expected an hour late (Profile.watchClock, readsImputed).
 */
import { findScenario } from './catalog.js';
import { DAY_MS } from './traffic.js';
import { scoreSeries } from '../../engine/index.js';

test.each([1, 817836828])('pages only in its first days and on its first two weekends (seed %i)', (seed) => {
  const s = findScenario('clean_office_hours')!.generate(seed);
  const { episodes } = scoreSeries(
    { timestamps: s.timestamps, values: s.values },
    { options: { causal: true } },
  );
  const start = s.timestamps[0];
  /** Minutes of the episodes that begin on days [from, to) of the series (day 0: its first Monday). */
  const minutes = (from: number, to: number) =>
    episodes
      .filter((e) => e.start >= start + from * DAY_MS && e.start < start + to * DAY_MS)
      .reduce((sum, e) => sum + (e.end - e.start) / 60_000 + 1, 0);
  // The first week's Wednesday to Friday, once the day is known.
  expect(minutes(2, 5)).toBe(0);
  // The second week's working days (before: 500–600 minutes on most of them).
  expect(minutes(7, 12)).toBeLessThanOrEqual(5);
  // The third week, its weekend included (before: ~10 hours on each weekend day, and on seed 817836828
  // every working morning).
  expect(minutes(14, 21)).toBeLessThanOrEqual(60);
});
