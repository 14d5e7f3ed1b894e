/**
 * One continuous scoring job: on each run it fetches the points that appeared since the last run,
 * pushes them into one causal ScoringStream per series, and keeps the recent results in a bounded
 * ring per series. The first run backfills `fit_window` of history so the detectors are past their
 * learning period when live points arrive. A run never throws: failures are recorded in the job's
 * health and the next run retries from where the last successful one stopped.
 *
 * This module is the run loop and the job's health; the series live in a SeriesTable
 * (jobs/seriesTable.ts), the log lines come from a JobAnnouncer (jobs/announcer.ts).
 */
import type { Logger } from 'pino';
import { NEURAL_FALLBACK } from '../engine/seriesScorer.js';
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
import { JobAnnouncer } from './announcer.js';
import type { JobSpec } from './config.js';
import { fetchWithTimeout } from './fetch.js';
import { pieceEnd } from './fetchPieces.js';
import { buildIncidents } from './incidents.js';
import { JobForecasts } from './forecast.js';
import { JobNetwork } from './network.js';
import type { Episode } from '../contract/score.js';
import { labelProblem, metricLabels } from './labels.js';
import { ownsSeries, type ShardConfig } from './shard.js';
import type { FailedTraining, JobModels } from './models.js';
import { qualityState, windowFacts, type QualityState, type WindowFacts } from './quality.js';
import { recordLimit, RecordedStream, replayStream, type NeuralStreamState } from './replay.js';
import { SeriesTable, streamParams, type IngestMode, type SeriesSlot } from './seriesTable.js';
import type { Interval } from '../store/index.js';
import { parseSensitivity } from '../contract/sensitivity.js';
import type { EffectiveSensitivity, SensitivityResolver } from './settings.js';
import { within, type Suppression } from './suppression.js';
import {
  applyTolerances,
  episodeTolerated,
  mergeIntervals,
  tolerate,
  type FeedbackEffects,
} from './feedback.js';
import type { JobHealth, JobSeries, JobStatus } from '../contract/jobs.js';
import type { PointColumns } from './ring.js';
import type { Incident } from '../contract/incidents.js';

export type { JobHealth, JobStatus };

/** Retained results of one series (the JobSeries API shape). */
export type JobSeriesResult = JobSeries;

