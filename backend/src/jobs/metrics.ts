/**
 * The jobs on /metrics. Everything is computed when Prometheus scrapes (collect/get), never pushed
 * from a timer, and lives on the Registry the service passes in.
 *
 * Per-series gauges carry `job`, `detector` and the series' own labels. prom-client fixes a Gauge's
 * label names at construction, but series labels differ from job to job, so SeriesGauge overrides
 * get() and renders its samples itself, each with its own label set; prom-client still formats and
 * escapes the exposition. A stale series keeps only trafficlens_suppressed and trafficlens_series_state
 * (its newest point is old); a series dropped after stale_after simply stops being rendered.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Episode } from '../contract/score.js';
import type { StreamPoint } from '../engine/index.js';
import { labelProblem, metricLabels } from './labels.js';
import type { JobStatus, LatestPoint, ScoringJob } from './job.js';
import { QUALITY_STATES } from './quality.js';
import { groupOf } from './incidents.js';
import type { Incident } from '../contract/incidents.js';

/** Moved to labels.ts (the jobs match maintenance windows against them too); exported here as before. */
export { metricLabels };

/** What the metrics read; JobManager provides it. */
export const SERIES_DROPPED = 'trafficlens_metrics_series_dropped_total';

/**
 * Series left out of /metrics so that the rest is served: `label_too_large` (a series whose labels
 * exceed the limits, labels.ts), `render_failed` (a metric that failed to render, all its series, api/metrics.ts).
 * One per registry, whoever asks first creates it.
 */
export function seriesDroppedCounter(registry: Registry): Counter<'metric' | 'reason'> {
  const existing = registry.getSingleMetric(SERIES_DROPPED);
  if (existing) return existing as Counter<'metric' | 'reason'>;
  return new Counter({
    name: SERIES_DROPPED,
    help: 'Series left out of /metrics scrapes so the rest could be served (label_too_large, render_failed), by metric',
    labelNames: ['metric', 'reason'],
    registers: [registry],
  });
}

export interface JobsView {
  jobList(): ScoringJob[];
  list(): JobStatus[];
}

type Sample = { labels: Record<string, string>; value: number };
type Point = Omit<StreamPoint, 'state'>;
type SeriesValue = (latest: LatestPoint) => number | null;

/**
 * A gauge of the newest point: not exported while the series is stale (its newest point is old; the
 * state gauge says stale), as it was not once the series was dropped.
 */
const current =
  (value: (p: Point) => number | null): SeriesValue =>
  ({ point, quality }) =>
    quality === 'stale' ? null : value(point);

const SERIES_GAUGES: [name: string, help: string, value: SeriesValue][] = [
  [
    'trafficlens_anomaly_score',
    'Anomaly score of the newest point of the series; 1 is the anomaly boundary at the job sensitivity',
    current((p) => p.score),
  ],
  [
    'trafficlens_value',
    'Newest point of the series as scored, in the series units (for a counter: its per-second rate)',
    current((p) => p.value),
  ],
  [
    'trafficlens_expected',
    'Value the detector expected for the newest point, in the series units',
    current((p) => p.expected),
  ],
  [
    'trafficlens_lower',
    'Lower bound of the normal band for the newest point, in the series units',
    current((p) => p.lower),
  ],
  [
    'trafficlens_upper',
    'Upper bound of the normal band for the newest point, in the series units',
    current((p) => p.upper),
  ],
  [
    'trafficlens_anomaly',
    '1 when the newest point of the series is anomalous (score >= 1) and no maintenance window suppresses it, else 0',
    current((p) => (p.anomaly ? 1 : 0)),
  ],
  [
    'trafficlens_suppressed',
    '1 while a maintenance window suppresses the series (its score is still exported; alert rules skip it), else 0',
    ({ suppressed }) => (suppressed ? 1 : 0),
  ],
];

const SERIES_STATE = 'trafficlens_series_state';

/** A series' metric labels plus a gauge's own (`state`); a series label of that name becomes exported_<name>. */
function withExtra(metric: Record<string, string>, extra: Record<string, string>): Record<string, string> {
  const out = { ...metric };
  for (const [name, value] of Object.entries(extra)) {
    if (name in out) {
      let renamed = `exported_${name}`;
      while (renamed in out) renamed = `exported_${renamed}`;
      out[renamed] = out[name];
    }
    out[name] = value;
  }
  return out;
}

class SeriesGauge extends Gauge<string> {
  constructor(
    name: string,
    help: string,
    registry: Registry,
    private readonly samples: () => Sample[],
  ) {
    super({ name, help, registers: [registry], aggregator: 'omit' });
  }

