/**
 * Maintenance windows as the jobs apply them: "is this series suppressed at t?". A suppressed point is
 * still scored and shown, but it is not anomalous, its gauge is 0 and an episode that starts inside a
 * window is no alert (jobs/job.ts, jobs/seriesTable.ts).
 *
 * Windows come from two places: the job's own `maintenance:` list in the jobs file (fixed for the
 * process' life) and the store's, edited through the API (re-read whenever the store changes).
 */
import type { Logger } from 'pino';
import { matches, parseMatcher, type LabelMatcher, type Labels } from '../contract/labels.js';
import {
  activeAt,
  activeIntervals,
  StoreError,
  type Interval,
  type WindowRecord,
  type WindowsTable,
  type WindowTiming,
} from '../store/index.js';

/** A window ready to apply: parsed matchers and its timing. */
export interface SuppressionWindow {
  matchers: LabelMatcher[];
  timing: WindowTiming;
}

export interface WindowProvider {
  windows(): readonly SuppressionWindow[];
}

export function compileWindow(
  w: Pick<WindowRecord, 'matchers' | 'startsAt' | 'endsAt' | 'schedule'>,
): SuppressionWindow {
  return {
    // The API and the jobs file validated them: a matcher that no longer parses is skipped, not fatal.
    matchers: w.matchers.map((m) => parseMatcher(m)).filter((m): m is LabelMatcher => typeof m !== 'string'),
    timing: { startsAt: w.startsAt, endsAt: w.endsAt, schedule: w.schedule },
  };
}

/** While the store cannot be read, it is tried again at most this often (not for every series asked about). */
const RETRY_FAILING_MS = 5000;

/** The store's windows, compiled again only when the store has changed (in this process or another). */
export class StoredWindows implements WindowProvider {
  private revision: string | null = null;
  private compiled: SuppressionWindow[] = [];
  private failing = false;
  private failedAt = -Infinity;

  constructor(
    private readonly table: WindowsTable,
    private readonly logger?: Logger,
    private readonly clock: () => number = Date.now,
  ) {}

  windows(): readonly SuppressionWindow[] {
    if (this.failing && this.clock() - this.failedAt < RETRY_FAILING_MS) return this.compiled;
    const revision = this.table.revision();
    if (revision === this.revision && !this.failing) return this.compiled;
    try {
      this.compiled = this.table.list().map(compileWindow);
      this.revision = revision;
      if (this.failing) this.logger?.info({ stage: 'windows' }, 'maintenance windows readable again');
      this.failing = false;
    } catch (err) {
      if (!(err instanceof StoreError)) throw err;
      // Keep applying the windows last read: an unreadable store must not turn alerts back on.
      if (!this.failing) {
        this.logger?.warn(
          { stage: 'windows', err: err.message },
          'maintenance windows cannot be read; the last ones read still apply',
        );
      }
      this.failing = true;
      this.failedAt = this.clock();
    }
    return this.compiled;
  }
}

/** Windows that never change (a job's `maintenance:` list). */
export const fixedWindows = (windows: readonly SuppressionWindow[]): WindowProvider => ({
  windows: () => windows,
});

export class Suppression {
  constructor(private readonly providers: readonly WindowProvider[]) {}

  private matching(labels: Labels): SuppressionWindow[] {
    const out: SuppressionWindow[] = [];
    for (const p of this.providers) for (const w of p.windows()) if (matches(labels, w.matchers)) out.push(w);
    return out;
  }

  /** Whether a window suppresses the series at t. */
  at(labels: Labels, t: number): boolean {
    return this.matching(labels).some((w) => activeAt(w.timing, t));
  }

  /**
   * The series' suppressed intervals overlapping [from, to] (both inclusive), merged and in order: for
   * marking many points at once without evaluating each window per point.
   */
  intervals(labels: Labels, from: number, to: number): Interval[] {
    const all = this.matching(labels)
      .flatMap((w) => activeIntervals(w.timing, from, to + 1))
      .sort((a, b) => a.start - b.start);
    const merged: Interval[] = [];
    for (const i of all) {
      const last = merged.at(-1);
      if (last && i.start <= last.end) last.end = Math.max(last.end, i.end);
      else merged.push({ ...i });
    }
    return merged;
  }
}

/** Whether t lies in one of the (sorted, disjoint, half-open) intervals. */
export function within(intervals: readonly Interval[], t: number): boolean {
  let lo = 0;
  let hi = intervals.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (t < intervals[mid].start) hi = mid - 1;
    else if (t >= intervals[mid].end) lo = mid + 1;
    else return true;
  }
  return false;
}
