/**
 * A job's series, one slot each: its causal ScoringStream, the ring of its recent results and its
 * episode bookkeeping. Fetched points are pushed into the slots here; a refit or a model swap scores
 * into new slots and puts them in place at the end, and series the source no longer has are dropped.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Episode } from '../contract/score.js';
import type { ScoreParams, ScoringStream } from '../engine/index.js';
import { seriesKey, type Labels, type SourceSeries } from '../sources/source.js';
import { scheduleOffset } from './schedule.js';
import type { FoundEpisode, JobAnnouncer } from './announcer.js';
import type { JobSpec } from './config.js';
import { isCounter } from './counter.js';
import { primeFromGroup } from './coldStart.js';
import type { JobModels } from './models.js';
import { recordLimit, RecordedStream } from './replay.js';
import { PointRing } from './ring.js';
import { within } from './suppression.js';
import type { Interval } from '../store/index.js';
import type { Sensitivity } from '../contract/sensitivity.js';

/** One series' live state (jobs/persistence.ts saves and restores it). */
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
export type IngestMode = 'backfill' | 'refit' | 'swap' | 'live';

/** One run's ingestion over the pieces it is fetched in (SeriesTable.startRun). */
export interface IngestRun {
  readonly now: number;
  readonly mode: IngestMode;
  readonly swapReady: ReadonlySet<string>;
  /** The slots pushed into: the served ones, or for a refit or a swap the ones that replace them. */
  readonly slots: Map<string, SeriesSlot>;
  /** Series scored from the start of the window in a swap run (summarized like a backfill). */
  readonly rebuilt: Set<string>;
  points: number;
  readonly failures: string[];
  /** Episodes a backfill, a refit or a rebuild found, by series key and start (summarized at the end). */
  readonly found: Map<string, FoundEpisode>;
}

export interface SeriesTableDeps {
  spec: JobSpec;
  createStream: (params: ScoreParams) => ScoringStream;
  /** A neural detector's per-series models; null for the statistical detectors. */
  models: JobModels | null;
  /** Persistence is on: record what model-scored streams are fed, so a restart can replay it. */
  recordModelStreams: boolean;
  announcer: JobAnnouncer;
  /** Whether a maintenance window suppresses the series at t: an episode starting then is not announced as an alert. */
  suppressedAt?: (labels: Labels, t: number) => boolean;
  /**
   * The series' suppressed intervals over [from, to]: the points inside are held (scored, not learnt,
   * engine PushOptions), so planned work does not become the baseline.
   */
  suppressedIntervals?: (labels: Labels, from: number, to: number) => Interval[];
  /** Whether a false positive's tolerance leaves the episode nothing anomalous (jobs/feedback.ts): no alert. */
  toleratedEpisode?: (slot: SeriesSlot, e: Episode) => boolean;
  /** The sensitivity a series scores at from its next point (jobs/settings.ts); absent: the spec's. */
  sensitivityFor?: (labels: Labels) => Sensitivity;
}

const HOLD = { hold: true } as const;

/** Pushes between yields to the event loop, so a backfill does not stall HTTP requests. */
const YIELD_EVERY = 2000;

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A job's series' stream parameters: the live streams' (here) and the preview's (jobs/preview.ts). */
export function streamParams(spec: JobSpec, sensitivity: number, counter: boolean) {
  return {
    detector: spec.detector,
    sensitivity,
    options: { ...spec.options, counter, causal: true },
    stepMs: spec.stepMs,
  };
}

export class SeriesTable {
  private slots = new Map<string, SeriesSlot>();
  private refused = 0;
  private coldStartWarned = false;

  /** Once per job: its retention cannot hold a period of its groups' series, so new series are not primed. */
  private readonly retentionTooShort = (periodPoints: number, neededPoints: number): void => {
    if (this.coldStartWarned) return;
    this.coldStartWarned = true;
    const { retentionPoints, stepMs } = this.deps.spec;
    this.deps.announcer.coldStartNeedsRetention(periodPoints, neededPoints, retentionPoints, stepMs);
  };

  constructor(private readonly deps: SeriesTableDeps) {}

  get size(): number {
    return this.slots.size;
  }

  /** New series refused over the job's life because max_series was reached. */
  get droppedSeries(): number {
    return this.refused;
  }

  has(key: string): boolean {
    return this.slots.has(key);
  }

  all(): IterableIterator<SeriesSlot> {
    return this.slots.values();
  }

  /** Put back the slots of an earlier process (jobs/persistence.ts). */
  replace(slots: SeriesSlot[]): void {
    this.slots = new Map(slots.map((slot) => [slot.key, slot]));
  }

