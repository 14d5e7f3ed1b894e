/**
 * The sensitivity a continuous job's series is scored at, live: the series' own setting, else the job's
 * setting, else the jobs file's `sensitivity` (whose default is the scale's). Settings are set through
 * the API (api/routes/sensitivity.ts) and kept in the store (store/settings.ts); the job asks here before
 * it pushes a series' new points and retunes the series' stream (ScoringStream.setSensitivity), so a
 * change applies from the next point, to the score, band, anomaly flag, episodes and gauges alike, and
 * after a restart as before it.
 */
import type { Logger } from 'pino';
import { seriesKey, type Labels } from '../contract/labels.js';
import { parseSensitivity, type Sensitivity } from '../contract/sensitivity.js';
import { StoreError, type SensitivitySetting, type SensitivitySettingsTable } from '../store/index.js';

/** Where an effective sensitivity comes from. */
export type SensitivitySource = 'series' | 'job' | 'config';

export interface EffectiveSensitivity {
  sensitivity: Sensitivity;
  from: SensitivitySource;
}

/** What a job asks (absent: the jobs file's sensitivity applies to every series). */
export interface SensitivityResolver {
  /** The job's sensitivity for series without their own setting. */
  forJob(job: string, configured: number): EffectiveSensitivity;
  forSeries(job: string, configured: number, labels: Labels): EffectiveSensitivity;
}

interface JobSettings {
  job: Sensitivity | null;
  series: Map<string, Sensitivity>;
}

/** While the store cannot be read, it is tried again at most this often. */
const RETRY_FAILING_MS = 5000;

/** The store's settings, read again only when the store has changed (in this process or another). */
export class StoredSensitivity implements SensitivityResolver {
  private revision: string | null = null;
  private byJob = new Map<string, JobSettings>();
  private failing = false;
  private failedAt = -Infinity;

  constructor(
    private readonly table: SensitivitySettingsTable,
    private readonly logger?: Logger,
    private readonly clock: () => number = Date.now,
  ) {}

  forJob(job: string, configured: number): EffectiveSensitivity {
    const own = this.settings().get(job)?.job ?? null;
    return own === null
      ? { sensitivity: parseSensitivity(configured), from: 'config' }
      : { sensitivity: own, from: 'job' };
  }

  forSeries(job: string, configured: number, labels: Labels): EffectiveSensitivity {
    const own = this.settings().get(job)?.series.get(seriesKey(labels));
    return own === undefined ? this.forJob(job, configured) : { sensitivity: own, from: 'series' };
  }

  private settings(): Map<string, JobSettings> {
    if (this.failing && this.clock() - this.failedAt < RETRY_FAILING_MS) return this.byJob;
    const revision = this.table.revision();
    if (revision === this.revision && !this.failing) return this.byJob;
    try {
      this.byJob = group(this.table.list());
      this.revision = revision;
      if (this.failing) this.logger?.info({ stage: 'settings' }, 'sensitivity settings readable again');
      this.failing = false;
    } catch (err) {
      if (!(err instanceof StoreError)) throw err;
      // Keep the settings last read: an unreadable store must not silently change what alerts.
      if (!this.failing) {
        this.logger?.warn(
          { stage: 'settings', err: err.message },
          'sensitivity settings cannot be read; the last ones read still apply',
        );
      }
      this.failing = true;
      this.failedAt = this.clock();
    }
    return this.byJob;
  }
}

function group(settings: SensitivitySetting[]): Map<string, JobSettings> {
  const out = new Map<string, JobSettings>();
  for (const s of settings) {
    let job = out.get(s.job);
    if (!job) out.set(s.job, (job = { job: null, series: new Map() }));
    if (s.labels === null) job.job = s.sensitivity;
    else job.series.set(seriesKey(s.labels), s.sensitivity);
  }
  return out;
}
