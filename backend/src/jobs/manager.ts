/**
 * Runs scoring jobs on their intervals (in the manner of vmalert's rule groups): each job starts after
 * a random jitter so jobs added together do not all hit the source at the same instant, then ticks on
 * a fixed grid. A tick that finds the previous run still going is skipped and counted as missed — runs
 * of one job never overlap — and ticks lost to a blocked event loop are counted too. Errors stay in the
 * job's health and the next tick simply tries again.
 */
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { ScoreParams, ScoringStream } from '../engine/index.js';
import type { PrometheusClient } from '../sources/prometheus/index.js';
import type { LabelMatcher, Source } from '../sources/source.js';
import {
  createSource,
  JOB_NEURAL_DETECTORS,
  JobConfigError,
  parseJobConfig,
  type JobConfigInput,
  type JobSpec,
} from './config.js';
import { JobModels, type JobModelServices } from './models.js';
import { ScoringJob, type JobSeriesResult, type JobStatus, type RunOutcome } from './job.js';
import { registerJobMetrics } from './metrics.js';
import type { ScrapeAhead } from './scrapeAhead.js';
import type { ShardConfig } from './shard.js';
import type { JobStateStore } from './persistence.js';
import { fixedWindows, StoredWindows, Suppression, type WindowProvider } from './suppression.js';
import { matches, type Labels } from '../contract/labels.js';
import type { FeedbackTable, SensitivitySettingsTable, WindowsTable } from '../store/index.js';
import { FeedbackEffects } from './feedback.js';
import { StoredSensitivity } from './settings.js';
import type { Incident } from '../contract/incidents.js';
import type { JobForecastsResponse } from '../contract/jobs.js';

export interface JobManagerOptions {
  logger: Logger;
  /** When given, the jobs' gauges and counters are registered on it (see metrics.ts). */
  registry?: Registry;
  /** Wall clock, epoch ms. Scheduling uses setTimeout, so a test clock must move with (fake) timers. */
  now?: () => number;
  /** Source of jitter in [0, 1) (default Math.random). */
  random?: () => number;
  /** Upper bound of the start jitter (default 5 s; never more than the job's interval). */
  maxJitterMs?: number;
  /** Passed to every job (tests inject a simple stream instead of the engine's). */
  createStream?: (params: ScoreParams) => ScoringStream;
  /** The server's Prometheus, for jobs whose source is a PromQL expression. */
  prometheus?: PrometheusClient | null;
  /** The model registry and training queue, for jobs with a neural detector. */
  models?: JobModelServices | null;
  /** Where the jobs' state is snapshotted across restarts (jobs/persistence.ts); absent: not persisted. */
  state?: JobStateStore | null;
  /** The store's maintenance windows (the API's), applied to every job besides each job's own. */
  windows?: WindowsTable | null;
  /** Operators' feedback on episodes (jobs/feedback.ts), applied to the job each record names. */
  feedback?: FeedbackTable | null;
  /** The store's sensitivity settings (the API's), applied to every job's series (jobs/settings.ts). */
  settings?: SensitivitySettingsTable | null;
  /** This replica's share of every job's series (jobs/shard.ts); absent: all of them. */
  shard?: ShardConfig | null;
}

/** Already validated (a jobs file is validated whole, with line numbers, before any job is added). */
function isSpec(config: JobConfigInput | JobSpec): config is JobSpec {
  return typeof (config as Partial<JobSpec>).intervalMs === 'number';
}

interface Runner {
  job: ScoringJob;
  timer: ReturnType<typeof setTimeout> | null;
  /** When the current tick was due. */
  dueAt: number;
  controller: AbortController;
  inflight: Promise<RunOutcome> | null;
}

export class JobManager {
  private readonly jobs = new Map<string, Runner>();
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly maxJitterMs: number;
  private readonly createStream?: (params: ScoreParams) => ScoringStream;
  private readonly prometheus: PrometheusClient | null;
  private readonly models: JobModelServices | null;
  private readonly state: JobStateStore | null;
  private readonly storedWindows: WindowProvider | null;
  private readonly feedback: FeedbackTable | null;
  private readonly storedSensitivity: StoredSensitivity | null;
  readonly shard: ShardConfig | null;
  private started = false;
  /** Prepares the next /metrics scrape after each run (jobs/scrapeAhead.ts); null without a registry. */
  readonly scrapeAhead: ScrapeAhead | null;