  /**
   * Start one run's ingestion: feed it the fetched points piece by piece in time order (a long range
   * is fetched in pieces, jobs/fetchPieces.ts), then finish it. `swapReady`: in a swap run, the series
   * whose new model version is ready, rebuilt from the start of the window with it.
   */
  startRun(now: number, mode: IngestMode, swapReady: ReadonlySet<string>): IngestRun {
    // A refit (or a model swap) scores the window into new slots and puts them in place when the run
    // finishes, so the results and gauges of the old models stay served until the new ones are ready.
    const slots =
      mode === 'refit' ? new Map<string, SeriesSlot>() : mode === 'swap' ? new Map(this.slots) : this.slots;
    return { now, mode, swapReady, slots, rebuilt: new Set(), points: 0, failures: [], found: new Map() };
  }

  /**
   * Push one piece of fetched points into each series' stream; per-series failures are collected, not
   * fatal to others.
   */
  async feed(run: IngestRun, data: SourceSeries[]): Promise<void> {
    if (run.mode === 'swap') {
      for (const series of data) {
        const key = seriesKey(series.labels);
        // A series missing from the slots (left out of a restored snapshot) is built here too.
        if (run.swapReady.has(key) && !run.rebuilt.has(key)) {
          run.slots.delete(key);
          run.rebuilt.add(key);
        }
      }
    }
    await this.push(run, data);
  }

  /** The run's totals; a refit's or a swap's slots replace the served ones now. */
  finish(run: IngestRun): { points: number; failures: string[] } {
    const { mode, slots, found } = run;
    if (mode === 'refit' || mode === 'swap') this.slots = slots;
    if (mode === 'backfill' || mode === 'refit') {
      this.deps.announcer.historyScored(mode, this.deps.spec.fitWindowMs, slots.size, run.points, [
        ...found.values(),
      ]);
    } else if (run.rebuilt.size > 0) {
      this.announceSwaps(run.rebuilt, slots, [...found.values()]);
    }
    return { points: run.points, failures: run.failures };
  }

  /** Drop the series the source has not returned for stale_after, with their models. */
  dropStale(now: number): void {
    for (const [key, slot] of this.slots) {
      if (now - slot.lastSeen > this.deps.spec.staleAfterMs) {
        this.slots.delete(key);
        this.deps.models?.forget(key);
        this.deps.announcer.seriesGone(slot.labels, slot.lastSeen);
      }
    }
  }

  private async push(run: IngestRun, data: SourceSeries[]): Promise<void> {
    const { spec, announcer } = this.deps;
    const { slots, mode, now } = run;
    const backfill = mode === 'backfill' || mode === 'refit';
    let sinceYield = 0;
    for (const series of data) {
      if (series.timestamps.length === 0) continue;
      const key = seriesKey(series.labels);
      let slot = slots.get(key);
      try {
        if (!slot) {
          if (slots.size >= spec.maxSeries) {
            announcer.seriesRefused(++this.refused, spec.maxSeries, series.labels);
            continue;
          }
          slot = this.createSlot(key, series.labels, series.values, now);
          if (mode === 'live') this.coldStart(slot, series, slots);
          slots.set(key, slot);
        }
        slot.lastSeen = now;
        slot.unit = spec.unit ?? series.unit ?? null;
        // A setting changed through the API applies from the series' next point (a no-op when unchanged).
        if (this.deps.sensitivityFor) slot.stream.setSensitivity(this.deps.sensitivityFor(slot.labels));
        const before = run.points;
        const held = this.heldIntervals(series);
        for (let i = 0; i < series.timestamps.length; i++) {
          const t = series.timestamps[i];
          if (t <= slot.lastTimestamp) continue;
          const v = series.values[i];
          // Advanced first: a point the stream throws on is skipped next time, not retried forever.
          slot.lastTimestamp = t;
          const value = v === null || Number.isFinite(v) ? v : null;
          const point =
            held.length > 0 && within(held, t)
              ? slot.stream.push(t, value, HOLD)
              : slot.stream.push(t, value);
          if (point) {
            slot.ring.push(point);
            run.points++;
          }
          if (++sinceYield >= YIELD_EVERY) {
            sinceYield = 0;
            await yieldToEventLoop();
          }
        }
        if (run.points > before) {
          this.updateEpisodes(slot, backfill || run.rebuilt.has(key) ? run.found : null);
        }
      } catch (err) {
        run.failures.push(`series ${JSON.stringify(series.labels)}: ${message(err)}`);
      }
    }
  }

  private heldIntervals(series: SourceSeries): Interval[] {
    const { timestamps } = series;
    if (!this.deps.suppressedIntervals || timestamps.length === 0) return [];
    return this.deps.suppressedIntervals(series.labels, timestamps[0], timestamps[timestamps.length - 1]);
  }

