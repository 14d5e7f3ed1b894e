/**
 * What operators' feedback on an episode does to a job's series (the records live in the store,
 * store/feedback.ts; the API creates them, api/routes/feedback.ts).
 *
 * false_positive → a tolerance, bounded three ways: the episode's direction only (both sides for an episode
 * explained as a variance change, whose points lie on both: calibration/episodes.ts); when the series has a
 * season (its detector found a period: a day for daily traffic), the same point of it, the episode's span
 * ± 1/48 of the period (± 30 minutes of a day: its time of day in UTC), at any time when it has none;
 * deviations from the expected value up to 1.2 × the episode's peak deviation, capped at 20 × the band's
 * half-width at the peak. A point inside it (right time, right side, not beyond the magnitude) is not
 * anomalous: the band's edge on that side is moved out to expected ± magnitude and the score scaled by
 * the ratio of the old half-width to the new one (below 1), so "anomalous exactly when outside [lower,
 * upper]" and "score ≥ 1 exactly then" still hold. A point
beyond the magnitude, on the other side or at another time is judged as before. It is applied when
 * results are read (the API, /metrics), not stored in the points, so undo restores the plain scores.
 *
 * true_incident → the episode's points are held (scored, not learnt: the hold push option maintenance
 * windows use) from the episode's start to its end, or for as long as it stays open when it was marked
 * open, also when a refit scores the fit window again; they are masked out of a neural model's training
 * data; the records are the labels (GET /api/v1/jobs/{name}/feedback?verdict=true_incident).
 */
import type { Logger } from 'pino';
import type { Episode } from '../contract/score.js';
import type { SourceSeries } from '../sources/source.js';
import {
  StoreError,
  type FeedbackRecord,
  type FeedbackTable,
  type Interval,
  type ToleranceRecord,
} from '../store/index.js';
import type { StreamPoint } from '../engine/index.js';
import type { PointColumns } from './ring.js';

export const DAY_MS = 86_400_000;
/** The tolerance's window: the episode's span in its season, widened by this part of the period on both sides. */
export const TOLERANCE_MARGIN_FRACTION = 1 / 48;
/** The magnitude tolerated: the episode's peak deviation times this. */
export const TOLERANCE_PEAK_FACTOR = 1.2;
/** ...at most this many half-widths of the band at the peak, so one click cannot blind a series. */
export const TOLERANCE_MAX_BAND_MULTIPLE = 20;
/** A longer episode is no recurring pattern to tolerate (refused): this part of the period, ... */
export const TOLERANCE_MAX_EPISODE_FRACTION = 1 / 4;
/** ...or, for a series without a season, 6 hours. */
export const TOLERANCE_MAX_EPISODE_MS = 6 * 3_600_000;
/** A tolerated point's score stays below this (scaled by the band's widening, and never 1 or more). */
const BELOW_BOUNDARY = 0.99;

export interface Tolerance extends ToleranceRecord {
  direction: 'up' | 'down';
}

/** t's offset within the period, counted from the Unix epoch (for a day: the time of day in UTC). */
const phase = (t: number, periodMs: number) => ((t % periodMs) + periodMs) % periodMs;

function inWindow(t: number, tol: Tolerance): boolean {
  if (tol.periodMs === null || tol.fromMs === null || tol.toMs === null) return true;
  const at = phase(t, tol.periodMs);
  return tol.fromMs <= tol.toMs ? at >= tol.fromMs && at <= tol.toMs : at >= tol.fromMs || at <= tol.toMs;
}

/**
 * The tolerance a false positive on `episode` teaches, from the series' points over it (as scored, before
 * any tolerance) and its season (`periodMs`, null without one); or why there is none.
 */