/** The newest scored point of a series, for the /metrics gauges. */
export interface LatestPoint {
  labels: Labels;
  /** As scored; when suppressed, never anomalous. */
  point: Omit<StreamPoint, 'state'>;
  /** A maintenance window covers the point (jobs/suppression.ts). */
  suppressed: boolean;
  /** The series' data-quality state now (jobs/quality.ts), whether suppressed or not. */
  quality: QualityState;
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
  /** The maintenance windows that apply to the job's series (jobs/suppression.ts); absent: none. */
  suppression?: Suppression | null;
  /** Operators' feedback on the job's episodes (jobs/feedback.ts); absent: none. */
  feedback?: FeedbackEffects | null;
  /** The sensitivity settings set through the API (jobs/settings.ts); absent: the jobs file's applies. */
  sensitivity?: SensitivityResolver | null;
  /** This replica's share of the series (jobs/shard.ts); absent: every series. */
  shard?: ShardConfig | null;
  /** Where a `forecast.capacity_expr` is read (its PromQL on the server's Prometheus); absent: none. */
  capacitySource?: Source | null;
  /** Points a fetched piece of a long range aims at (jobs/fetchPieces.ts); absent: PIECE_POINTS. */
  piecePoints?: number;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export class ScoringJob {
  readonly spec: JobSpec;
  private readonly source: Source;
  private readonly announcer: JobAnnouncer;
  private readonly now: () => number;
  private readonly shard: ShardConfig | null;
  private readonly createStream: (params: ScoreParams) => ScoringStream;
  private readonly models: JobModels | null;
  private readonly piecePoints: number | undefined;
  private readonly state: JobStatePersistence | null;
  private readonly suppression: Suppression | null;
  private readonly feedback: FeedbackEffects | null;
  private readonly settings: SensitivityResolver | null;
  private readonly windowLabelCache = new WeakMap<Labels, Labels>();
  /** Each series' quality facts, for the newest point they were computed at. */
  private readonly qualityCache = new WeakMap<SeriesSlot, { newest: number | null; facts: WindowFacts }>();
  private restoreTried = false;
  private readonly slots: SeriesTable;
  private cursor: number | null = null;
  /** The network-wide detector of the job's groups (jobs/network.ts); null without groups. */
  private readonly network: JobNetwork | null;
  /** The job's continuous forecasts (jobs/forecast.ts); null without a `forecast:` block. */
  readonly forecasts: JobForecasts | null;
  /** When the models were last built from a whole fit window (the backfill, then each refit). */
  private fittedAt = -Infinity;
  private runningNow = false;
  private backfillingNow = false;
  /** The end of the running run's last piece scored (status: a long backfill's progress). */
  private scoredUntil: number | null = null;
  private stats = {
    runs: 0,
    errors: 0,
    consecutiveErrors: 0,
    missedRuns: 0,
    overruns: 0,
    pointsScored: 0,
    droppedLabelSeries: 0,
    lastRunAt: null as number | null,
    lastRunDurationMs: null as number | null,
    lastSuccessAt: null as number | null,
    lastError: null as { message: string; at: number } | null,
  };

  constructor(spec: JobSpec, deps: ScoringJobDeps) {
    this.spec = spec;
    this.source = deps.source;
    this.announcer = new JobAnnouncer(deps.logger.child({ job: spec.name }));
    this.now = deps.now ?? (() => Date.now());
    this.createStream = deps.createStream ?? engineCreateStream;
    this.models = deps.models ?? null;
    this.piecePoints = deps.piecePoints;
    this.state = deps.state ?? null;
    this.suppression = deps.suppression ?? null;
    this.feedback = deps.feedback ?? null;
    this.settings = deps.sensitivity ?? null;
    this.network = spec.groups.length > 0 && spec.network.detector === 'pca' ? new JobNetwork(spec) : null;
    this.shard = deps.shard ?? null;
    this.forecasts = spec.forecast
      ? new JobForecasts(spec.forecast, {
          stepMs: spec.stepMs,
          capacitySource: deps.capacitySource,
          now: this.now,
          onError: (problem) => deps.logger.warn({ job: spec.name }, `forecast refresh: ${problem}`),
        })
      : null;
    this.slots = new SeriesTable({
      sensitivityFor: (labels) => this.sensitivityFor(labels).sensitivity,
      spec,
      createStream: this.createStream,
      models: this.models,
      recordModelStreams: this.state !== null,
      announcer: this.announcer,
      suppressedAt: (labels, t) => this.suppressedAt(labels, t),
      toleratedEpisode: (slot, e) => this.tolerated(slot, e),
      // Held: inside a maintenance window, or an episode marked as a true incident (jobs/feedback.ts).
      suppressedIntervals: (labels, from, to) => {
        const windows = this.suppression?.intervals(this.windowLabels(labels), from, to) ?? [];
        const incidents = this.feedback?.heldIntervals(seriesKey(labels), from, to) ?? [];
        return incidents.length === 0 ? windows : mergeIntervals([...windows, ...incidents]);
      },
    });
  }

  /** Whether a maintenance window suppresses the series at t. */
  suppressedAt(labels: Labels, t: number): boolean {
    return this.suppression?.at(this.windowLabels(labels), t) ?? false;
  }

  get name(): string {
    return this.spec.name;
  }

  /** The sensitivity the job's series score at, unless one has its own (jobs/settings.ts). */
  jobSensitivity(): EffectiveSensitivity {
    return (
      this.settings?.forJob(this.spec.name, this.spec.sensitivity) ?? {
        sensitivity: parseSensitivity(this.spec.sensitivity),
        from: 'config',
      }
    );
  }

  /**
   * A new stream scored as this job's series are, at `sensitivity`, for values as its results hold them
   * (a counter's already rates): the alert-volume preview replays retained points into it (jobs/preview.ts).
   */
  freshStream(sensitivity: number, scheduleOffset = 0): ScoringStream {
    return this.createStream({ ...streamParams(this.spec, sensitivity, false), scheduleOffset });
  }

  /** The series' maintenance-window intervals over [from, to]: what the live stream held (not learnt). */
  heldIntervals(labels: Labels, from: number, to: number): Interval[] {
    return this.suppression?.intervals(this.windowLabels(labels), from, to) ?? [];
  }

  /** Whether the job scores this series now. */
  hasSeries(labels: Labels): boolean {
    return this.slots.has(seriesKey(labels));
  }

  /** The sensitivity a series scores at from its next point. */
  sensitivityFor(labels: Labels): EffectiveSensitivity {
    return this.settings?.forSeries(this.spec.name, this.spec.sensitivity, labels) ?? this.jobSensitivity();
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
      this.scoredUntil = null;
    }
    const durationMs = Math.max(0, this.now() - started);
    const s = this.stats;
    s.runs++;
    s.lastRunAt = started;
    s.lastRunDurationMs = durationMs;
    if (durationMs > this.spec.intervalMs) s.overruns++;
    if (error === undefined) {
      if (s.consecutiveErrors > 0) this.announcer.recovered(s.consecutiveErrors);
      s.consecutiveErrors = 0;
      s.lastSuccessAt = started;
    } else {
      s.errors++;
      s.consecutiveErrors++;
      s.lastError = { message: error, at: started };
      this.announcer.runFailed(s.consecutiveErrors, error);
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
      slots: [...this.slots.all()],
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
    // A snapshot taken before a change of the replica count may hold series another replica now owns.
    this.slots.replace(slots.filter((slot) => ownsSeries(this.shard, this.spec.name, slot.labels)));
  }

  status(): JobStatus {
    const s = this.stats;
    let openEpisodes = 0;
    const now = this.now();
    for (const slot of this.slots.all()) {
      const last = slot.episodes.at(-1);
      // An episode that started inside a maintenance window is no alert; one of a stale series is not
      // known to be going on (the series says nothing more).
      if (
        last?.open &&
        !this.suppressedAt(slot.labels, last.start) &&
        this.quality(slot, now) !== 'stale' &&
        !this.tolerated(slot, last)
      ) {
        openEpisodes++;
      }
    }
    const health: JobHealth = s.runs === 0 ? 'starting' : s.consecutiveErrors > 0 ? 'failing' : 'ok';
    return {
      name: this.spec.name,
      source: this.source.kind,
      detector: this.spec.detector,
      sensitivity: this.jobSensitivity().sensitivity,
      intervalMs: this.spec.intervalMs,
      stepMs: this.spec.stepMs,
      health,
      running: this.runningNow,
      lastRunAt: s.lastRunAt,
      lastRunDurationMs: s.lastRunDurationMs,
      lastSuccessAt: s.lastSuccessAt,
      dataUntil: this.cursor,
      scoredUntil: this.scoredUntil,
      runs: s.runs,
      errors: s.errors,
      consecutiveErrors: s.consecutiveErrors,
      missedRuns: s.missedRuns,
      overruns: s.overruns,
      lastError: s.lastError,
      series: this.slots.size,
      pointsScored: s.pointsScored,
      openEpisodes,
      droppedSeries: this.slots.droppedSeries,
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
    const now = this.now();
    for (const slot of this.slots.all()) {
      if (!matches(slot.labels, matchers)) continue;
      const state = slot.stream.state();
      const points = slot.ring.range(from, to);
      // A false positive's tolerance first (it changes scores and bands), then maintenance windows.
      const tolerated = applyTolerances(this.feedback?.tolerances(slot.key) ?? [], points);
      // Suppressed points keep their scores and bands; they are just not anomalous.
      const suppressed = this.suppressedIntervals(slot.labels, points.timestamps);
      const anomaly = suppressed.length
        ? points.anomaly.map((a, i) => a && !within(suppressed, points.timestamps[i]))
        : points.anomaly;
      const quality = this.quality(slot, now);
      out.push({
        labels: { ...slot.labels },
        unit: slot.unit,
        // Suppression wins over the quality states, which win over learning.
        state:
          state === 'no_data'
            ? state
            : this.suppressedAt(slot.labels, now)
              ? 'suppressed'
              : quality !== 'ok'
                ? quality
                : // As the score API reports a neural detector without its model: the fallback, learning.
                  slot.fallback
                  ? 'learning'
                  : state,
        detector: slot.fallback ? NEURAL_FALLBACK : this.spec.detector,
        ...points,
        anomaly,
        episodes: slot.episodes.filter(
          (e) =>
            e.start <= to &&
            (e.open || e.end >= from) &&
            !this.suppressedAt(slot.labels, e.start) &&
            !this.tolerated(slot, e),
        ),
        model: this.models?.state(slot.key) ?? null,
        quality,
        ...(tolerated.length > 0 ? { tolerated } : {}),
        ...(suppressed.length > 0
          ? { maintenance: suppressed.map(({ start, end }) => ({ start, end })) }
          : {}),
        sensitivity: this.sensitivityFor(slot.labels).sensitivity,
        periodMs: this.periodMs(slot),
      });
    }
    return out;
  }

  /** Whether a false positive's tolerance leaves nothing anomalous in the episode (jobs/feedback.ts). */
  private tolerated(slot: SeriesSlot, e: Episode): boolean {
    const tolerances = this.feedback?.tolerances(slot.key) ?? [];
    return tolerances.length > 0 && episodeTolerated(tolerances, slot.ring.range(e.start, e.end));
  }

  /**
   * A series' retained points as scored (before any tolerance) and its episodes, by its exact labels:
   * what feedback on one of its episodes is judged against (api/routes/feedback.ts).
   */
  seriesForFeedback(labels: Labels): {
    key: string;
    labels: Labels;
    episodes: Episode[];
    points: PointColumns;
    /** The season its detector found, in ms; null without one. */
    periodMs: number | null;
  } | null {
    const key = seriesKey(labels);
    for (const slot of this.slots.all()) {
      if (slot.key === key) {
        return {
          key,
          labels: { ...slot.labels },
          episodes: [...slot.episodes],
          points: slot.ring.range(),
          periodMs: this.periodMs(slot),
        };
      }
    }
    return null;
  }

  /** The season the series' stream found, in ms; null without one. */
  private periodMs(slot: SeriesSlot): number | null {
    const period = slot.stream.period?.() ?? null;
    return period === null ? null : period * this.spec.stepMs;
  }

  /** The series' data-quality state at `now` (jobs/quality.ts); its facts are recomputed once per new point. */
  private quality(slot: SeriesSlot, now: number): QualityState {
    const newest = slot.ring.newestTimestamp();
    let cached = this.qualityCache.get(slot);
    if (!cached || cached.newest !== newest) {
      cached = { newest, facts: windowFacts(slot.ring, this.spec.stepMs) };
      this.qualityCache.set(slot, cached);
    }
    return qualityState(cached.facts, now, this.spec.qualityStaleMs);
  }

  private suppressedIntervals(labels: Labels, timestamps: readonly number[]) {
    if (!this.suppression || timestamps.length === 0) return [];
    return this.suppression.intervals(
      this.windowLabels(labels),
      timestamps[0],
      timestamps[timestamps.length - 1],
    );
  }

  /**
   * Incidents of the job's groups (jobs/incidents.ts) going on within [from, to], from the retained
   * episodes (those starting inside a maintenance window left out, as everywhere).
   */
  incidents(from = -Infinity, to = Infinity): Incident[] {
    if (this.spec.groups.length === 0) return [];
    const series = [...this.slots.all()].map((slot) => ({
      labels: slot.labels,
      episodes: slot.episodes.filter((e) => !this.suppressedAt(slot.labels, e.start)),
    }));
    const options = { groups: this.spec.groups, windowMs: this.spec.incidentWindowMs };
    return buildIncidents(series, this.network?.episodes() ?? [], options).filter(
      (i) => i.start <= to && (i.open || i.end >= from),
    );
  }

  /** The labels maintenance windows match against, of every current series. */
  seriesLabels(): Labels[] {
    return [...this.slots.all()].map((slot) => this.windowLabels(slot.labels));
  }

  /**
   * A series' labels as windows match them: as on /metrics (with `job` and `detector`, clashing names
   * renamed), like Alertmanager silences match the labels of the alerts these series raise. Cached per
   * series (a slot keeps its labels object).
   */
  private windowLabels(labels: Labels): Labels {
    let out = this.windowLabelCache.get(labels);
    if (!out) {
      out = metricLabels(this.spec.name, this.spec.detector, labels);
      this.windowLabelCache.set(labels, out);
    }
    return out;
  }

  /** Label names of the current series with their values, sorted. */
  labelValues(): Record<string, string[]> {
    const values = new Map<string, Set<string>>();
    for (const slot of this.slots.all()) {
      for (const [name, value] of Object.entries(slot.labels)) {
        let set = values.get(name);
        if (!set) values.set(name, (set = new Set()));
        set.add(value);
      }
    }
    const names = [...values.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(names.map(([name, set]) => [name, [...set].sort()]));
  }

  /**
   * The open episode of every series that has one and is neither suppressed now nor stale (what
   * /metrics exports of episodes), with the slot's own labels object (stable across scrapes).
   */
  openEpisodes(): { labels: Labels; episode: Episode }[] {
    const out: { labels: Labels; episode: Episode }[] = [];
    const now = this.now();
    for (const slot of this.slots.all()) {
      const episode = slot.episodes.find((e) => e.open && !this.suppressedAt(slot.labels, e.start));
      if (!episode || this.suppressedAt(slot.labels, now) || this.quality(slot, now) === 'stale') continue;
      out.push({ labels: slot.labels, episode });
    }
    return out;
  }

  /**
   * Each current series' labels object, the one eachLatest, openEpisodes and the forecasts give (a live
   * view: /metrics renders their text ahead of a scrape, in slices between which series may come and go).
   */
  *eachSeriesLabels(): IterableIterator<Labels> {
    for (const slot of this.slots.all()) yield slot.labels;
  }

  latest(): LatestPoint[] {
    const out: LatestPoint[] = [];
    this.eachLatest((latest) => out.push(latest));
    return out;
  }

  /**
   * The newest point of every series, one at a time (what /metrics walks): no array of every series'
   * point lives through the walk, so its objects die young. At 50,000 series latest()'s array was
   * promoted on every scrape and each scrape ended in a full collection of the whole heap.
   */
  eachLatest(visit: (latest: LatestPoint) => void): void {
    const now = this.now();
    for (const slot of this.slots.all()) {
      const newest = slot.ring.latest();
      if (!newest) continue;
      const point = tolerate(this.feedback?.tolerances(slot.key) ?? [], newest);
      const quality = this.quality(slot, now);
      // A stale series' newest point is old: whether a window suppresses it is asked of now (maintenance
      // that took its exporter down must not raise the stale alert).
      const suppressed = this.suppressedAt(slot.labels, quality === 'stale' ? now : point.timestamp);
      visit({
        labels: slot.labels,
        point: suppressed ? { ...point, anomaly: false } : point,
        suppressed,
        quality,
      });
    }
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
      const run = this.slots.startRun(now, mode, due?.swap ?? new Set());
      // The first piece is sized for as many series as the job had, or may have (jobs/fetchPieces.ts).
      // A job with models trains on the whole window at once, so it fetches it in one piece.
      let series = this.slots.size > 0 ? this.slots.size : this.spec.maxSeries;
      try {
        for (let from = start; from <= end;) {
          const to = this.models ? end : pieceEnd(from, end, stepMs, series, this.piecePoints);
          const fetched = await fetchWithTimeout(
            this.source,
            { start: from, end: to, step: stepMs, matchers, ...(this.shard ? { keep: this.keepOwned } : {}) },
            timeoutMs,
            signal,
          );
          if (fetched.length > 0) series = fetched.length;
          const data = this.admitLabels(this.ownShare(fetched));
          await this.slots.feed(run, data);
          if (this.models && mode !== 'live') this.queueTraining(data, mode === 'refit', due?.retry);
          this.scoredUntil = to;
          if (to < end || from > start) this.announcer.pieceScored(mode, to, end, run.slots.size, run.points);
          from = to + 1;
        }
      } finally {
        // Counted even when a later piece's fetch failed: the next run skips what is already scored
        // (a backfill's slots keep it; a refit's are dropped and the refit is tried again).
        this.stats.pointsScored += run.points;
      }
      ({ points, failures } = this.slots.finish(run));
      this.slots.dropStale(now);
      this.feedback?.closeIncidents(this.slots.all());
      // No await without groups: callers time the end of a run by it (as in run()).
      if (this.network) await this.network.update(this.slots.all());
      // On its own schedule, not every tick (no await otherwise, as above).
      if (this.forecasts?.due(now)) await this.forecasts.refresh(now, this.slots.all());
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

  /** The fetched series this replica owns (jobs/shard.ts); the other replicas score the rest. */
  private ownShare(data: SourceSeries[]): SourceSeries[] {
    if (!this.shard) return data;
    return data.filter(
      (series) =>
        this.ownedByFetch.has(series.labels) || ownsSeries(this.shard, this.spec.name, series.labels),
    );
  }

  /**
   * Label objects the source asked about and this replica owns: a source that honours FetchRequest.keep
   * (Prometheus) skips the other series before converting their samples, and ownShare does not hash
   * the owned ones a second time.
   */
  private readonly ownedByFetch = new WeakSet<Labels>();
  private readonly keepOwned = (labels: Labels): boolean => {
    const owned = ownsSeries(this.shard, this.spec.name, labels);
    if (owned) this.ownedByFetch.add(labels);
    return owned;
  };

  /** Series whose labels exceed the limits (labels.ts) never enter the job: dropped, counted, logged. */
  private admitLabels(data: SourceSeries[]): SourceSeries[] {
    const out: SourceSeries[] = [];
    for (const series of data) {
      const problem = labelProblem(series.labels);
      if (problem === null) out.push(series);
      else this.announcer.labelsRefused(++this.stats.droppedLabelSeries, problem);
    }
    return out;
  }

  /** Training data for the series' models: the fit window just fetched. Never waits for the training. */
  private queueTraining(data: SourceSeries[], refit: boolean, retry: Set<string> | undefined): void {
    for (const series of data) {
      const key = seriesKey(series.labels);
      if (series.timestamps.length === 0 || !this.slots.has(key)) continue;
      if (retry?.has(key) || this.models!.needsTraining(key, refit)) {
        // A true incident's points are no training data (jobs/feedback.ts).
        this.models!.train(key, this.feedback ? this.feedback.maskIncidents(key, series) : series);
      }
    }
  }
}