  constructor(options: JobManagerOptions) {
    this.logger = options.logger;
    this.now = options.now ?? (() => Date.now());
    this.random = options.random ?? Math.random;
    this.maxJitterMs = options.maxJitterMs ?? 5000;
    this.createStream = options.createStream;
    this.prometheus = options.prometheus ?? null;
    this.models = options.models ?? null;
    this.state = options.state ?? null;
    this.shard = options.shard ?? null;
    this.storedWindows = options.windows ? new StoredWindows(options.windows, this.logger) : null;
    this.feedback = options.feedback ?? null;
    this.storedSensitivity = options.settings ? new StoredSensitivity(options.settings, this.logger) : null;
    this.scrapeAhead = options.registry ? registerJobMetrics(options.registry, this) : null;
  }

  /** Validate a job config and add the job; the source defaults to the one its config names. */
  addJob(config: JobConfigInput | JobSpec, source?: Source): ScoringJob {
    const spec = isSpec(config) ? config : parseJobConfig(config);
    const job = new ScoringJob(spec, {
      source: source ?? createSource(spec.source, { prometheus: this.prometheus }),
      logger: this.logger,
      now: this.now,
      ...(this.createStream ? { createStream: this.createStream } : {}),
      models: this.jobModels(spec),
      state: this.state?.forJob(spec) ?? null,
      suppression: this.suppression(spec),
      feedback: this.feedback ? new FeedbackEffects(this.feedback, spec.name, this.logger, this.now) : null,
      sensitivity: this.storedSensitivity,
      shard: this.shard,
      capacitySource: this.capacitySource(spec),
    });
    this.add(job);
    return job;
  }

  /** Where a `forecast.capacity_expr` is read: the server's Prometheus; null without one (or without it). */
  private capacitySource(spec: JobSpec): Source | null {
    const capacity = spec.forecast?.capacity;
    if (capacity?.kind !== 'expr' || !this.prometheus) return null;
    return createSource({ type: 'prometheus', expr: capacity.expr }, { prometheus: this.prometheus });
  }

  /** The job's own windows and the store's; null when there are none to apply. */
  private suppression(spec: JobSpec): Suppression | null {
    const providers = [
      ...(spec.maintenance.length > 0 ? [fixedWindows(spec.maintenance)] : []),
      ...(this.storedWindows ? [this.storedWindows] : []),
    ];
    return providers.length > 0 ? new Suppression(providers) : null;
  }

  private jobModels(spec: JobSpec): JobModels | null {
    const detector = spec.detector;
    if (detector !== 'lstm' && detector !== 'autoencoder') return null;
    if (!this.models) {
      throw new JobConfigError(
        `detector ${detector} needs the model registry, which this process does not have`,
        [
          {
            path: 'detector',
            message: `use one of the statistical detectors, not ${JOB_NEURAL_DETECTORS.join(' or ')}`,
          },
        ],
      );
    }
    return new JobModels({
      job: spec.name,
      detector,
      stepMs: spec.stepMs,
      fitWindowMs: spec.fitWindowMs,
      fitEveryMs: spec.fitEveryMs,
      training: spec.training ?? {},
      services: this.models,
      logger: this.logger.child({ job: spec.name }),
      now: this.now,
    });
  }

  add(job: ScoringJob): void {
    if (this.jobs.has(job.name)) throw new Error(`a job named "${job.name}" already exists`);
    const runner: Runner = { job, timer: null, dueAt: 0, controller: new AbortController(), inflight: null };
    this.jobs.set(job.name, runner);
    if (this.started) this.schedule(runner);
  }

  get(name: string): ScoringJob | undefined {
    return this.jobs.get(name)?.job;
  }

  jobList(): ScoringJob[] {
    return [...this.jobs.values()].map((r) => r.job);
  }

  /** Start ticking every job (idempotent). */
  start(): void {
    if (this.started) return;
    this.started = true;
    for (const runner of this.jobs.values()) this.schedule(runner);
    this.logger.info({ jobs: [...this.jobs.keys()] }, `started ${this.jobs.size} scoring job(s)`);
  }

  /** Stop ticking, abort fetches in flight, wait for the runs to finish, then snapshot every job's state. */
  async stop(): Promise<void> {
    this.started = false;
    const inflight: Promise<unknown>[] = [];
    for (const runner of this.jobs.values()) {
      if (runner.timer) clearTimeout(runner.timer);
      runner.timer = null;
      runner.controller.abort(new Error('job manager stopping'));
      runner.controller = new AbortController();
      if (runner.inflight) inflight.push(runner.inflight);
    }
    await Promise.all(inflight);
    await Promise.all(this.jobList().map((job) => job.persist()));
  }

