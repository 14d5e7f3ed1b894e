/**
 * One continuous scoring job: on each run it fetches the points that appeared since the last run,
 * pushes them into one causal ScoringStream per series, and keeps the recent results in a bounded
 * ring per series. The first run backfills `fit_window` of history so the detectors are past their
 * learning period when live points arrive. A run never throws: failures are recorded in the job's
 * health and the next run retries from where the last successful one stopped.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { Episode } from '../contract/score.js';
import { NEURAL_FALLBACK } from '../engine/scorer.js';
import {
  createStream as engineCreateStream,
  type ScoreParams,
  type ScoringStream,
  type StreamPoint,
} from '../engine/index.js';
import {
  matches,
  seriesKey,
  type LabelMatcher,
  type Labels,
  type Source,
  type SourceSeries,
} from '../sources/source.js';
import type { JobSpec } from './config.js';
import { isCounter } from './counter.js';
import { formatLabels, labelProblem } from './labels.js';
import type { FailedTraining, JobModels } from './models.js';
import { recordLimit, RecordedStream, replayStream, type NeuralStreamState } from './replay.js';
import { PointRing } from './ring.js';
import type { JobHealth, JobSeries, JobStatus } from '../contract/jobs.js';

export type { JobHealth, JobStatus };

/** Retained results of one series (the JobSeries API shape). */
export type JobSeriesResult = JobSeries;

/** The newest scored point of a series, for the /metrics gauges. */
export interface LatestPoint {
  labels: Labels;
  point: Omit<StreamPoint, 'state'>;
}

export interface RunOutcome {
  ok: boolean;
  skipped?: boolean;
  error?: string;
  points: number;
  durationMs: number;
}

/**
 * What a job asks of its persistence (implemented by JobStatePort, jobs/persistence.ts; declared here
 * so that persistence depends on the job and not the other way round).
 */
export interface JobStatePersistence {
  /** Restore the job's series from its last snapshot; false when there was none to restore. */
  restore(job: ScoringJob, now: number): Promise<boolean>;
  /** After each run: snapshot when one is due. */
  afterRun(job: ScoringJob, now: number): Promise<void>;
  /** Snapshot now (shutdown). */
  save(job: ScoringJob, now: number): Promise<void>;
}

export interface ScoringJobDeps {
  source: Source;
  logger: Logger;
  /** Wall clock, epoch ms (injectable for tests). */
  now?: () => number;
  /** The engine's createStream by default; tests may inject a simple stream. */
  createStream?: (params: ScoreParams) => ScoringStream;
  /** A neural detector's per-series models (jobs/models.ts); absent for the statistical detectors. */
  models?: JobModels | null;
  /** Where the job's state is snapshotted (a JobStatePort, jobs/persistence.ts); absent: no persistence. */
  state?: JobStatePersistence | null;
}

/** One series' live state (exported for jobs/persistence.ts, which saves and restores it). */
export interface SeriesSlot {
  key: string;
  labels: Labels;
  stream: ScoringStream;
  ring: PointRing;
  lastTimestamp: number;
  lastSeen: number;
  /** Episodes overlapping the retained points, the last one possibly open. */
  episodes: Episode[];
  /** Start of the newest episode already announced in the log. */
  announcedUntil: number;
  /** Starts of episodes announced as open and not yet as closed. */
  openStarts: Set<number>;
  /** A neural detector without its model: the statistical fallback scores and the state is learning. */
  fallback: boolean;
  /** The job's unit, else the source's for this series. */
  unit: string | null;
}

/**
 * backfill: the first run, over the whole fit window; refit: the same, every fit_every; swap: new
 * points, plus the fit window for the series whose new model version is ready (rebuilt with it) or whose
 * model needs training data; live: new points.
 */
type IngestMode = 'backfill' | 'refit' | 'swap' | 'live';

