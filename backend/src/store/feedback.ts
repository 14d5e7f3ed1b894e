/**
 * Operators' feedback on episodes in the store: one verdict per episode of a job's series
 * (false_positive or true_incident). A false positive carries the tolerance it teaches (computed by
 * jobs/feedback.ts); a true incident whose episode was still open has no end until the job sees it close.
 *
 * Undo marks a record undone (undone_at) instead of deleting it, so what was said stays on record;
 * only records not undone take effect, and an episode has at most one of those (a partial unique index).
 */
import { randomUUID } from 'node:crypto';
import type { Store } from './store.js';

export type FeedbackVerdict = 'false_positive' | 'true_incident';

/**
 * What a false positive teaches its series: deviations in the record's direction (on both sides with
 * `bothSides`) up to `magnitude` (series units, from the expected value) are tolerated, at every time
 * when `periodMs` is null, else while t mod periodMs lies between `fromMs` and `toMs` (for a one-day
 * period: the time of day in UTC; the window wraps when fromMs > toMs).
 */
export interface ToleranceRecord {
  periodMs: number | null;
  fromMs: number | null;
  toMs: number | null;
  magnitude: number;
  /** The magnitude was cut to its cap (a larger peak than the cap still alerts). */
  capped: boolean;
  /**
   * Both sides of the expected value, not only the record's direction: an episode of a variance change,
   * whose points lie on both (false in records written before schema version 5).
   */
  bothSides: boolean;
}

export interface FeedbackRecord {
  id: string;
  job: string;
  seriesKey: string;
  labels: Record<string, string>;
  episodeStart: number;
  /** Null while the episode (a true incident marked while open) has not closed. */
  episodeEnd: number | null;
  verdict: FeedbackVerdict;
  direction: 'up' | 'down';
  note: string;
  author: string;
  createdAt: number;
  /** The episode's largest deviation from the expected value in its direction (series units). */
  peakDeviation: number | null;
  tolerance: ToleranceRecord | null;
  undoneAt: number | null;
}

export type FeedbackFields = Omit<FeedbackRecord, 'id' | 'createdAt' | 'undoneAt'>;

/** Why a record was not created or undone. */
export type FeedbackRefusal = { refused: 'not_found' } | { refused: 'duplicate'; existing: FeedbackRecord };

interface Row {
  id: string;
  job: string;
  series_key: string;
  labels: string;
  episode_start: number;
  episode_end: number | null;
  verdict: FeedbackVerdict;
  direction: 'up' | 'down';
  note: string;
  author: string;
  created_at: number;
  peak_deviation: number | null;
  tolerance_period_ms: number | null;
  tolerance_from_ms: number | null;
  tolerance_to_ms: number | null;
  tolerance_magnitude: number | null;
  tolerance_capped: number | null;
  tolerance_both_sides: number | null;
  undone_at: number | null;
}

const COLUMNS =
  'id, job, series_key, labels, episode_start, episode_end, verdict, direction, note, author, created_at, ' +
  'peak_deviation, tolerance_period_ms, tolerance_from_ms, tolerance_to_ms, tolerance_magnitude, tolerance_capped, ' +
  'tolerance_both_sides, undone_at';
const VALUES = COLUMNS.split(', ')
  .map((c) => `@${c}`)
  .join(', ');

function fromRow(r: Row): FeedbackRecord {
  const tolerance =
    r.tolerance_magnitude === null
      ? null
      : {
          periodMs: r.tolerance_period_ms,
          fromMs: r.tolerance_from_ms,
          toMs: r.tolerance_to_ms,
          magnitude: r.tolerance_magnitude,
          capped: r.tolerance_capped === 1,
          bothSides: r.tolerance_both_sides === 1,
        };
  return {
    id: r.id,
    job: r.job,
    seriesKey: r.series_key,
    labels: JSON.parse(r.labels) as Record<string, string>,
    episodeStart: r.episode_start,
    episodeEnd: r.episode_end,
    verdict: r.verdict,
    direction: r.direction,
    note: r.note,
    author: r.author,
    createdAt: r.created_at,
    peakDeviation: r.peak_deviation,
    tolerance,
    undoneAt: r.undone_at,
  };
}