export function toleranceFor(
  episode: Pick<Episode, 'start' | 'end' | 'direction'> & {
    explanation?: Pick<Episode['explanation'], 'kind'>;
  },
  points: PointColumns,
  periodMs: number | null,
): { tolerance: Tolerance; peakDeviation: number } | { problem: string } {
  const longest = periodMs === null ? TOLERANCE_MAX_EPISODE_MS : periodMs * TOLERANCE_MAX_EPISODE_FRACTION;
  if (episode.end - episode.start > longest) {
    const season =
      periodMs === null ? '' : ` (a quarter of the series' ${Math.round(periodMs / 60_000)}-minute season)`;
    return {
      problem: `the episode lasted ${Math.round((episode.end - episode.start) / 60_000)} minutes; a false positive teaches a pattern of at most ${Math.round(longest / 60_000)} minutes${season} (mark a longer change true_incident, or let the baseline adapt)`,
    };
  }
  const bothSides = episode.explanation?.kind === 'variance_change';
  let { peak, halfWidth } = peakOf(episode, points);
  if (bothSides) {
    // The larger of the two sides' peaks, with the band's half-width where it was.
    const other = peakOf({ ...episode, direction: episode.direction === 'up' ? 'down' : 'up' }, points);
    if (other.peak > peak) ({ peak, halfWidth } = other);
  }
  if (!(peak > 0)) {
    return {
      problem: `no point of the episode is still retained ${bothSides ? 'off' : episode.direction} of its expected value`,
    };
  }
  const wanted = TOLERANCE_PEAK_FACTOR * peak;
  const cap = halfWidth !== null && halfWidth > 0 ? TOLERANCE_MAX_BAND_MULTIPLE * halfWidth : Infinity;
  return {
    peakDeviation: peak,
    tolerance: {
      direction: episode.direction,
      periodMs,
      fromMs:
        periodMs === null ? null : phase(episode.start - periodMs * TOLERANCE_MARGIN_FRACTION, periodMs),
      toMs: periodMs === null ? null : phase(episode.end + periodMs * TOLERANCE_MARGIN_FRACTION, periodMs),
      magnitude: Math.min(wanted, cap),
      capped: wanted > cap,
      bothSides,
    },
  };
}

/**
 * The episode's largest deviation from the expected value in its direction (series units; not above 0
 * when no retained point is on that side), with the band's half-width on that side at that point.
 */
export function peakOf(
  episode: Pick<Episode, 'start' | 'end' | 'direction'>,
  points: PointColumns,
): { peak: number; halfWidth: number | null } {
  const sign = episode.direction === 'up' ? 1 : -1;
  let peak = -Infinity;
  let halfWidth: number | null = null;
  for (let i = 0; i < points.timestamps.length; i++) {
    const t = points.timestamps[i];
    const v = points.values[i];
    const e = points.expected[i];
    if (t < episode.start || t > episode.end || v === null || e === null) continue;
    const deviation = sign * (v - e);
    if (deviation > peak) {
      peak = deviation;
      const edge = sign > 0 ? points.upper[i] : points.lower[i];
      halfWidth = edge === null ? null : sign * (edge - e);
    }
  }
  return { peak, halfWidth };
}

/** The tolerances of a series, from its records in effect. */
export function tolerancesOf(records: readonly FeedbackRecord[]): Tolerance[] {
  return records.flatMap((r) =>
    r.verdict === 'false_positive' && r.tolerance ? [{ ...r.tolerance, direction: r.direction }] : [],
  );
}

/**
 * Apply tolerances to points (as scored), in place; returns the timestamps of the points that were
 * anomalous and are no longer. The band's edge on a tolerated side is widened at every point of the
 * window, so the band a panel draws is the boundary that alerts.
 */