  /**
   * A series that appears in a live run of a job with groups starts from its group's profile
   * (jobs/coldStart.ts) rather than learning from scratch; the priming's own episodes are never
   * announced. Not for counters (their streams take raw readings) nor model-scored streams. A no-op
   * without groups: such a job's streams are exactly what they were.
   */
  private coldStart(slot: SeriesSlot, series: SourceSeries, slots: Map<string, SeriesSlot>): void {
    const { spec, models } = this.deps;
    if (spec.groups.length === 0 || models || isCounter(spec.options?.counter, series.values)) return;
    const primedUntil = primeFromGroup(
      slot.stream,
      { key: slot.key, ...series },
      slots.values(),
      spec.groups,
      spec.stepMs,
      { points: spec.retentionPoints, tooShort: this.retentionTooShort },
    );
    if (primedUntil !== null) slot.announcedUntil = primedUntil;
  }

  private createSlot(
    key: string,
    labels: Labels,
    firstValues: readonly (number | null)[],
    now: number,
  ): SeriesSlot {
    const { spec, models } = this.deps;
    const { sensitivity, options, retentionPoints } = spec;
    // "auto" is judged once from the first batch (see counter.ts); the engine's stream then turns
    // counter readings into rates exactly as batch cleaning does.
    const model = models?.modelFor(key, labels) ?? null;
    const params = {
      ...streamParams(
        spec,
        this.deps.sensitivityFor?.(labels) ?? sensitivity,
        isCounter(options?.counter, firstValues),
      ),
      // Spreads the series' period checks over ticks (jobs/schedule.ts); the preview replays with it too.
      scheduleOffset: scheduleOffset(key),
    };
    let stream = this.deps.createStream({
      ...params,
      ...(model ? { model: model.bundle, trained: model.trained } : {}),
    });
    // A stream scored by a model cannot be snapshotted; with persistence on, its points are recorded
    // so that a restart can replay them into the same model version (jobs/replay.ts).
    if (this.deps.recordModelStreams && model?.bundle) {
      const ref = { id: model.trained.id, version: model.bundle.metadata.version };
      stream = new RecordedStream(stream, params, ref, recordLimit(spec));
    }
    return {
      key,
      labels: { ...labels },
      stream,
      ring: new PointRing(retentionPoints),
      lastTimestamp: -Infinity,
      lastSeen: now,
      episodes: [],
      announcedUntil: -Infinity,
      openStarts: new Set(),
      fallback: model !== null && model.bundle === null,
      unit: null,
    };
  }

  /**
   * Refresh the series' episodes and announce those that opened or closed since the last look. During
   * the backfill they are collected instead and summarized once at its end (an episode still open at
   * the end of one fetched piece is collected again, grown, from the next).
   */
  private updateEpisodes(slot: SeriesSlot, backfill: Map<string, FoundEpisode> | null): void {
    const { announcer } = this.deps;
    const all = slot.stream.episodes();
    const oldest = slot.ring.oldestTimestamp() ?? -Infinity;
    const oldestOpen = Math.min(...slot.openStarts);
    for (let i = all.length - 1; i >= 0; i--) {
      const e = all[i];
      const isNew = e.start > slot.announcedUntil;
      if (!isNew && e.start < oldestOpen) break;
      if (!isNew && !slot.openStarts.has(e.start)) continue;
      const suppressed = this.deps.suppressedAt?.(slot.labels, e.start) ?? false;
      // Judged when the episode is first seen: one that outgrows its tolerance later alerts on /metrics.
      const tolerated = !suppressed && isNew && (this.deps.toleratedEpisode?.(slot, e) ?? false);
      if (backfill) {
        const id = `${slot.key}\u0000${e.start}`;
        if (isNew ? !suppressed && !tolerated : backfill.has(id))
          backfill.set(id, { labels: slot.labels, episode: e });
      } else if (tolerated) {
        // Not followed as open: its close is not announced either.
        announcer.episodeTolerated(slot.labels, e);
        continue;
      } else if (suppressed) {
        if (isNew) announcer.episodeSuppressed(slot.labels, e);
      } else if (isNew) {
        announcer.episodeOpened(slot.labels, e);
        if (!e.open) announcer.episodeClosed(slot.labels, e);
      } else if (!e.open) {
        announcer.episodeClosed(slot.labels, e);
      }
      if (e.open) slot.openStarts.add(e.start);
      else slot.openStarts.delete(e.start);
    }
    if (all.length > 0) slot.announcedUntil = Math.max(slot.announcedUntil, all[all.length - 1].start);
    slot.episodes = all.filter((e) => e.open || e.end >= oldest);
  }

  /** One line for each series rebuilt with its new model version, with the episodes its rescoring found. */
  private announceSwaps(rebuilt: Set<string>, slots: Map<string, SeriesSlot>, found: FoundEpisode[]): void {
    for (const key of rebuilt) {
      const slot = slots.get(key);
      const model = this.deps.models?.state(key);
      if (!slot || !model) continue;
      const episodes = found.filter((f) => f.labels === slot.labels).length;
      this.deps.announcer.modelSwapped(slot.labels, model, episodes);
    }
  }
}
