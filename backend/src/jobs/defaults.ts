/**
 * The jobs the service runs when it is given no job config: the embedded simulator, scored
 * continuously, so `npm start` shows anomalies, /metrics gauges and job health with nothing else set up.
 *
 * The accelerated clock: the simulator runs SPEED (10) times faster than the wall clock while every
 * timestamp stays real. A point every 6 s of wall time is a point every simulated minute; a simulated
 * day (one daily cycle) passes in 2.4 hours and an incident comes every 12 minutes (one per two
 * simulated hours). Timestamps are never in the future, so Grafana's "last 6 hours" and Prometheus
 * scrapes see the data where they expect it, and incidents last minutes of wall time (a DDoS: 2 min),
 * long enough for a 15 s scrape and an alert rule's `for:` to see them. Only the *meaning* of time is
 * compressed: the detectors see 1440 points per daily cycle, as they would at a 1-minute step.
 *
 * At start each job backfills five simulated days (7,200 points, the last 12 hours of wall time), so
 * detectors are past their learning period and the two days the dashboards show are scored by a daily
 * profile that has seen three cycles; the log lists the anomalies found in that history.
 */
import type { ShardConfig } from './shard.js';
import { DEFAULT_SENSITIVITY } from '../contract/sensitivity.js';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { ScoreParams, ScoringStream } from '../engine/index.js';
import type { PrometheusClient } from '../sources/prometheus/index.js';
import type { JobModelServices } from './models.js';
import type { FeedbackTable, SensitivitySettingsTable, WindowsTable } from '../store/index.js';
import type { JobStateStore } from './persistence.js';
import type { JobConfigInput } from './config.js';
import { JobManager } from './manager.js';

/** Simulated seconds per wall-clock second in the default jobs. */
export const SIMULATOR_SPEED = 10;
const SIMULATED_MINUTE_MS = 60_000 / SIMULATOR_SPEED;
const SIMULATED_DAY_MS = 24 * 60 * SIMULATED_MINUTE_MS;

const common = {
  detector: 'auto',
  sensitivity: DEFAULT_SENSITIVITY,
  interval: '15s',
  step: SIMULATED_MINUTE_MS,
  // Two days were not enough: the shown days were the daily profile's first two, the first scored without
  // it (a backfill that began on a flat night read its first morning as a level shift).
  fit_window: 5 * SIMULATED_DAY_MS,
  // More than a jobs file's default (720): a few series, and the demo dashboards show the last hours of
  // wall time, 2,880 simulated minutes = 4.8 h.
  retention: 2880,
  // The adaptation horizon is measured on timestamps, which stay real: one simulated day, as a job at a
  // real 1-minute step gets by default (1d), not ten.
  // The day is set, not detected: its length in points is exact (1,440 simulated minutes), and a detected
  // one is not snapped to it (the snap is to a day of real time): found, it came out 1,366–1,502 points,
  // and a profile an hour off a day drifts through its own cycles.
  options: { acceptNewLevelAfter: `${(24 * 60) / SIMULATOR_SPEED}m`, period: 24 * 60 },
} as const;

/** The default job configs (exported so docs and tests show exactly what runs). */
export const DEFAULT_JOB_CONFIGS: readonly JobConfigInput[] = [
  {
    ...common,
    name: 'simulator',
    source: { type: 'simulator', seed: 42, speed: SIMULATOR_SPEED, kinds: ['traffic', 'http'] },
  },
  {
    // Byte counters with occasional resets: exercises the engine's counter handling. One site keeps it small.
    ...common,
    name: 'simulator-counters',
    source: { type: 'simulator', seed: 42, speed: SIMULATOR_SPEED, kinds: ['counters'] },
    filters: ['site="ams"'],
    options: { ...common.options, counter: true },
  },
];

export interface DefaultJobsOptions {
  logger: Logger;
  registry?: Registry;
  now?: () => number;
  createStream?: (params: ScoreParams) => ScoringStream;
  prometheus?: PrometheusClient | null;
  models?: JobModelServices | null;
  state?: JobStateStore | null;
  windows?: WindowsTable | null;
  feedback?: FeedbackTable | null;
  settings?: SensitivitySettingsTable | null;
  shard?: ShardConfig | null;
}

/** A JobManager holding the default simulator jobs, not yet started (call start()). */
export function createDefaultJobs(options: DefaultJobsOptions): JobManager {
  const manager = new JobManager(options);
  for (const config of DEFAULT_JOB_CONFIGS) manager.addJob(config);
  return manager;
}
