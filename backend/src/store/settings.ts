/**
 * Continuous jobs' sensitivity settings in the store: one per job (overriding its jobs-file
 * `sensitivity`) and one per series of a job (overriding both). A series is keyed by its labels as the
 * jobs name it (contract/labels.ts seriesKey); the job-level row has the empty key. Setting one replaces
 * it (last write wins: a sensitivity has no parts to merge).
 */
import { seriesKey, type Labels } from '../contract/labels.js';
import type { Sensitivity } from '../contract/sensitivity.js';
import type { Store } from './store.js';

export interface SensitivitySetting {
  job: string;
  /** The series' labels; null for the job's own setting. */
  labels: Labels | null;
  sensitivity: Sensitivity;
  author: string;
  comment: string;
  updatedAt: number;
}

export type SettingFields = Pick<SensitivitySetting, 'sensitivity' | 'author' | 'comment'>;

interface Row {
  job: string;
  series: string;
  labels: string | null;
  sensitivity: number;
  author: string;
  comment: string;
  updated_at: number;
}

/** The job's own row. */
const JOB_KEY = '';

const keyOf = (labels: Labels | null) => (labels === null ? JOB_KEY : seriesKey(labels));

function fromRow(r: Row): SensitivitySetting {
  return {
    job: r.job,
    labels: r.labels === null ? null : (JSON.parse(r.labels) as Labels),
    // Only written through set(), from a parsed Sensitivity; the table's CHECK keeps the range too.
    sensitivity: r.sensitivity as Sensitivity,
    author: r.author,
    comment: r.comment,
    updatedAt: r.updated_at,
  };
}

const COLUMNS = 'job, series, labels, sensitivity, author, comment, updated_at';

export class SensitivitySettingsTable {
  constructor(private readonly store: Store) {}

  /** Every setting of every job, jobs' own first (for the jobs' cache, jobs/settings.ts). */
  list(): SensitivitySetting[] {
    return this.store.read('read the sensitivity settings', (db) =>
      (db.prepare(`SELECT ${COLUMNS} FROM sensitivity_settings ORDER BY job, series`).all() as Row[]).map(
        fromRow,
      ),
    );
  }

  /** The setting of a job (labels null) or of one of its series; null when there is none. */
  get(job: string, labels: Labels | null): SensitivitySetting | null {
    return this.store.read('read a sensitivity setting', (db) => {
      const row = db
        .prepare(`SELECT ${COLUMNS} FROM sensitivity_settings WHERE job = ? AND series = ?`)
        .get(job, keyOf(labels)) as Row | undefined;
      return row ? fromRow(row) : null;
    });
  }

  /** Set (create or replace) the setting of a job (labels null) or of one of its series. */
  set(job: string, labels: Labels | null, fields: SettingFields, now: number): SensitivitySetting {
    const setting: SensitivitySetting = { job, labels, ...fields, updatedAt: now };
    return this.store.write('save the sensitivity setting', (db) => {
      db.prepare(
        `INSERT INTO sensitivity_settings (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (job, series) DO UPDATE SET labels = excluded.labels, sensitivity = excluded.sensitivity,
           author = excluded.author, comment = excluded.comment, updated_at = excluded.updated_at`,
      ).run(
        job,
        keyOf(labels),
        labels === null ? null : JSON.stringify(labels),
        fields.sensitivity,
        fields.author,
        fields.comment,
        now,
      );
      return setting;
    });
  }

  /** Remove a setting; returns it, or null when there was none (nothing changed). */
  delete(job: string, labels: Labels | null): SensitivitySetting | null {
    return this.store.write('delete the sensitivity setting', (db) => {
      const key = keyOf(labels);
      const row = db
        .prepare(`SELECT ${COLUMNS} FROM sensitivity_settings WHERE job = ? AND series = ?`)
        .get(job, key) as Row | undefined;
      if (!row) return null;
      db.prepare('DELETE FROM sensitivity_settings WHERE job = ? AND series = ?').run(job, key);
      return fromRow(row);
    });
  }

  /** Changes whenever anything in the store changes (this process or another): for caches. */
  revision(): string {
    return this.store.revision();
  }
}