export function applyTolerances(tolerances: readonly Tolerance[], cols: PointColumns): number[] {
  const tolerated: number[] = [];
  if (tolerances.length === 0) return tolerated;
  for (let i = 0; i < cols.timestamps.length; i++) {
    const t = cols.timestamps[i];
    const e = cols.expected[i];
    const v = cols.values[i];
    if (e === null) continue;
    let up = 0;
    let down = 0;
    for (const tol of tolerances) {
      if (!inWindow(t, tol)) continue;
      if (tol.bothSides || tol.direction === 'up') up = Math.max(up, tol.magnitude);
      if (tol.bothSides || tol.direction === 'down') down = Math.max(down, tol.magnitude);
    }
    if (up === 0 && down === 0) continue;
    let ratio = 1;
    const upper = cols.upper[i];
    const lower = cols.lower[i];
    if (upper !== null && e + up > upper) {
      if (v !== null && v > e) ratio = (upper - e) / up;
      cols.upper[i] = e + up;
    }
    if (lower !== null && e - down < lower) {
      if (v !== null && v < e) ratio = (e - lower) / down;
      cols.lower[i] = e - down;
    }
    if (ratio === 1) continue;
    const outside =
      v !== null &&
      ((cols.upper[i] !== null && v > cols.upper[i]!) || (cols.lower[i] !== null && v < cols.lower[i]!));
    const scaled = cols.score[i] * Math.max(0, ratio);
    if (outside) {
      cols.score[i] = Math.max(scaled, 1);
    } else {
      if (cols.anomaly[i]) tolerated.push(t);
      cols.score[i] = Math.min(scaled, BELOW_BOUNDARY);
      cols.anomaly[i] = false;
      cols.direction[i] = null;
    }
  }
  return tolerated;
}

type ScoredPoint = Omit<StreamPoint, 'state'>;

/** One point with the tolerances applied (the newest point /metrics exports). */
export function tolerate(tolerances: readonly Tolerance[], p: ScoredPoint): ScoredPoint {
  if (tolerances.length === 0) return p;
  const cols: PointColumns = {
    timestamps: [p.timestamp],
    values: [p.value],
    score: [p.score],
    expected: [p.expected],
    lower: [p.lower],
    upper: [p.upper],
    anomaly: [p.anomaly],
    direction: [p.direction],
  };
  applyTolerances(tolerances, cols);
  return {
    ...p,
    score: cols.score[0],
    lower: cols.lower[0],
    upper: cols.upper[0],
    anomaly: cols.anomaly[0],
    direction: cols.direction[0],
  };
}

/** Sorted, disjoint, half-open intervals from any. */
export function mergeIntervals(intervals: Interval[]): Interval[] {
  const sorted = [...intervals].sort((a, b) => a.start - b.start);
  const out: Interval[] = [];
  for (const i of sorted) {
    const last = out.at(-1);
    if (last && i.start <= last.end) last.end = Math.max(last.end, i.end);
    else out.push({ ...i });
  }
  return out;
}

const NONE: readonly Tolerance[] = [];

/** While the store cannot be read, it is tried again at most this often. */
const RETRY_FAILING_MS = 5000;

/**
 * A job's feedback in effect, by series key: read again from the store only when it has changed (in
 * this process or another). An unreadable store keeps the last records read (a tolerance must not
 * silently turn alerts back on, nor an incident become baseline).
 */
export class FeedbackEffects {
  private revision: string | null = null;
  private bySeries = new Map<string, FeedbackRecord[]>();
  private tolerancesBySeries = new Map<string, Tolerance[]>();
  private failing = false;
  private failedAt = -Infinity;
  private checkedThisTurn = false;

  constructor(
    private readonly table: FeedbackTable,
    private readonly job: string,
    private readonly logger?: Logger,
    private readonly clock: () => number = Date.now,
  ) {}

  private records(key: string): FeedbackRecord[] {
    this.refresh();
    return this.bySeries.get(key) ?? [];
  }

