/**
 * Job state across restarts. Every continuous job's series (the engine's stream snapshot, the retained
 * results, the episode bookkeeping) is written to one file per job in the state directory: after a run
 * once `intervalMs` has passed since the last write, and at shutdown. A job starting with a usable
 * snapshot restores it and its first run scores only the gap since the snapshot's last point, so
 * scores and open episodes continue as if the process had never stopped (after a kill -9 the gap is
 * longer: it starts at the last periodic snapshot).
 *
 * The file is `<dir>/<job>.state`: one header line of JSON, then the body (JSON). The header carries the
 * format version, the job's config hash and the body's length and SHA-256, so a truncated or damaged
 * body is found before anything is restored. Writes are atomic (temporary file, fsync, rename, fsync of
 * the folder): a reader sees the old snapshot or the new one, never a mix.
 *
 * A series scored by a trained model (lstm, autoencoder) has no engine snapshot: its stream is stored
 * as the points it was fed, with the model id and version, and replayed into that version at restore
 * (jobs/replay.ts). When the version loaded now is another one (retrained, deleted), the series is
 * left out with a log line, and the job's next run rebuilds it from the fit window.
 *
 * Nothing here stops the service. A snapshot of another format version or of a changed job config is
 * refused (logged), a corrupt one is moved aside (logged); the job then backfills its fit window as it
 * would without a snapshot. An unusable folder (a file, read-only, no permission) is logged and
 * reported in /healthz, and the jobs run without persistence.
 */
import { createHash } from 'node:crypto';
import { mkdir, open, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Logger } from 'pino';
import { z } from 'zod';
import {
  DETECTOR_STATE_VERSION,
  READABLE_DETECTOR_VERSIONS,
  STREAM_SNAPSHOT_VERSION,
  restoreStream as engineRestoreStream,
  type ScoringStream,
} from '../engine/index.js';
import type { JobSpec } from './config.js';
import { formatDuration } from '../contract/duration.js';
import type { JobStatePersistence, ScoringJob } from './job.js';
import { formatLabels } from './labels.js';
import { NeuralStreamState, RecordedStream } from './replay.js';
import { PointRing } from './ring.js';
import type { SeriesSlot } from './seriesTable.js';

/**
 * Bump when the meaning of a header or body field changes; older files are then refused, not misread.
 * 2: the header records the engine's snapshot versions, so a build whose detectors changed refuses an
 * older file as another version (left in place) instead of moving it aside as corrupt.
 */
export const JOB_STATE_VERSION = 2;
/** The engine's snapshot versions the series in a file were written with. */
const ENGINE_VERSIONS = { stream: STREAM_SNAPSHOT_VERSION, detector: DETECTOR_STATE_VERSION };
const FORMAT = 'trafficlens-job-state';
const SUFFIX = '.state';
/** Temporary files older than this, left by a process killed mid-write, are removed at start. */
const STALE_TEMP_MS = 10 * 60_000;

/** What /healthz says about job state persistence (no paths: /healthz is open). */
export interface JobStateHealth {
  /** ok: snapshots are written; unusable: the folder cannot be used, jobs run without persistence; failing: the last write failed. */
  state: 'ok' | 'unusable' | 'failing';
  problem: string | null;
  /** When the newest snapshot of any job was written (ISO 8601). */
  lastSnapshotAt: string | null;
}

const HeaderVersion = z.object({ format: z.literal(FORMAT), version: z.number().int() });
const Header = HeaderVersion.extend({
  job: z.string(),
  configHash: z.string(),
  engine: z.object({ stream: z.number().int(), detector: z.number().int() }),
  savedAt: z.number(),
  dataUntil: z.number(),
  series: z.number().int().min(0),
  bodyBytes: z.number().int().min(0),
  bodySha256: z.string(),
});
type Header = z.infer<typeof Header>;

