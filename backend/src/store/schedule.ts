/**
 * When a maintenance window is active: a one-off window over [startsAt, endsAt), a recurring one from
 * each firing of its cron expression (UTC) for durationMs, within its optional bounds.
 *
 * Cron expressions are parsed by `cron-parser` (pinned): a widely used, maintained parser that
 * validates every field's range, knows the day-of-month/day-of-week OR rule of Vixie cron and the
 * @daily-style macros, and steps to the previous and next firing directly instead of minute by minute.
 * Writing our own would mean re-deriving those rules and their edge cases (31st of short months, 29 Feb).
 */
import { CronExpressionParser, type CronExpression } from 'cron-parser';
import type { WindowSchedule } from '../contract/windows.js';

export interface WindowTiming {
  startsAt: number | null;
  endsAt: number | null;
  schedule: WindowSchedule | null;
}

/** A half-open interval of epoch ms. */
export interface Interval {
  start: number;
  end: number;
}

const MACROS = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);
/** A cron expression that does not fire in this long is refused as one that never fires. */
const NEVER_HORIZON_MS = 5 * 366 * 86_400_000;
/** Firings enumerated for one interval query at most (a minute cron over a week is 10,080). */
const MAX_FIRINGS = 50_000;

function parse(cron: string, at: number): CronExpression {
  return CronExpressionParser.parse(cron, { tz: 'UTC', currentDate: new Date(at) });
}

/**
 * Why a cron expression is refused (null: it is fine): not five fields or a macro, a field out of
 * range, or no firing within five years of `now` (such as 0 0 30 2 *, 30 February).
 */
export function cronProblem(cron: string, now: number): string | null {
  const text = cron.trim();
  const fields = text.split(/\s+/);
  if (!(fields.length === 5 || (fields.length === 1 && MACROS.has(text)))) {
    return `cron ${JSON.stringify(text.slice(0, 200))} must have five fields (minute hour day-of-month month day-of-week) or be one of ${[...MACROS].join(', ')}`;
  }
  let next: number;
  try {
    next = parse(text, now).next().getTime();
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    return `cron ${JSON.stringify(text)} never fires or is invalid: ${why}`;
  }
  if (next - now > NEVER_HORIZON_MS) {
    return `cron ${JSON.stringify(text)} does not fire in the next five years`;
  }
  return null;
}

/** Why a window's timing is refused (null: fine). `now` is when it is checked (for "never fires"). */
export function timingProblem(w: WindowTiming, now: number): string | null {
  if (w.startsAt !== null && w.endsAt !== null && w.endsAt <= w.startsAt) {
    return 'endsAt must be after startsAt';
  }
  if (w.endsAt !== null && w.endsAt <= now) {
    return `endsAt (${new Date(w.endsAt).toISOString()}) is in the past: the window would never be active`;
  }
  if (w.schedule) {
    const problem = cronProblem(w.schedule.cron, Math.max(now, w.startsAt ?? now));
    if (problem) return problem;
    if (w.endsAt !== null) {
      const first = nextStart(w, Math.max(now, w.startsAt ?? -Infinity));
      if (first === null && !activeAt(w, now)) return 'the schedule does not fire before endsAt';
    }
  } else if (w.startsAt === null || w.endsAt === null) {
    return 'a window needs startsAt and endsAt, or a schedule';
  }
  return null;
}

function withinBounds(w: WindowTiming, t: number): boolean {
  return (w.startsAt === null || t >= w.startsAt) && (w.endsAt === null || t < w.endsAt);
}

/** Whether the window is active at t. */
export function activeAt(w: WindowTiming, t: number): boolean {
  if (!withinBounds(w, t)) return false;
  if (!w.schedule) return true;
  // The last firing at or before t decides: an earlier one ended earlier (same duration).
  let last: number;
  try {
    last = parse(w.schedule.cron, t + 1)
      .prev()
      .getTime();
  } catch {
    return false;
  }
  return t < last + w.schedule.durationMs;
}

/** The window's active intervals overlapping [from, to), clipped to it, in order and merged. */
export function activeIntervals(w: WindowTiming, from: number, to: number): Interval[] {
  const lo = Math.max(from, w.startsAt ?? -Infinity);
  const hi = Math.min(to, w.endsAt ?? Infinity);
  if (!(lo < hi)) return [];
  if (!w.schedule) return [{ start: lo, end: hi }];
  const { cron, durationMs } = w.schedule;
  const out: Interval[] = [];
  let it: CronExpression;
  try {
    // From the last firing whose occurrence may still cover `lo`.
    it = parse(cron, lo - durationMs);
  } catch {
    return [];
  }
  for (let n = 0; n < MAX_FIRINGS && it.hasNext(); n++) {
    const fired = it.next().getTime();
    if (fired >= hi) break;
    const start = Math.max(fired, lo);
    const end = Math.min(fired + durationMs, hi);
    if (start >= end) continue;
    const last = out.at(-1);
    if (last && start <= last.end) last.end = Math.max(last.end, end);
    else out.push({ start, end });
  }
  return out;
}

/** When the window is next active after `now` if it is not active now; null if never again. */
export function nextStart(w: WindowTiming, now: number): number | null {
  if (w.endsAt !== null && now >= w.endsAt) return null;
  if (!w.schedule) return w.startsAt !== null && w.startsAt > now ? w.startsAt : null;
  try {
    const from = Math.max(now, (w.startsAt ?? now) - 1);
    const next = parse(w.schedule.cron, from).next().getTime();
    return w.endsAt === null || next < w.endsAt ? next : null;
  } catch {
    return null;
  }
}