function toRow(f: FeedbackRecord): Row {
  return {
    id: f.id,
    job: f.job,
    series_key: f.seriesKey,
    labels: JSON.stringify(f.labels),
    episode_start: f.episodeStart,
    episode_end: f.episodeEnd,
    verdict: f.verdict,
    direction: f.direction,
    note: f.note,
    author: f.author,
    created_at: f.createdAt,
    peak_deviation: f.peakDeviation,
    tolerance_period_ms: f.tolerance?.periodMs ?? null,
    tolerance_from_ms: f.tolerance?.fromMs ?? null,
    tolerance_to_ms: f.tolerance?.toMs ?? null,
    tolerance_magnitude: f.tolerance?.magnitude ?? null,
    tolerance_capped: f.tolerance ? (f.tolerance.capped ? 1 : 0) : null,
    tolerance_both_sides: f.tolerance ? (f.tolerance.bothSides ? 1 : 0) : null,
    undone_at: f.undoneAt,
  };
}

export interface FeedbackQuery {
  job?: string;
  seriesKey?: string;
  /** Also the undone records (default: only those in effect). */
  includeUndone?: boolean;
}

export class FeedbackTable {
  constructor(private readonly store: Store) {}

  /** Records oldest first. */
  list(query: FeedbackQuery = {}): FeedbackRecord[] {
    const where: string[] = [];
    const args: Record<string, string> = {};
    if (query.job !== undefined) {
      where.push('job = @job');
      args.job = query.job;
    }
    if (query.seriesKey !== undefined) {
      where.push('series_key = @series_key');
      args.series_key = query.seriesKey;
    }
    if (!query.includeUndone) where.push('undone_at IS NULL');
    const sql = `SELECT ${COLUMNS} FROM feedback ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at, id`;
    return this.store.read('read the feedback', (db) => (db.prepare(sql).all(args) as Row[]).map(fromRow));
  }

  get(id: string): FeedbackRecord | null {
    return this.store.read('read a feedback record', (db) => {
      const row = db.prepare(`SELECT ${COLUMNS} FROM feedback WHERE id = ?`).get(id) as Row | undefined;
      return row ? fromRow(row) : null;
    });
  }

  /** Refused (duplicate) when the episode already has feedback in effect. */
  create(fields: FeedbackFields, now: number): FeedbackRecord | FeedbackRefusal {
    const record: FeedbackRecord = { ...fields, id: randomUUID(), createdAt: now, undoneAt: null };
    return this.store.write('save the feedback', (db) => {
      const existing = db
        .prepare(
          `SELECT ${COLUMNS} FROM feedback WHERE job = ? AND series_key = ? AND episode_start = ? AND undone_at IS NULL`,
        )
        .get(fields.job, fields.seriesKey, fields.episodeStart) as Row | undefined;
      if (existing) return { refused: 'duplicate' as const, existing: fromRow(existing) };
      db.prepare(`INSERT INTO feedback (${COLUMNS}) VALUES (${VALUES})`).run(toRow(record));
      return record;
    });
  }

  /** Undo: the record stays, marked undone, and no longer takes effect. Refused for an unknown or undone id. */
  undo(id: string, now: number): FeedbackRecord | FeedbackRefusal {
    return this.store.write('undo the feedback', (db) => {
      const row = db.prepare(`SELECT ${COLUMNS} FROM feedback WHERE id = ?`).get(id) as Row | undefined;
      if (!row || row.undone_at !== null) return { refused: 'not_found' as const };
      db.prepare('UPDATE feedback SET undone_at = ? WHERE id = ?').run(now, id);
      return { ...fromRow(row), undoneAt: now };
    });
  }

  /** A true incident marked while its episode was open: record the end once the job has seen it close. */
  closeEpisode(id: string, end: number): void {
    this.store.write('record the end of an episode marked as an incident', (db) => {
      db.prepare('UPDATE feedback SET episode_end = ? WHERE id = ? AND episode_end IS NULL').run(end, id);
    });
  }

  /** Changes whenever the store changes (in this process or another): for caches. */
  revision(): string {
    return this.store.revision();
  }
}

export const isFeedbackRefusal = (x: FeedbackRecord | FeedbackRefusal): x is FeedbackRefusal =>
  'refused' in x;
