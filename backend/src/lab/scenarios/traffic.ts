/**
 * The noise-free base of every scenario: request-rate-like traffic at a 1-minute step, 14 days by
 * default, with a daily cycle (night trough at ~30 % of the afternoon peak, an evening shoulder) and
 * weekends ~30 % lower. The series starts on Monday 2024-01-01 00:00 UTC, so days 5–6 and 12–13 are
 * weekends. Every shape is continuous (also across midnight and into and out of weekends), so the
 * base itself never contains a step a detector could rightly flag.
 */
export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
/** Monday 2024-01-01T00:00Z. */
export const DEFAULT_START = Date.UTC(2024, 0, 1);

export interface Timeline {
  start: number;
  stepMs: number;
  points: number;
}

export interface TimelineOptions {
  days?: number;
  stepMs?: number;
  start?: number;
}

export function timeline({
  days = 14,
  stepMs = MINUTE_MS,
  start = DEFAULT_START,
}: TimelineOptions = {}): Timeline {
  return { start, stepMs, points: Math.round((days * DAY_MS) / stepMs) };
}

export function timestampsOf(tl: Timeline): number[] {
  return Array.from({ length: tl.points }, (_, i) => tl.start + i * tl.stepMs);
}

/** Grid index of day `day` (0 = the first), hh:mm (UTC, the start being midnight). */
export function indexAt(tl: Timeline, day: number, hour: number, minute = 0): number {
  return Math.round((day * DAY_MS + hour * HOUR_MS + minute * MINUTE_MS) / tl.stepMs);
}

/** Points in `ms` milliseconds. */
export const pointsIn = (tl: Timeline, ms: number): number => Math.round(ms / tl.stepMs);

/** Distance between two hours of the day on the 24-hour circle. */
function hourDistance(a: number, b: number): number {
  const d = Math.abs(a - b) % 24;
  return Math.min(d, 24 - d);
}

/** Daily shape at hour `h` (0–24): 0.3 at night, ~1.0 at the 14:00 peak, a shoulder at 21:00. */
export function dailyShape(h: number): number {
  return (
    0.3 +
    0.7 * Math.exp(-((hourDistance(h, 14) / 5) ** 2)) +
    0.2 * Math.exp(-((hourDistance(h, 21) / 1.5) ** 2))
  );
}

const WEEKEND_FACTOR = 0.7;
/** Hours over which traffic eases into and out of a weekend (centred on midnight). */
const WEEKEND_RAMP_H = 6;

/** Weekly factor at `t`: 1 on weekdays, `weekend` (0.7) on Saturday and Sunday, with 6-hour ramps around midnight. */
export function weeklyFactor(t: number, weekend = WEEKEND_FACTOR): number {
  // Hours since Monday 00:00 UTC (1970-01-01 was a Thursday, 3 days after a Monday).
  const week = 7 * 24;
  const h = (((t / HOUR_MS + 3 * 24) % week) + week) % week;
  const satStart = 5 * 24;
  const half = WEEKEND_RAMP_H / 2;
  // Weekend weight w ∈ [0, 1]: ramps up around Saturday 00:00, down around Monday 00:00 (h = 0 / 168).
  let w: number;
  if (h < half) w = 0.5 - (0.5 * h) / half;
  else if (h < satStart - half) w = 0;
  else if (h < satStart + half) w = (h - (satStart - half)) / WEEKEND_RAMP_H;
  else if (h < week - half) w = 1;
  else w = 1 - (0.5 * (h - (week - half))) / half;
  const smooth = w * w * (3 - 2 * w);
  return 1 - (1 - weekend) * smooth;
}

/** Hour of the UTC day at `t` (0–24). */
export function hourOfDay(t: number): number {
  return (((t % DAY_MS) + DAY_MS) % DAY_MS) / HOUR_MS;
}

/** Day of the UTC week at `t`: 0 = Monday … 6 = Sunday (1970-01-01 was a Thursday). */
export function weekdayOf(t: number): number {
  return (((Math.floor(t / DAY_MS) + 3) % 7) + 7) % 7;
}

/** The seasonal shape (daily × weekly) at `t`, ~1.0 at a weekday peak. */
export function seasonalShape(t: number, weekend = WEEKEND_FACTOR): number {
  return dailyShape(hourOfDay(t)) * weeklyFactor(t, weekend);
}

/** The noise-free level of traffic at `level` (the weekday peak) on the timeline. */
export function trafficLevel(tl: Timeline, level = 1000, weekend = WEEKEND_FACTOR): Float64Array {
  const out = new Float64Array(tl.points);
  for (let i = 0; i < tl.points; i++) out[i] = level * seasonalShape(tl.start + i * tl.stepMs, weekend);
  return out;
}