  override async get() {
    const base = await super.get();
    return { ...base, values: this.samples() };
  }
}

/** Register the job metrics on a registry, reading from the manager at each scrape. */
export function registerJobMetrics(registry: Registry, view: JobsView): void {
  const dropped = seriesDroppedCounter(registry);
  /** Samples of every series, `values` giving each its extra labels and values (none: left out). */
  const seriesSamples = (
    name: string,
    values: (latest: LatestPoint) => [extra: Record<string, string>, value: number][],
  ): Sample[] => {
    const out: Sample[] = [];
    for (const job of view.jobList()) {
      // Two label sets that sanitize to the same one would make the scrape fail: keep the first.
      const seen = new Set<string>();
      for (const latest of job.latest()) {
        const found = values(latest).filter(([, v]) => Number.isFinite(v));
        if (found.length === 0) continue;
        // Jobs admit no such series (job.ts); whatever else reaches here must not fail the scrape.
        if (labelProblem(latest.labels) !== null) {
          dropped.inc({ metric: name, reason: 'label_too_large' });
          continue;
        }
        const metric = metricLabels(job.name, job.spec.detector, latest.labels);
        const id = JSON.stringify(metric);
        if (seen.has(id)) continue;
        seen.add(id);
        for (const [extra, value] of found) out.push({ labels: withExtra(metric, extra), value });
      }
    }
    return out;
  };
  for (const [name, help, value] of SERIES_GAUGES) {
    new SeriesGauge(name, help, registry, () =>
      seriesSamples(name, (latest) => {
        const v = value(latest);
        return v === null ? [] : [[{}, v]];
      }),
    );
  }
  // One family for every quality state, 1 on the series' state: `== 1` alerts on it, `sum by (state)` counts.
  new SeriesGauge(
    SERIES_STATE,
    "1 on the series' data-quality state (ok, stale, gap, flatline; docs/jobs.md), 0 on the others; also while a maintenance window suppresses it",
    registry,
    () =>
      seriesSamples(SERIES_STATE, ({ quality }) =>
        QUALITY_STATES.map((state) => [{ state }, state === quality ? 1 : 0]),
      ),
  );

  // The open anomaly episode of each series, so that alert annotations can say what kind of anomaly it
  // is, since when, and what drove it (provisioning/prometheus/rules). results() from +Infinity holds no
  // points, only the episodes still open; a series a maintenance window suppresses now, or a stale one
  // (its score is not exported either), has none here. The gauges' own labels are prefixed
  // (episode_kind, not kind): series often have a `direction` or `kind` label of their own.
  const episodeSamples = (
    name: string,
    values: (episode: Episode) => [extra: Record<string, string>, value: number][],
  ): Sample[] => {
    const out: Sample[] = [];
    for (const job of view.jobList()) {
      const seen = new Set<string>();
      for (const series of job.results(Infinity, Infinity)) {
        const episode = series.episodes.find((e) => e.open);
        if (!episode || series.state === 'suppressed' || series.quality === 'stale') continue;
        if (labelProblem(series.labels) !== null) continue; // counted by the series gauges above
        const metric = metricLabels(job.name, job.spec.detector, series.labels);
        const id = JSON.stringify(metric);
        if (seen.has(id)) continue;
        seen.add(id);
        for (const [extra, value] of values(episode)) {
          if (Number.isFinite(value)) out.push({ labels: withExtra(metric, extra), value });
        }
      }
    }
    return out;
  };
  new SeriesGauge(
    'trafficlens_episode_start_timestamp_seconds',
    "Start of the series' open anomaly episode, with its episode_kind (spike, dip, level_shift, ...) and episode_direction (up, down)",
    registry,
    () =>
      episodeSamples('trafficlens_episode_start_timestamp_seconds', (e) => [
        [{ episode_kind: e.explanation.kind, episode_direction: e.direction }, e.start / 1000],
      ]),
  );
  new SeriesGauge(
    'trafficlens_episode_driver',
    "Share (0-1) of each detector feature (driver) in the explanation of the series' open anomaly episode",
    registry,
    () =>
      episodeSamples('trafficlens_episode_driver', (e) =>
        e.explanation.features.map((f) => [{ driver: f.name }, f.contribution]),
      ),
  );

  // Incidents across series (jobs/incidents.ts), one sample per group of every job with `groups:`,
  // labelled {job, <group label>}: 1 while the group has an open incident, so one alert fires per
  // incident (TrafficLensIncident), grouped by Alertmanager on the same labels.
  const incidentSamples = (value: (open: Incident | undefined) => number): Sample[] => {
    const out: Sample[] = [];
    for (const job of view.jobList()) {
      if (job.spec.groups.length === 0) continue;
      const groups = new Map<string, Record<string, string>>();
      for (const { labels } of job.latest()) {
        const group = groupOf(labels, job.spec.groups);
        if (group) groups.set(JSON.stringify(group), group);
      }
      const open = new Map<string, Incident>();
      for (const incident of job.incidents(Infinity, Infinity)) {
        const id = JSON.stringify(incident.group);
        if (!open.has(id)) open.set(id, incident);
        groups.set(id, incident.group);
      }
      for (const [id, group] of groups) {
        out.push({ labels: { job: job.name, ...group }, value: value(open.get(id)) });
      }
    }
    return out;
  };
  new SeriesGauge(
    'trafficlens_incident_open',
    "1 while the group (the job's first `groups` label) has an open incident: several of its series anomalous together, or the group abnormal as a whole; else 0",
    registry,
    () => incidentSamples((open) => (open ? 1 : 0)),
  );
  new SeriesGauge(
    'trafficlens_incident_members',
    "Anomalous series in the group's open incident (0 without one, or for a network-wide one no series shows alone)",
    registry,
    () => incidentSamples((open) => open?.members.length ?? 0),
  );
  new SeriesGauge(
    'trafficlens_incident_severity',
    "Worst severity (0-100) in the group's open incident, 0 without one",
    registry,
    () => incidentSamples((open) => open?.severity ?? 0),
  );

  const perJob = (
    kind: 'gauge' | 'counter',
    name: string,
    help: string,
    value: (s: JobStatus) => number | null,
  ): void => {
    const config = {
      name,
      help,
      labelNames: ['job'] as const,
      registers: [registry],
    };
    if (kind === 'gauge') {
      new Gauge({
        ...config,
        collect() {
          this.reset();
          for (const s of view.list()) {
            const v = value(s);
            if (v !== null) this.set({ job: s.name }, v);
          }
        },
      });
    } else {
      new Counter({
        ...config,
        collect() {
          this.reset();
          for (const s of view.list()) {
            const v = value(s);
            if (v !== null) this.inc({ job: s.name }, v);
          }
        },
      });
    }
  };
  const seconds = (ms: number | null) => (ms === null ? null : ms / 1000);
  perJob(
    'gauge',
    'trafficlens_job_last_run_timestamp_seconds',
    'Start of the last finished run of the job',
    (s) => seconds(s.lastRunAt),
  );
  perJob(
    'gauge',
    'trafficlens_job_last_success_timestamp_seconds',
    'Start of the last successful run of the job',
    (s) => seconds(s.lastSuccessAt),
  );
  perJob('gauge', 'trafficlens_job_run_duration_seconds', 'Duration of the last run of the job', (s) =>
    seconds(s.lastRunDurationMs),
  );
  perJob(
    'gauge',
    'trafficlens_job_interval_seconds',
    'Configured interval of the job (alert rules compare the time since the last success with it)',
    (s) => s.intervalMs / 1000,
  );
  perJob('gauge', 'trafficlens_job_series', 'Series the job currently scores', (s) => s.series);
  perJob(
    'gauge',
    'trafficlens_job_open_episodes',
    'Series of the job with an anomaly episode going on',
    (s) => s.openEpisodes,
  );
  new Gauge({
    name: 'trafficlens_job_models',
    help: 'Series of a job with a neural detector per state of their model (queued, training, ready, retraining, failed)',
    labelNames: ['job', 'state'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const s of view.list()) {
        if (!s.models) continue;
        for (const [state, n] of Object.entries(s.models.counts)) this.set({ job: s.name, state }, n);
      }
    },
  });
  new Counter({
    name: 'trafficlens_job_dropped_series_total',
    help: 'Series a job ignored, per fetch: max_series reached, or labels over the size limits',
    labelNames: ['job', 'reason'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const s of view.list()) {
        this.inc({ job: s.name, reason: 'max_series' }, s.droppedSeries);
        this.inc({ job: s.name, reason: 'labels_too_large' }, s.droppedLabelSeries);
      }
    },
  });
  perJob('counter', 'trafficlens_job_runs_total', 'Runs of the job, failed ones included', (s) => s.runs);
  perJob('counter', 'trafficlens_job_errors_total', 'Failed runs of the job', (s) => s.errors);
  perJob(
    'counter',
    'trafficlens_job_missed_runs_total',
    'Ticks skipped because the previous run was still going or the scheduler was late',
    (s) => s.missedRuns,
  );
  perJob('counter', 'trafficlens_job_points_scored_total', 'Points scored by the job', (s) => s.pointsScored);
}