/** -Infinity (nothing yet) is stored as null: JSON has no infinities. */
const MaybeTime = z.number().nullable();
const RingSnapshotSchema = z.object({
  count: z.number().int().min(0),
  ts: z.string(),
  value: z.string(),
  score: z.string(),
  expected: z.string(),
  lower: z.string(),
  upper: z.string(),
  flags: z.string(),
});
const SeriesState = z.object({
  key: z.string(),
  labels: z.record(z.string(), z.string()),
  unit: z.string().nullable(),
  lastTimestamp: MaybeTime,
  lastSeen: z.number(),
  announcedUntil: MaybeTime,
  openStarts: z.array(z.number()),
  /** The engine's stream snapshot, opaque here: only restoreStream reads it (null for `neural`). */
  stream: z.unknown(),
  ring: RingSnapshotSchema,
  /** A neural job's series on the statistical fallback (no model yet); absent: false. */
  fallback: z.boolean().optional(),
  /** A series scored by a trained model: its stream as recorded points (jobs/replay.ts). */
  neural: NeuralStreamState.optional(),
  /** A neural job's series whose last model training failed: when (ms) and why; absent: none failed. */
  failedTraining: z.object({ at: z.number(), problem: z.string() }).optional(),
});
const Body = z.object({
  dataUntil: z.number(),
  fittedAt: MaybeTime,
  series: z.array(SeriesState),
});
type Body = z.infer<typeof Body>;

const toJson = (t: number) => (Number.isFinite(t) ? t : null);
const fromJson = (t: number | null) => t ?? -Infinity;

/** JSON with object keys sorted, so the same config always hashes the same. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/**
 * A hash of everything in a job's config that shapes its scores and retained results. How often it
 * runs (interval, timeout, stale_after, fit_every) does not, so changing those keeps the snapshot.
 */
export function jobConfigHash(spec: JobSpec): string {
  const { source, detector, sensitivity, unit, options, stepMs, fitWindowMs, retentionPoints } = spec;
  const shaping = {
    source,
    detector,
    sensitivity,
    unit,
    options: options ?? null,
    stepMs,
    fitWindowMs,
    retentionPoints,
    matchers: spec.matchers,
    maxSeries: spec.maxSeries,
  };
  return createHash('sha256').update(canonical(shaping)).digest('hex').slice(0, 32);
}

/** A short, path-free reason for /healthz ("read-only file system (EROFS)"). */
function reason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  const known: Record<string, string> = {
    EROFS: 'read-only file system',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    ENOTDIR: 'not a directory',
    EEXIST: 'exists and is not a directory',
    ENOSPC: 'no space left on device',
    EDQUOT: 'disk quota exceeded',
    EISDIR: 'is a directory',
  };
  if (code) return `${known[code] ?? 'cannot write'} (${code})`;
  return err instanceof Error ? err.message : String(err);
}

function errMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

let tempCounter = 0;

