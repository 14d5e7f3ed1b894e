/**
 * Calendar helpers of the seasonal component: a day and a week at the series' step, and the calendar
 * period a detected one snaps to or gives way to.
 */
import { calendarPeriodConfirmed } from '../../stats/period.js';

export const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** The calendar periods, in ms: a day and a week. */
const CALENDAR_MS = [DAY_MS, 7 * DAY_MS];
/** Relative distance within which a detected period snaps to a calendar period (1,451 → 1,440: 0.8 %). */
export const CALENDAR_TOLERANCE = 0.03;

/** Points in an hour where `period` is exactly a day at `stepMs` and an hour is whole steps; 0 otherwise. */
export function hourPointsOf(period: number, stepMs: number | null): number {
  if (!isCalendarDay(period, stepMs) || HOUR_MS % stepMs! !== 0) return 0;
  return HOUR_MS / stepMs!;
}

/** Whether `period` points at the series' step (null: unknown) are exactly a day. */
export function isCalendarDay(period: number, stepMs: number | null): boolean {
  return stepMs !== null && stepMs > 0 && period * stepMs === DAY_MS;
}

/** The calendar period (a day or a week, in points) `period` is close to, or `period` itself. */
export function snapToCalendar(period: number, stepMs: number | null): number {
  if (stepMs === null || !(stepMs > 0)) return period;
  for (const ms of CALENDAR_MS) {
    const cal = Math.round(ms / stepMs);
    if (cal >= 2 && Math.abs(period - cal) <= CALENDAR_TOLERANCE * cal) return cal;
  }
  return period;
}

/**
 * The period to adopt where detectPeriod found `found` on `history`: a day or a week it is close to
 * (snapToCalendar); else a day or a week that the calendar test confirms on the same history, with two
 * of its cycles in view (calendarPeriodConfirmed, as at a day's two cycles and a quarter); else `found`.
 * An ACF peak off the calendar on a series that repeats its days or weeks is one drawn short or long by
 * noise: NAB's `ambient_temperature_system_failure` (hourly) took a period of 161 hours, 4 % short of the
 * week its own ACF confirms, and its profile read every week out of phase. NAB 73.60 → 73.63 / 64.19 /
 * 78.97 (one false positive fewer there; half A 72.92 → 72.98, half B identical); the scenario suite
 * identical on four seed sets (its series find their day at the calendar check or on it).
 */
export function periodToAdopt(
  found: number,
  history: ArrayLike<number>,
  stepMs: number | null,
  maxPeriod: number,
): number {
  const snapped = snapToCalendar(found, stepMs);
  if (stepMs === null || !(stepMs > 0)) return snapped;
  // Whole steps only, where the snap rounds.
  const calendar = CALENDAR_MS.filter((ms) => ms % stepMs === 0).map((ms) => ms / stepMs);
  if (calendar.includes(snapped)) return snapped;
  for (const cal of calendar) {
    if (cal > maxPeriod || 2 * cal + 2 > history.length) continue;
    if (calendarPeriodConfirmed(history, cal, CALENDAR_TOLERANCE)) return cal;
  }
  return snapped;
}