  /**
   * Asked of the store at most once per turn of the event loop: a results() or latest() pass over many
   * series then costs one revision check, not one per series (a change is seen from the next turn).
   */
  private refresh(): void {
    if (this.checkedThisTurn) return;
    this.checkedThisTurn = true;
    queueMicrotask(() => {
      this.checkedThisTurn = false;
    });
    if (this.failing && this.clock() - this.failedAt < RETRY_FAILING_MS) return;
    const revision = this.table.revision();
    if (revision === this.revision && !this.failing) return;
    try {
      const next = new Map<string, FeedbackRecord[]>();
      for (const r of this.table.list({ job: this.job })) {
        const list = next.get(r.seriesKey);
        if (list) list.push(r);
        else next.set(r.seriesKey, [r]);
      }
      this.bySeries = next;
      this.tolerancesBySeries = new Map(
        [...next]
          .map(([key, records]) => [key, tolerancesOf(records)] as const)
          .filter(([, t]) => t.length > 0),
      );
      this.revision = revision;
      if (this.failing) this.logger?.info({ stage: 'feedback' }, 'feedback readable again');
      this.failing = false;
    } catch (err) {
      if (!(err instanceof StoreError)) throw err;
      if (!this.failing) {
        this.logger?.warn(
          { stage: 'feedback', err: err.message },
          'feedback cannot be read; the last read still applies',
        );
      }
      this.failing = true;
      this.failedAt = this.clock();
    }
  }

  tolerances(key: string): readonly Tolerance[] {
    this.refresh();
    return this.tolerancesBySeries.get(key) ?? NONE;
  }

  /**
   * The series' points held as a true incident's over [from, to]: each marked episode from its start to
   * its end, and to forever while it is open (closeIncidents records its end once it closes).
   */
  heldIntervals(key: string, from: number, to: number): Interval[] {
    const out: Interval[] = [];
    for (const r of this.records(key)) {
      if (r.verdict !== 'true_incident') continue;
      const end = r.episodeEnd === null ? Infinity : r.episodeEnd + 1;
      if (r.episodeStart <= to && end > from) out.push({ start: r.episodeStart, end });
    }
    return mergeIntervals(out);
  }

  /**
   * After a run: incidents marked while open whose episode has closed get their end in the store. One
   * whose episode the series no longer has (aged out, or rescored differently) ends when it was marked.
   * A store that cannot be written is tried again after the next run.
   */
  closeIncidents(series: Iterable<{ key: string; episodes: readonly Episode[] }>): void {
    this.refresh();
    for (const { key, episodes } of series) {
      for (const r of this.bySeries.get(key) ?? []) {
        if (r.verdict !== 'true_incident' || r.episodeEnd !== null) continue;
        const e = episodes.find((x) => x.start === r.episodeStart);
        if (e?.open) continue;
        try {
          this.table.closeEpisode(r.id, e ? e.end : Math.max(r.episodeStart, r.createdAt));
        } catch (err) {
          if (!(err instanceof StoreError)) throw err;
          this.logger?.warn(
            { stage: 'feedback', err: err.message },
            'the end of an episode marked as an incident cannot be recorded yet',
          );
          return;
        }
      }
    }
  }

  /** The series' fetched points with those of its marked incidents missing: a model's training data. */
  maskIncidents(key: string, series: SourceSeries): SourceSeries {
    const { timestamps } = series;
    if (timestamps.length === 0) return series;
    const held = this.heldIntervals(key, timestamps[0], timestamps[timestamps.length - 1]);
    if (held.length === 0) return series;
    const values = series.values.map((v, i) =>
      held.some((h) => timestamps[i] >= h.start && timestamps[i] < h.end) ? null : v,
    );
    return { ...series, values };
  }
}

/**
 * Whether an episode is no alert because of tolerances: some of its points were anomalous and none is
 * once they apply (`points`: the series' points over the episode, as scored).
 */
export function episodeTolerated(tolerances: readonly Tolerance[], points: PointColumns): boolean {
  if (tolerances.length === 0) return false;
  const tolerated = applyTolerances(tolerances, points);
  return tolerated.length > 0 && !points.anomaly.some(Boolean);
}