/** Write `data` to `path` atomically: a temporary file beside it, fsync, rename, fsync of the folder. */
export async function writeFileAtomic(
  dir: string,
  path: string,
  data: string | readonly string[],
): Promise<void> {
  const tmp = `${path}.${process.pid}.${++tempCounter}.tmp`;
  try {
    const fh = await open(tmp, 'w', 0o600);
    try {
      await writeFile(fh, data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }
  // The rename is durable only once the folder's entry is; some file systems refuse to fsync a folder.
  try {
    const dh = await open(dir, 'r');
    try {
      await dh.sync();
    } finally {
      await dh.close();
    }
  } catch {
    /* best effort */
  }
}

export interface JobStateStoreOptions {
  dir: string;
  /** A job's state is written after a run once this long has passed since its last write; 0: only at shutdown. */
  intervalMs: number;
  logger: Logger;
  /** Restores the engine's stream snapshots (tests may inject their streams' restore). */
  restoreStream?: (snapshot: unknown) => ScoringStream;
}

/** The state folder shared by the jobs of one process; `forJob` gives each job its port. */
export class JobStateStore {
  readonly dir: string;
  readonly intervalMs: number;
  private readonly logger: Logger;
  private readonly restoreStream: (snapshot: unknown) => ScoringStream;
  private usable = false;
  private problem: string | null = null;
  private failing: string | null = null;
  private lastSnapshotAt: number | null = null;

  private constructor(options: JobStateStoreOptions) {
    this.dir = options.dir;
    this.intervalMs = options.intervalMs;
    this.logger = options.logger.child({ stage: 'job-state' });
    this.restoreStream = options.restoreStream ?? engineRestoreStream;
  }

  /**
   * Open the folder (created if missing) and check that a file can be written in it. Never throws: an
   * unusable folder is logged and reported by health(), and forJob then gives null.
   */
  static async open(options: JobStateStoreOptions): Promise<JobStateStore> {
    const store = new JobStateStore(options);
    await store.check();
    return store;
  }

  private async check(): Promise<void> {
    const probe = join(this.dir, `.probe-${process.pid}`);
    try {
      await mkdir(this.dir, { recursive: true });
      await writeFileAtomic(this.dir, probe, 'ok\n');
      await rm(probe, { force: true });
      this.usable = true;
    } catch (err) {
      this.problem = reason(err);
      this.logger.warn(
        { dir: this.dir, err: errMessage(err) },
        `job state folder ${this.dir} is unusable (${this.problem}): jobs run without persistence and backfill after every restart`,
      );
      return;
    }
    await this.removeStaleTemps();
  }

  private async removeStaleTemps(): Promise<void> {
    try {
      const now = Date.now();
      for (const name of await readdir(this.dir)) {
        if (!name.endsWith('.tmp') && !name.startsWith('.probe-')) continue;
        const path = join(this.dir, name);
        const info = await stat(path).catch(() => null);
        if (info && now - info.mtimeMs > STALE_TEMP_MS) await rm(path, { force: true });
      }
    } catch {
      /* leftovers only cost space */
    }
  }

  health(): JobStateHealth {
    return {
      state: !this.usable ? 'unusable' : this.failing ? 'failing' : 'ok',
      problem: this.problem ?? this.failing,
      lastSnapshotAt: this.lastSnapshotAt === null ? null : new Date(this.lastSnapshotAt).toISOString(),
    };
  }

  /** The port of one job, or null when the folder is unusable. */
  forJob(spec: JobSpec): JobStatePort | null {
    if (!this.usable) return null;
    return new JobStatePort(this, spec, join(this.dir, `${spec.name}${SUFFIX}`));
  }

  /** @internal for JobStatePort */
  get log(): Logger {
    return this.logger;
  }
  /** @internal */
  get restore(): (snapshot: unknown) => ScoringStream {
    return this.restoreStream;
  }
  /** @internal */
  wrote(at: number): void {
    this.failing = null;
    this.lastSnapshotAt = Math.max(this.lastSnapshotAt ?? 0, at);
  }
  /** @internal */
  writeFailed(problem: string): void {
    this.failing = problem;
  }
}

/** Why a snapshot was not used: refused (another version or config: left in place) or corrupt (moved aside). */
class Unusable extends Error {
  constructor(
    readonly kind: 'refused' | 'corrupt',
    message: string,
  ) {
    super(message);
  }
}

/** One job's snapshot file: restore before the first run, save after runs and at shutdown. */
export class JobStatePort implements JobStatePersistence {
  private readonly configHash: string;
  private readonly logger: Logger;
  private lastSavedAt: number | null = null;
  private writeErrors = 0;

  constructor(
    private readonly store: JobStateStore,
    private readonly spec: JobSpec,
    readonly path: string,
  ) {
    this.configHash = jobConfigHash(spec);
    this.logger = store.log.child({ job: spec.name });
  }

  /**
   * Put the snapshot's state into the job, if there is a usable one; otherwise leave the job as it is
   * (its first run backfills). Never throws. `now`: the job's clock.
   */
  async restore(job: ScoringJob, now: number): Promise<boolean> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        this.logger.info(`job ${this.spec.name}: no state snapshot yet, backfilling ${this.fitWindow()}`);
      } else {
        this.logger.warn(
          { path: this.path, err: errMessage(err) },
          `job ${this.spec.name}: cannot read the state snapshot (${reason(err)}); backfilling ${this.fitWindow()}`,
        );
      }
      return false;
    }
    try {
      const { header, body } = this.parse(text, now);
      const slots: SeriesSlot[] = [];
      for (const series of body.series) {
        const slot = await this.restoreSeries(job, series);
        if (slot) slots.push(slot);
        // Restoring a series takes a few ms: let health checks and scrapes through between them.
        await yieldToEventLoop();
      }
      job.importState(body.dataUntil, fromJson(body.fittedAt), slots);
      this.lastSavedAt = now;
      const { stepMs } = this.spec;
      const gap = Math.max(0, Math.floor(now / stepMs) * stepMs - body.dataUntil);
      const points = Math.floor(gap / stepMs);
      this.logger.info(
        {
          path: this.path,
          series: slots.length,
          dataUntil: new Date(body.dataUntil).toISOString(),
          savedAt: new Date(header.savedAt).toISOString(),
          gapPoints: points,
        },
        `job ${this.spec.name}: restored ${slots.length} series from snapshot at ${new Date(body.dataUntil).toISOString()}, backfilling ${points} points`,
      );
      return true;
    } catch (err) {
      if (!(err instanceof Unusable)) throw err;
      if (err.kind === 'refused') {
        this.logger.warn(
          { path: this.path, why: err.message },
          `job ${this.spec.name}: state snapshot not used: ${err.message}; backfilling ${this.fitWindow()}`,
        );
        return false;
      }
      const aside = `${this.path}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      let moved = true;
      try {
        await rename(this.path, aside);
      } catch {
        moved = false;
      }
      this.logger.warn(
        { path: this.path, why: err.message, ...(moved ? { movedTo: aside } : {}) },
        `job ${this.spec.name}: state snapshot is corrupt (${err.message}); ${moved ? `moved to ${aside}` : 'could not move it aside'}, backfilling ${this.fitWindow()}`,
      );
      return false;
    }
  }

  private fitWindow(): string {
    return formatDuration(this.spec.fitWindowMs);
  }

  private parse(text: string, now: number): { header: Header; body: Body } {
    const eol = text.indexOf('\n');
    const notHeader = () => new Unusable('corrupt', 'its header is not a job state header');
    let rawHeader: unknown;
    try {
      rawHeader = JSON.parse(eol < 0 ? text : text.slice(0, eol));
    } catch {
      throw notHeader();
    }
    // The version first: another version's header may have other fields.
    const versioned = HeaderVersion.safeParse(rawHeader);
    if (!versioned.success) throw notHeader();
    if (versioned.data.version !== JOB_STATE_VERSION) {
      throw new Unusable(
        'refused',
        `it has format version ${versioned.data.version}, this build reads version ${JOB_STATE_VERSION}`,
      );
    }
    const parsed = Header.safeParse(rawHeader);
    if (!parsed.success) throw notHeader();
    const header = parsed.data;
    if (
      header.engine.stream !== ENGINE_VERSIONS.stream ||
      !READABLE_DETECTOR_VERSIONS.includes(header.engine.detector)
    ) {
      // The previous detector version is upgraded series by series as it is restored (engine/upgrade.ts).
      throw new Unusable(
        'refused',
        `its series were written as stream snapshots version ${header.engine.stream} with detectors version ${header.engine.detector}, this build reads ${ENGINE_VERSIONS.stream} and ${READABLE_DETECTOR_VERSIONS.join(' or ')}`,
      );
    }
    if (header.job !== this.spec.name) {
      throw new Unusable('refused', `it belongs to job "${header.job}"`);
    }
    if (header.configHash !== this.configHash) {
      throw new Unusable(
        'refused',
        `the job's config changed since it was written (config hash ${header.configHash}, now ${this.configHash})`,
      );
    }
    const raw = Buffer.from(text.slice(eol + 1), 'utf8');
    if (eol < 0 || raw.byteLength !== header.bodyBytes) {
      throw new Unusable(
        'corrupt',
        `its body has ${eol < 0 ? 0 : raw.byteLength} bytes, the header says ${header.bodyBytes} (truncated?)`,
      );
    }
    if (createHash('sha256').update(raw).digest('hex') !== header.bodySha256) {
      throw new Unusable('corrupt', 'its body does not match the checksum in its header');
    }
    let body: Body;
    try {
      body = Body.parse(JSON.parse(raw.toString('utf8')));
    } catch (err) {
      throw new Unusable('corrupt', `its body is not valid job state (${errMessage(err).slice(0, 200)})`);
    }
    const end = Math.floor(now / this.spec.stepMs) * this.spec.stepMs;
    if (body.dataUntil < end - this.spec.fitWindowMs) {
      throw new Unusable(
        'refused',
        `its last point (${new Date(body.dataUntil).toISOString()}) is older than fit_window (${this.fitWindow()})`,
      );
    }
    return { header, body };
  }

  /**
   * One series' slot; null for a series scored by a model version that is not loaded now, or whose
   * record of points is incomplete: it is left out (logged), and the job's next run rebuilds it.
   */
  private async restoreSeries(job: ScoringJob, s: Body['series'][number]): Promise<SeriesSlot | null> {
    const neuralJob = this.spec.detector === 'lstm' || this.spec.detector === 'autoencoder';
    if (!neuralJob) {
      if (s.neural)
        throw new Unusable(
          'corrupt',
          `series ${s.key}: a model-scored series in a ${this.spec.detector} job`,
        );
      return this.slotOf(s);
    }
    let replayed: RecordedStream | null;
    try {
      replayed = await job.restoreSeriesModel(s.key, s.labels, s.neural ?? null, s.failedTraining ?? null);
    } catch (err) {
      throw new Unusable('corrupt', `series ${s.key}: ${errMessage(err)}`);
    }
    if (!s.neural) return this.slotOf(s); // on the statistical fallback: an engine snapshot
    if (replayed) return this.slotOf(s, replayed);
    const { id, version } = s.neural.model;
    const ready = job.readyModel(s.key, s.labels)?.version ?? null;
    const why = !s.neural.complete
      ? `its stream was fed more points than a snapshot records since model ${id} v${version} was put in`
      : `it scored with model ${id} v${version}, and ${ready === null ? 'no version of it is loaded' : `the loaded version is v${ready}`}`;
    this.logger.warn(
      { labels: s.labels, model: id, version, loaded: ready },
      `job ${this.spec.name}: series ${formatLabels(s.labels)} not restored: ${why}; it re-learns from the fit window on the next run`,
    );
    return null;
  }

  private slotOf(s: Body['series'][number], replayed?: RecordedStream): SeriesSlot {
    let stream: ScoringStream;
    let ring: PointRing;
    try {
      stream = replayed ?? this.store.restore(s.stream);
      ring = PointRing.restore(this.spec.retentionPoints, s.ring);
    } catch (err) {
      throw new Unusable('corrupt', `series ${s.key}: ${errMessage(err)}`);
    }
    const oldest = ring.oldestTimestamp() ?? -Infinity;
    return {
      key: s.key,
      labels: s.labels,
      stream,
      ring,
      lastTimestamp: fromJson(s.lastTimestamp),
      lastSeen: s.lastSeen,
      episodes: stream.episodes().filter((e) => e.open || e.end >= oldest),
      announcedUntil: fromJson(s.announcedUntil),
      openStarts: new Set(s.openStarts),
      fallback: s.fallback ?? false,
      unit: s.unit,
    };
  }

  /** After a run: write the job's state when `intervalMs` has passed since the last write. */
  async afterRun(job: ScoringJob, now: number): Promise<void> {
    const every = this.store.intervalMs;
    if (every <= 0) return;
    if (this.lastSavedAt !== null && now - this.lastSavedAt < every) return;
    await this.save(job, now);
  }

  /**
   * Write the job's state now (between runs). A job that has not finished its first run has nothing
   * to write, and an older snapshot is kept. Never throws: failures are logged and shown in /healthz.
   */
  async save(job: ScoringJob, now: number): Promise<void> {
    const state = job.exportState();
    if (!state) return;
    this.lastSavedAt = now;
    try {
      const series = await this.write(state, now);
      if (this.writeErrors > 0) this.logger.info({ path: this.path }, 'job state snapshots written again');
      this.writeErrors = 0;
      this.store.wrote(now);
      this.logger.debug({ path: this.path, series }, `job ${this.spec.name}: state snapshot written`);
    } catch (err) {
      // A stream that cannot snapshot itself is logged the same way: the job keeps scoring regardless.
      this.writeErrors++;
      const problem = reason(err);
      this.store.writeFailed(problem);
      // The first failure and every 10th: a full disk would otherwise log every run.
      if (this.writeErrors === 1 || this.writeErrors % 10 === 0) {
        this.logger.warn(
          { path: this.path, err: errMessage(err), failures: this.writeErrors },
          `job ${this.spec.name}: writing the state snapshot failed (${problem}); the job keeps running`,
        );
      }
    }
  }

  private async write(
    state: NonNullable<ReturnType<ScoringJob['exportState']>>,
    now: number,
  ): Promise<number> {
    // One series at a time with a yield between, so a job of many series does not hold the event loop
    // (~10 ms a series of 2880 points); the job's run is not over yet, so no point is pushed meanwhile.
    const hash = createHash('sha256');
    const parts: string[] = [];
    let bodyBytes = 0;
    const add = (text: string) => {
      parts.push(text);
      hash.update(text, 'utf8');
      bodyBytes += Buffer.byteLength(text, 'utf8');
    };
    add(
      `{"dataUntil":${JSON.stringify(state.cursor)},"fittedAt":${JSON.stringify(toJson(state.fittedAt))},"series":[`,
    );
    for (const [i, slot] of state.slots.entries()) {
      const recorded = slot.stream instanceof RecordedStream ? slot.stream : null;
      const series: Body['series'][number] = {
        key: slot.key,
        labels: slot.labels,
        unit: slot.unit,
        lastTimestamp: toJson(slot.lastTimestamp),
        lastSeen: slot.lastSeen,
        announcedUntil: toJson(slot.announcedUntil),
        openStarts: [...slot.openStarts],
        stream: recorded ? null : slot.stream.snapshot(),
        ring: slot.ring.snapshot(),
        ...(slot.fallback ? { fallback: true } : {}),
        ...(recorded ? { neural: recorded.recorded() } : {}),
      };
      const failed = state.failedTrainings.get(slot.key);
      if (failed) series.failedTraining = failed;
      add((i > 0 ? ',' : '') + JSON.stringify(series));
      await yieldToEventLoop();
    }
    add(']}');
    const header: Header = {
      format: FORMAT,
      version: JOB_STATE_VERSION,
      job: this.spec.name,
      configHash: this.configHash,
      engine: ENGINE_VERSIONS,
      savedAt: now,
      dataUntil: state.cursor,
      series: state.slots.length,
      bodyBytes,
      bodySha256: hash.digest('hex'),
    };
    parts.unshift(`${JSON.stringify(header)}\n`);
    await writeFileAtomic(this.store.dir, this.path, parts);
    return header.series;
  }
}