/** Pushes between yields to the event loop, so a backfill does not stall HTTP requests. */
const YIELD_EVERY = 2000;
/** Backfill episodes logged one by one; beyond this only the most severe are. */
const BACKFILL_LOG_LIMIT = 10;

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export class ScoringJob {
  readonly spec: JobSpec;
  private readonly source: Source;
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly createStream: (params: ScoreParams) => ScoringStream;
  private readonly models: JobModels | null;
  private readonly state: JobStatePersistence | null;
  private restoreTried = false;
  private slots = new Map<string, SeriesSlot>();
  private cursor: number | null = null;
  /** When the models were last built from a whole fit window (the backfill, then each refit). */
  private fittedAt = -Infinity;
  private runningNow = false;
  private backfillingNow = false;
  private stats = {
    runs: 0,
    errors: 0,
    consecutiveErrors: 0,
    missedRuns: 0,
    overruns: 0,
    pointsScored: 0,
    droppedSeries: 0,
    droppedLabelSeries: 0,
    lastRunAt: null as number | null,
    lastRunDurationMs: null as number | null,
    lastSuccessAt: null as number | null,
    lastError: null as { message: string; at: number } | null,
  };

  constructor(spec: JobSpec, deps: ScoringJobDeps) {
    this.spec = spec;
    this.source = deps.source;
    this.logger = deps.logger.child({ job: spec.name });
    this.now = deps.now ?? (() => Date.now());
    this.createStream = deps.createStream ?? engineCreateStream;
    this.models = deps.models ?? null;
    this.state = deps.state ?? null;
  }

  get name(): string {
    return this.spec.name;
  }

  get running(): boolean {
    return this.runningNow;
  }

  /** True during the first run, which fetches and scores the whole fit window. */
  get backfilling(): boolean {
    return this.backfillingNow;
  }

  /** Ticks that found the previous run still going (or that the scheduler skipped because it was late). */
  countMissed(n = 1): void {
    this.stats.missedRuns += n;
  }

  /**
   * Fetch what is new and score it. A call while a run is in progress does nothing and counts as missed,
   * so runs never overlap whoever calls this.
   */
  async run(signal?: AbortSignal): Promise<RunOutcome> {
    if (this.runningNow) {
      this.countMissed();
      return { ok: false, skipped: true, points: 0, durationMs: 0 };
    }
    this.runningNow = true;
    const started = this.now();
    let points = 0;
    let error: string | undefined;
    try {
      if (this.state && !this.restoreTried) {
        this.restoreTried = true;
        await this.state.restore(this, started);
      }
      points = await this.iterate(started, signal);
    } catch (err) {
      error = message(err);
    } finally {
      // Between pushes, so the snapshot is consistent; never throws. (No await without persistence:
      // callers time the end of a run by it.)
      if (this.state) await this.state.afterRun(this, this.now());
      this.runningNow = false;
      this.backfillingNow = false;
    }
    const durationMs = Math.max(0, this.now() - started);
    const s = this.stats;
    s.runs++;
    s.lastRunAt = started;
    s.lastRunDurationMs = durationMs;
    if (durationMs > this.spec.intervalMs) s.overruns++;
    if (error === undefined) {
      if (s.consecutiveErrors > 0) {
        this.logger.info({ after: s.consecutiveErrors }, 'job recovered');
      }
      s.consecutiveErrors = 0;
      s.lastSuccessAt = started;
    } else {
      s.errors++;
      s.consecutiveErrors++;
      s.lastError = { message: error, at: started };
      // Log the first failure and then every 10th, so a source down for hours does not flood the log.
      if (s.consecutiveErrors === 1 || s.consecutiveErrors % 10 === 0) {
        this.logger.warn(
          { stage: 'job', consecutiveErrors: s.consecutiveErrors, err: error },
          `job run failed: ${error}`,
        );
      }
    }
    return { ok: error === undefined, ...(error === undefined ? {} : { error }), points, durationMs };
  }

  /** Snapshot the job's state now (at shutdown, after the runs have stopped). */
  async persist(): Promise<void> {
    if (this.state && !this.runningNow) await this.state.save(this, this.now());
  }

  /**
   * The job's state between runs (jobs/persistence.ts); null before its first run has scored anything.
   * `failedTrainings`: when each series' last model training failed (neural jobs), so a restart does not
   * retry them at once.
   */
  exportState(): {
    cursor: number;
    fittedAt: number;
    slots: SeriesSlot[];
    failedTrainings: ReadonlyMap<string, FailedTraining>;
  } | null {
    if (this.cursor === null) return null;
    return {
      cursor: this.cursor,
      fittedAt: this.fittedAt,
      slots: [...this.slots.values()],
      failedTrainings: this.models?.failedTrainings() ?? new Map(),
    };
  }

  /**
   * For jobs/persistence.ts, before importState: put back which model version a restored series scored
   * with (null: the statistical fallback), and for one scored by a model, its stream replayed into that
   * version. Null when the version is not the one loaded now: the series is then left out, and the
   * next run rebuilds it from the fit window (with the loaded version, or on the fallback while one
   * trains). Throws when the record is damaged.
   */
  async restoreSeriesModel(
    key: string,
    labels: Labels,
    neural: NeuralStreamState | null,
    failedTraining: FailedTraining | null = null,
  ): Promise<RecordedStream | null> {
    if (!this.models) throw new Error(`job ${this.spec.name} has no models to restore a series with`);
    const found = this.models.restore(key, labels, neural?.model.version ?? null, failedTraining);
    if (!neural || !found || !neural.complete) return null;
    return replayStream(neural, found.bundle, found.trained, this.createStream, recordLimit(this.spec));
  }

  /** The id and ready version of a series' model, for jobs/persistence.ts' log lines. */
  readyModel(key: string, labels: Labels): { id: string; version: number | null } | null {
    return this.models?.ready(key, labels) ?? null;
  }

  /** Put back the state of an earlier process: the next run scores only what came after `cursor`. */
  importState(cursor: number, fittedAt: number, slots: SeriesSlot[]): void {
    this.cursor = cursor;
    this.fittedAt = fittedAt;
    this.slots = new Map(slots.map((slot) => [slot.key, slot]));
  }

  status(): JobStatus {
    const s = this.stats;
    let openEpisodes = 0;
    for (const slot of this.slots.values()) if (slot.episodes.at(-1)?.open) openEpisodes++;
    const health: JobHealth = s.runs === 0 ? 'starting' : s.consecutiveErrors > 0 ? 'failing' : 'ok';
    return {
      name: this.spec.name,
      source: this.source.kind,
      detector: this.spec.detector,
      sensitivity: this.spec.sensitivity,
      intervalMs: this.spec.intervalMs,
      stepMs: this.spec.stepMs,
      health,
      running: this.runningNow,
      lastRunAt: s.lastRunAt,
      lastRunDurationMs: s.lastRunDurationMs,
      lastSuccessAt: s.lastSuccessAt,
      dataUntil: this.cursor,
      runs: s.runs,
      errors: s.errors,
      consecutiveErrors: s.consecutiveErrors,
      missedRuns: s.missedRuns,
      overruns: s.overruns,
      lastError: s.lastError,
      series: this.slots.size,
      pointsScored: s.pointsScored,
      openEpisodes,
      droppedSeries: s.droppedSeries,
      droppedLabelSeries: s.droppedLabelSeries,
      models: this.models ? this.models.summary() : null,
    };
  }

  /**
   * Retained results of every series matching `matchers`, with from <= timestamp <= to (episodes
   * overlapping the range).
   */
  results(from = -Infinity, to = Infinity, matchers: readonly LabelMatcher[] = []): JobSeriesResult[] {
    const out: JobSeriesResult[] = [];
    for (const slot of this.slots.values()) {
      if (!matches(slot.labels, matchers)) continue;
      const state = slot.stream.state();
      out.push({
        labels: { ...slot.labels },
        unit: slot.unit,
        // As the score API reports a neural detector without its model: the fallback, learning.
        state: slot.fallback && state !== 'no_data' ? 'learning' : state,
        detector: slot.fallback ? NEURAL_FALLBACK : this.spec.detector,
        ...slot.ring.range(from, to),
        episodes: slot.episodes.filter((e) => e.start <= to && (e.open || e.end >= from)),
        model: this.models?.state(slot.key) ?? null,
      });
    }
    return out;
  }

  /** Label names of the current series with their values, sorted. */
  labelValues(): Record<string, string[]> {
    const values = new Map<string, Set<string>>();
    for (const slot of this.slots.values()) {
      for (const [name, value] of Object.entries(slot.labels)) {
        let set = values.get(name);
        if (!set) values.set(name, (set = new Set()));
        set.add(value);
      }
    }
    const names = [...values.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(names.map(([name, set]) => [name, [...set].sort()]));
  }

  latest(): LatestPoint[] {
    const out: LatestPoint[] = [];
    for (const slot of this.slots.values()) {
      const point = slot.ring.latest();
      if (point) out.push({ labels: slot.labels, point });
    }
    return out;
  }

  private async iterate(now: number, signal?: AbortSignal): Promise<number> {
    const { stepMs, fitWindowMs, fitEveryMs, timeoutMs, matchers } = this.spec;
    const end = Math.floor(now / stepMs) * stepMs;
    // After a long failure, resume at most one fit window back: older points would only be learning data.
    const earliest = end - fitWindowMs;
    const refit = this.cursor !== null && fitEveryMs !== null && now - this.fittedAt >= fitEveryMs;
    const due = this.cursor !== null && !refit && this.models ? this.models.due() : null;
    const swap = due !== null && due.swap.size + due.retry.size > 0;
    const mode: IngestMode = this.cursor === null ? 'backfill' : refit ? 'refit' : swap ? 'swap' : 'live';
    const start = mode === 'live' ? Math.max((this.cursor ?? earliest) + 1, earliest) : earliest;
    this.backfillingNow = mode === 'backfill' || mode === 'refit';
    let points = 0;
    let failures: string[] = [];
    if (start <= end) {
      const data = await this.fetchWithTimeout(start, end, stepMs, matchers, timeoutMs, signal);
      // A refit (or a model swap) scores the window into new slots and puts them in place at the end,
      // so the results and gauges of the old models stay served until the new ones are ready.
      const slots =
        mode === 'refit' ? new Map<string, SeriesSlot>() : mode === 'swap' ? new Map(this.slots) : this.slots;
      const rebuilt = new Set<string>();
      if (mode === 'swap' && due) {
        for (const series of data) {
          const key = seriesKey(series.labels);
          // A series missing from the slots (left out of a restored snapshot) is built here too.
          if (due.swap.has(key)) {
            slots.delete(key);
            rebuilt.add(key);
          }
        }
      }
      const ingested = await this.ingest(slots, data, now, mode, rebuilt);
      if (mode === 'refit' || mode === 'swap') this.slots = slots;
      if (this.models && mode !== 'live') this.queueTraining(data, mode === 'refit', due?.retry);
      points = ingested.points;
      failures = ingested.failures;
      this.dropStale(now);
    }
    if (mode === 'backfill' || mode === 'refit') this.fittedAt = now;
    // The points were consumed even if some series failed on them: retrying would fail the same way.
    this.cursor = end;
    if (failures.length > 0) {
      const more = failures.length > 1 ? ` (and ${failures.length - 1} more series)` : '';
      throw new Error(`${failures[0]}${more}`);
    }
    return points;
  }

  private async fetchWithTimeout(
    start: number,
    end: number,
    step: number,
    matchers: JobSpec['matchers'],
    timeoutMs: number,
    outer?: AbortSignal,
  ): Promise<SourceSeries[]> {
    const controller = new AbortController();
    const onOuterAbort = () => controller.abort(outer?.reason);
    if (outer?.aborted) controller.abort(outer.reason);
    outer?.addEventListener('abort', onOuterAbort, { once: true });
    const timer = setTimeout(
      () => controller.abort(new Error(`fetch from ${this.source.kind} timed out after ${timeoutMs} ms`)),
      timeoutMs,
    );
    timer.unref?.();
    try {
      return this.admitLabels(
        await this.source.fetch({ start, end, step, matchers, signal: controller.signal }),
      );
    } finally {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onOuterAbort);
    }
  }

  /** Series whose labels exceed the limits (labels.ts) never enter the job: dropped, counted, logged. */
  private admitLabels(data: SourceSeries[]): SourceSeries[] {
    const out: SourceSeries[] = [];
    for (const series of data) {
      const problem = labelProblem(series.labels);
      if (problem === null) {
        out.push(series);
        continue;
      }
      const n = ++this.stats.droppedLabelSeries;
      if (n === 1 || n % 100 === 0) {
        this.logger.warn(
          { droppedLabelSeries: n, problem },
          `ignoring a series whose labels exceed the limits (${problem}); ${n} dropped so far`,
        );
      }
    }
    return out;
  }

  /** Training data for the series' models: the fit window just fetched. Never waits for the training. */
  private queueTraining(data: SourceSeries[], refit: boolean, retry: Set<string> | undefined): void {
    for (const series of data) {
      const key = seriesKey(series.labels);
      if (series.timestamps.length === 0 || !this.slots.has(key)) continue;
      if (retry?.has(key) || this.models!.needsTraining(key, refit)) this.models!.train(key, series);
    }
  }

  /**
   * Push new points into each series' stream; per-series failures are collected, not fatal to others.
   * `rebuilt`: series scored from the start of the window in a swap run (summarized like a backfill).
   */
  private async ingest(
    slots: Map<string, SeriesSlot>,
    data: SourceSeries[],
    now: number,
    mode: IngestMode,
    rebuilt: Set<string>,
  ): Promise<{ points: number; failures: string[] }> {
    const backfill = mode === 'backfill' || mode === 'refit';
    let points = 0;
    let sinceYield = 0;
    const failures: string[] = [];
    const backfillEpisodes: { labels: Labels; episode: Episode }[] = [];
    for (const series of data) {
      if (series.timestamps.length === 0) continue;
      const key = seriesKey(series.labels);
      let slot = slots.get(key);
      try {
        if (!slot) {
          if (slots.size >= this.spec.maxSeries) {
            this.stats.droppedSeries++;
            if (this.stats.droppedSeries === 1) {
              this.logger.warn(
                { maxSeries: this.spec.maxSeries, labels: series.labels },
                'max_series reached: ignoring new series',
              );
            }
            continue;
          }
          slot = this.createSlot(key, series.labels, series.values);
          slots.set(key, slot);
        }
        slot.lastSeen = now;
        slot.unit = this.spec.unit ?? series.unit ?? null;
        const before = points;
        for (let i = 0; i < series.timestamps.length; i++) {
          const t = series.timestamps[i];
          if (t <= slot.lastTimestamp) continue;
          const v = series.values[i];
          // Advanced first: a point the stream throws on is skipped next time, not retried forever.
          slot.lastTimestamp = t;
          const point = slot.stream.push(t, v === null || Number.isFinite(v) ? v : null);
          if (point) {
            slot.ring.push(point);
            points++;
          }
          if (++sinceYield >= YIELD_EVERY) {
            sinceYield = 0;
            await yieldToEventLoop();
          }
        }
        if (points > before) {
          this.updateEpisodes(slot, backfill || rebuilt.has(key) ? backfillEpisodes : null);
        }
      } catch (err) {
        failures.push(`series ${JSON.stringify(series.labels)}: ${message(err)}`);
      }
    }
    this.stats.pointsScored += points;
    if (backfill) this.logBackfill(mode, slots.size, points, backfillEpisodes);
    else if (rebuilt.size > 0) this.logSwap(rebuilt, slots, backfillEpisodes);
    return { points, failures };
  }

  private createSlot(key: string, labels: Labels, firstValues: readonly (number | null)[]): SeriesSlot {
    const { detector, sensitivity, options, retentionPoints } = this.spec;
    // "auto" is judged once from the first batch (see counter.ts); the engine's stream then turns
    // counter readings into rates exactly as batch cleaning does.
    const model = this.models?.modelFor(key, labels) ?? null;
    const params = {
      detector,
      sensitivity,
      options: { ...options, counter: isCounter(options?.counter, firstValues), causal: true },
      stepMs: this.spec.stepMs,
    };
    let stream = this.createStream({
      ...params,
      ...(model ? { model: model.bundle, trained: model.trained } : {}),
    });
    // A stream scored by a model cannot be snapshotted; with persistence on, its points are recorded
    // so that a restart can replay them into the same model version (jobs/replay.ts).
    if (this.state && model?.bundle) {
      const ref = { id: model.trained.id, version: model.bundle.metadata.version };
      stream = new RecordedStream(stream, params, ref, recordLimit(this.spec));
    }
    return {
      key,
      labels: { ...labels },
      stream,
      ring: new PointRing(retentionPoints),
      lastTimestamp: -Infinity,
      lastSeen: this.now(),
      episodes: [],
      announcedUntil: -Infinity,
      openStarts: new Set(),
      fallback: model !== null && model.bundle === null,
      unit: null,
    };
  }

  /**
   * Refresh the series' episodes and log those that opened or closed since the last look. During the
   * backfill they are collected instead and summarized once at its end.
   */
  private updateEpisodes(slot: SeriesSlot, backfill: { labels: Labels; episode: Episode }[] | null): void {
    const all = slot.stream.episodes();
    const oldest = slot.ring.oldestTimestamp() ?? -Infinity;
    const oldestOpen = Math.min(...slot.openStarts);
    for (let i = all.length - 1; i >= 0; i--) {
      const e = all[i];
      const isNew = e.start > slot.announcedUntil;
      if (!isNew && e.start < oldestOpen) break;
      if (!isNew && !slot.openStarts.has(e.start)) continue;
      if (backfill) {
        if (isNew) backfill.push({ labels: slot.labels, episode: e });
      } else if (isNew) {
        this.logEpisode('opened', slot.labels, e);
        if (!e.open) this.logEpisode('closed', slot.labels, e);
      } else if (!e.open) {
        this.logEpisode('closed', slot.labels, e);
      }
      if (e.open) slot.openStarts.add(e.start);
      else slot.openStarts.delete(e.start);
    }
    if (all.length > 0) slot.announcedUntil = Math.max(slot.announcedUntil, all[all.length - 1].start);
    slot.episodes = all.filter((e) => e.open || e.end >= oldest);
  }

  private logEpisode(what: 'opened' | 'closed', labels: Labels, e: Episode): void {
    const fields = {
      labels,
      severity: e.severity,
      severityLabel: e.severityLabel,
      direction: e.direction,
      kind: e.explanation.kind,
      start: new Date(e.start).toISOString(),
      peakScore: Number(e.peakScore.toFixed(3)),
      ...(what === 'closed' ? { end: new Date(e.end).toISOString(), durationMs: e.end - e.start } : {}),
    };
    const where = formatLabels(labels);
    if (what === 'opened') {
      this.logger.warn(
        fields,
        `anomaly ${e.severityLabel} ${e.direction} on ${where}: ${e.explanation.summary}`,
      );
    } else {
      this.logger.info(fields, `anomaly over on ${where} (peak score ${fields.peakScore})`);
    }
  }

  private logBackfill(
    mode: IngestMode,
    series: number,
    points: number,
    found: { labels: Labels; episode: Episode }[],
  ): void {
    this.logger.info(
      { points, series, episodes: found.length, fromMs: this.spec.fitWindowMs },
      `${mode} scored ${points} points of history in ${series} series: ${found.length} anomaly episodes`,
    );
    const shown = [...found]
      .sort((a, b) => b.episode.severity - a.episode.severity)
      .slice(0, BACKFILL_LOG_LIMIT);
    for (const { labels, episode } of shown.sort((a, b) => a.episode.start - b.episode.start)) {
      const where = formatLabels(labels);
      this.logger.info(
        {
          labels,
          backfill: true,
          severity: episode.severity,
          direction: episode.direction,
          kind: episode.explanation.kind,
          start: new Date(episode.start).toISOString(),
          end: new Date(episode.end).toISOString(),
          open: episode.open,
        },
        `past anomaly ${episode.severityLabel} ${episode.direction} on ${where}: ${episode.explanation.summary}`,
      );
    }
  }

  private logSwap(
    rebuilt: Set<string>,
    slots: Map<string, SeriesSlot>,
    found: { labels: Labels; episode: Episode }[],
  ): void {
    for (const key of rebuilt) {
      const slot = slots.get(key);
      const model = this.models?.state(key);
      if (!slot || !model) continue;
      const where = formatLabels(slot.labels);
      const episodes = found.filter((f) => f.labels === slot.labels).length;
      this.logger.info(
        { stage: 'models', labels: slot.labels, model: model.id, version: model.version, episodes },
        `${where} now scores with model ${model.id} v${model.version} (fit window rescored: ${episodes} anomaly episodes)`,
      );
    }
  }

  private dropStale(now: number): void {
    for (const [key, slot] of this.slots) {
      if (now - slot.lastSeen > this.spec.staleAfterMs) {
        this.slots.delete(key);
        this.models?.forget(key);
        this.logger.info(
          { labels: slot.labels, lastSeen: new Date(slot.lastSeen).toISOString() },
          'series gone from the source: dropped',
        );
      }
    }
  }
}