  /** Run one job once, now (dry runs, tests); a run already in progress makes this a counted miss. */
  async runOnce(name: string): Promise<RunOutcome> {
    const runner = this.jobs.get(name);
    if (!runner) throw new Error(`no job named "${name}"`);
    return this.launch(runner);
  }

  list(): JobStatus[] {
    return [...this.jobs.values()].map((r) => r.job.status());
  }

  /** Retained results of one job's series in [from, to]; undefined for an unknown job. */
  seriesResults(
    name: string,
    from?: number,
    to?: number,
    matchers: readonly LabelMatcher[] = [],
  ): JobSeriesResult[] | undefined {
    return this.jobs.get(name)?.job.results(from, to, matchers);
  }

  /** The labels of every series every job scores now (the windows API warns about matchers that match none). */
  seriesLabels(): Labels[] {
    return this.jobList().flatMap((job) => job.seriesLabels());
  }

  /**
   * The latest continuous forecasts of one job's series matching `matchers` (jobs/forecast.ts), with
   * the job's forecast settings; undefined for an unknown job, `forecast` null for a job without a
   * `forecast:` block.
   */
  forecasts(name: string, matchers: readonly LabelMatcher[] = []): JobForecastsResponse | undefined {
    const job = this.jobs.get(name)?.job;
    if (!job) return undefined;
    const f = job.forecasts;
    if (!f) return { job: name, forecast: null, series: [] };
    // Infinity (not within the horizon) is null in JSON's terms, said so in the contract.
    const within = (s: number) => (Number.isFinite(s) ? s : null);
    return {
      job: name,
      forecast: {
        horizonMs: f.spec.horizonMs,
        refreshMs: f.spec.refreshMs,
        fraction: f.spec.fraction,
        refreshedAt: f.lastRefreshAt,
        lastError: f.lastError,
      },
      series: f
        .all()
        .filter((r) => matches(r.labels, matchers))
        .map((r) => ({
          labels: { ...r.labels },
          state: r.state,
          atHorizon: r.atHorizon,
          capacity: r.capacity,
          secondsToThreshold: r.secondsToThreshold && {
            median: within(r.secondsToThreshold.median),
            upper: within(r.secondsToThreshold.upper),
          },
        })),
    };
  }

  /** The job's incidents (jobs/incidents.ts); undefined when there is no such job. */
  incidents(name: string, from?: number, to?: number): Incident[] | undefined {
    return this.jobs.get(name)?.job.incidents(from, to);
  }

  labelValues(name: string): Record<string, string[]> | undefined {
    return this.jobs.get(name)?.job.labelValues();
  }

  private schedule(runner: Runner): void {
    const interval = runner.job.spec.intervalMs;
    const jitter = Math.floor(this.random() * Math.min(interval, this.maxJitterMs));
    runner.dueAt = this.now() + jitter;
    this.arm(runner);
  }

  private arm(runner: Runner): void {
    const delay = Math.max(0, runner.dueAt - this.now());
    runner.timer = setTimeout(() => this.tick(runner), delay);
    // The HTTP server keeps the process alive; jobs alone should not (CLI runs, tests).
    runner.timer.unref?.();
  }

  private tick(runner: Runner): void {
    if (!this.started) return;
    const { job } = runner;
    const interval = job.spec.intervalMs;
    if (job.running) {
      // The first run backfills the whole fit window and is expected to outlast a few ticks.
      if (!job.backfilling) job.countMissed();
    } else {
      const late = Math.floor((this.now() - runner.dueAt) / interval);
      if (late > 0) {
        job.countMissed(late);
        runner.dueAt += late * interval;
      }
      void this.launch(runner);
    }
    runner.dueAt += interval;
    this.arm(runner);
  }

  private launch(runner: Runner): Promise<RunOutcome> {
    // A run in progress makes this one a counted miss (ScoringJob.run guards against overlap itself).
    if (runner.job.running) return runner.job.run();
    const run = runner.job.run(runner.controller.signal);
    runner.inflight = run;
    void run.finally(() => {
      if (runner.inflight === run) runner.inflight = null;
      // The run may have added series: their label text and the scrape's slabs, before the next scrape.
      // A failure only leaves that work to the scrape itself; it must not become an unhandled rejection.
      this.scrapeAhead?.prepare().catch((err: unknown) => {
        this.logger.warn(
          { err },
          'preparing the next /metrics scrape failed; the scrape renders what it needs itself',
        );
      });
    });
    return run;
  }
}
