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
import type { StreamPoint } from '../engine/index.js';
import { metricLabels } from './labels.js';
import type { Labels } from '../sources/source.js';
import type { JobStatus, LatestPoint, ScoringJob } from './job.js';
import { QUALITY_STATES } from './quality.js';
import { groupOf } from './incidents.js';
import type { Incident } from '../contract/incidents.js';
import type { SeriesForecastResult } from './forecast.js';
import { Scrape, SlabPool, SlabWriter, type TextChunk } from './scrapeText.js';
import { escapeString, renderLabels, SeriesLabelTexts, type SeriesLabels } from './seriesLabelText.js';
import { ScrapeAhead } from './scrapeAhead.js';

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

const EPISODE_START = 'trafficlens_episode_start_timestamp_seconds';
const EPISODE_DRIVER = 'trafficlens_episode_driver';
/** Own label names of the series families: a series label of the same name is renamed (withExtra). */
const EXTRA_NAMES = ['state', 'episode_kind', 'episode_direction', 'driver'];

/*
 * The text format is written here rather than by prom-client's formatter: at 100,000 series the
 * formatter's per-sample label objects and strings were most of a scrape's time and garbage. The
 * escaping and number format are prom-client's (seriesLabelText.ts), so the bytes are the same as its
 * own; metrics.promtool.test.ts has Prometheus' parser read them.
 */
const renderValue = (v: number) =>
  Number.isNaN(v) ? 'Nan' : !Number.isFinite(v) ? (v < 0 ? '-Inf' : '+Inf') : `${v}`;

/**
 * One family's samples of a scrape, without a string per sample (at 200,000 series a scrape has 2.2
 * million samples; a rendered head each was most of a scrape's garbage, on a heap of several GiB): a
 * sample's label text is the series' own rendered labels (one string per series, shared by its
 * families), then its extra labels (`,state="ok"`: shared constants; '' for none), then its value. A
 * series whose labels clash with the gauge's own has its sample's whole label text in `labels`.
 */
interface FamilySamples {
  labels: string[];
  extras: string[];
  values: number[];
}
const noSamples = (): FamilySamples => ({ labels: [], extras: [], values: [] });

/**
 * Where one walk over the series puts each family's samples: as samples (prom-client's get()) or
 * straight into the family's text (the exposition: no sample outlives the walk but as bytes).
 */
interface Sink {
  add(family: string, labels: string, extra: string, value: number): void;
}

class SampleSink implements Sink {
  readonly families = new Map<string, FamilySamples>();
  add(family: string, labels: string, extra: string, value: number): void {
    let f = this.families.get(family);
    if (!f) this.families.set(family, (f = noSamples()));
    f.labels.push(labels);
    f.extras.push(extra);
    f.values.push(value);
  }
}

class TextSink implements Sink {
  readonly families = new Map<string, TextChunks>();
  constructor(private readonly writer: SlabWriter) {}
  add(family: string, labels: string, extra: string, value: number): void {
    let f = this.families.get(family);
    if (!f) this.families.set(family, (f = new TextChunks(`${family}{`, (text) => this.writer.encode(text))));
    f.sample(labels, extra, value);
  }
}

/**
 * Continuous forecasts (jobs/forecast.ts), per series of a job with `forecast:`, as of its last refresh:
 * the TrafficLensPredictedSaturation rule reads the seconds to the threshold (+Inf: not within the horizon).
 */
const FORECAST_GAUGES: [name: string, help: string, value: (r: SeriesForecastResult) => number | null][] = [
  [
    'trafficlens_forecast_value_at_horizon',
    "Median forecast of the series at the job's forecast horizon, in the series units (a counter's: its rate)",
    (r) => r.atHorizon?.mean ?? null,
  ],
  [
    'trafficlens_forecast_upper_at_horizon',
    "Upper end of the 95 % forecast interval at the job's forecast horizon, in the series units",
    (r) => r.atHorizon?.upper95 ?? null,
  ],
  [
    'trafficlens_forecast_capacity',
    "The series' capacity as the job's forecast reads it (a value, a label or a PromQL series), in the series units",
    (r) => r.capacity,
  ],
  [
    'trafficlens_forecast_seconds_to_threshold',
    'Seconds from the last point until the median forecast reaches the threshold share of the capacity; 0 already there; +Inf not within the horizon',
    (r) => r.secondsToThreshold?.median ?? null,
  ],
  [
    'trafficlens_forecast_upper_seconds_to_threshold',
    'The same for the upper end of the 95 % interval: the earliest the threshold is plausibly reached',
    (r) => r.secondsToThreshold?.upper ?? null,
  ],
];

/**
 * Characters of text per chunk: a chunk is encoded to UTF-8 as soon as it is this long, so a family's
 * text lives outside the heap and its strings die young. The walk writes 14 families' chunks at once:
 * at 256 Ki characters a family's rope lived across ~2,400 series and was promoted (100,000 series in
 * 1.9–2.0 s against 1.2–1.3 s at 32 Ki, `bench --scrape`; 8 Ki and 16 Ki no faster).
 */
const CHUNK_CHARS = 32 * 1024;

/**
 * A family's sample lines as UTF-8 chunks, each line after a newline (the family's HELP and TYPE lines
 * come before them). Hand-written: prom-client's formatter builds an object and a string per sample.
 */
class TextChunks {
  private pending = '';
  private readonly chunks: Uint8Array[] = [];
  constructor(
    private readonly open: string,
    private readonly encode: (text: string) => Uint8Array,
  ) {}

  sample(labels: string, extra: string, value: number): void {
    // One short rope per chunk, flattened once as it is encoded: an array of lines joined was slower.
    this.pending = `${this.pending}\n${this.open}${labels}${extra}} ${renderValue(value)}`;
    if (this.pending.length >= CHUNK_CHARS) this.flush();
  }

  finish(): Uint8Array[] {
    this.flush();
    return this.chunks;
  }

  private flush(): void {
    if (this.pending.length > 0) this.chunks.push(this.encode(this.pending));
    this.pending = '';
  }
}

class SeriesGauge extends Gauge<string> {
  /**
   * @param text the family's sample lines already as text, when its samples come from the walk over
   *   every series (TextSink); otherwise they are rendered from `samples`.
   */
  constructor(
    private readonly family: string,
    private readonly helpText: string,
    registry: Registry,
    private readonly samples: (name: string) => FamilySamples,
    private readonly text?: (name: string, scrape: Scrape) => Uint8Array[],
  ) {
    super({ name: family, help: helpText, registers: [registry], aggregator: 'omit' });
  }

  /** prom-client's path (registry.metrics()): each sample's rendered name and labels as its metricName. */
  override async get() {
    const base = await super.get();
    const { labels, extras, values } = this.samples(this.family);
    return {
      ...base,
      values: labels.map((text, i) => ({
        metricName: `${this.family}{${text}${extras[i]}}`,
        labels: {},
        value: values[i],
      })),
    };
  }

  /** The family in the text format, in chunks (api/metrics.ts writeMetrics); the same bytes as get(). */
  exposition(scrape = new Scrape()): TextChunk[] {
    const head = `# HELP ${this.family} ${escapeString(this.helpText)}\n# TYPE ${this.family} gauge`;
    if (this.text) return [head, ...this.text(this.family, scrape)];
    const { labels, extras, values } = this.samples(this.family);
    const lines = new TextChunks(`${this.family}{`, (text) => Buffer.from(text, 'utf8'));
    for (let i = 0; i < labels.length; i++) lines.sample(labels[i], extras[i], values[i]);
    return [head, ...lines.finish()];
  }
}

/** A value's characters in a scrape, about (a score's `1.2345678901234567`): ScrapeAhead's estimate. */
const VALUE_CHARS = 18;

/**
 * Register the job metrics on a registry, reading from the manager at each scrape. Returns what
 * prepares the next scrape between ticks (jobs/scrapeAhead.ts; JobManager asks for it after each run).
 */
export function registerJobMetrics(registry: Registry, view: JobsView): ScrapeAhead {
  const dropped = seriesDroppedCounter(registry);
  const seriesLabels = new SeriesLabelTexts(EXTRA_NAMES);
  const labelsOf = (job: ScoringJob, labels: Labels): SeriesLabels => seriesLabels.of(job, labels);
  /** Rendered once: the extra labels of the quality-state samples. */
  const stateExtras = new Map(QUALITY_STATES.map((state) => [state, `,${renderLabels({ state })}`]));

  // A series' lines in the gauges and the state family: `\n<family>{<labels><extra>} <value>` each.
  const seriesLines = SERIES_GAUGES.length + QUALITY_STATES.length;
  const seriesFixedBytes =
    SERIES_GAUGES.reduce((sum, [name]) => sum + name.length + 4 + VALUE_CHARS, 0) +
    [...stateExtras.values()].reduce((sum, extra) => sum + SERIES_STATE.length + 4 + extra.length + 1, 0);
  const slabs = new SlabPool();
  const ahead = new ScrapeAhead({
    jobs: () => view.jobList(),
    labels: seriesLabels,
    slabs,
    scrapeBytes: (s) => (s.metric === null ? 0 : seriesFixedBytes + seriesLines * s.text.length),
  });

  /**
   * Every series family in one walk over the series (job.eachLatest() and the open episodes once per
   * scrape, not once per family). A series that fails to render is left out and counted; the rest is
   * served.
   */
  const walk = <S extends Sink>(sink: S): S => {
    /** A sample: the series' labels, then the gauge's (`extra`, rendered; withExtra on a clash). */
    const push = (
      name: string,
      s: SeriesLabels,
      extra: string,
      value: number,
      own?: Record<string, string>,
    ) => {
      if (s.clashes && own !== undefined) sink.add(name, renderLabels(withExtra(s.metric!, own)), '', value);
      else sink.add(name, s.text, extra, value);
    };
    for (const job of view.jobList()) {
      // Two label sets that sanitize to the same one would make the scrape fail: keep the first.
      const seen = new Set<string>();
      const admitted = new Set<SeriesLabels>();
      job.eachLatest((latest) => {
        try {
          const s = labelsOf(job, latest.labels);
          if (s.metric === null) {
            for (const [name] of SERIES_GAUGES) dropped.inc({ metric: name, reason: 'label_too_large' });
            dropped.inc({ metric: SERIES_STATE, reason: 'label_too_large' });
            return;
          }
          if (seen.has(s.text)) return;
          seen.add(s.text);
          admitted.add(s);
          for (const [name, , value] of SERIES_GAUGES) {
            const v = value(latest);
            if (v !== null && Number.isFinite(v)) push(name, s, '', v);
          }
          for (const state of QUALITY_STATES) {
            push(SERIES_STATE, s, stateExtras.get(state)!, state === latest.quality ? 1 : 0, { state });
          }
        } catch {
          dropped.inc({ metric: SERIES_STATE, reason: 'render_failed' });
        }
      });
      for (const r of job.forecasts?.all() ?? []) {
        const s = labelsOf(job, r.labels);
        if (!admitted.has(s)) continue;
        for (const [name, , value] of FORECAST_GAUGES) {
          const v = value(r);
          // +Inf is kept: "not within the horizon" is a value an alert rule compares against.
          if (v !== null && !Number.isNaN(v)) push(name, s, '', v);
        }
      }
      // The open anomaly episode of each series, so that alert annotations can say what kind of anomaly
      // it is, since when, and what drove it (provisioning/prometheus/rules); a series a maintenance
      // window suppresses now, or a stale one, has none. The gauges' own labels are prefixed
      // (episode_kind, not kind): series often have a `direction` or `kind` label of their own.
      for (const { labels, episode: e } of job.openEpisodes()) {
        try {
          const s = labelsOf(job, labels);
          if (!admitted.has(s)) continue;
          const start = e.start / 1000;
          if (Number.isFinite(start)) {
            const own = { episode_kind: e.explanation.kind, episode_direction: e.direction };
            push(EPISODE_START, s, `,${renderLabels(own)}`, start, own);
          }
          for (const f of e.explanation.features) {
            const own = { driver: f.name };
            if (Number.isFinite(f.contribution))
              push(EPISODE_DRIVER, s, `,${renderLabels(own)}`, f.contribution, own);
          }
        } catch {
          dropped.inc({ metric: EPISODE_START, reason: 'render_failed' });
        }
      }
    }
    return sink;
  };

  // The families of one scrape share one walk: the first family asked computes it, each other family
  // takes it once; a family asked again (the next scrape) walks anew. The walk is also forgotten at the
  // next macrotask, so a family asked alone later never reads an old one. prom-client's path keeps
  // samples; the exposition's walk writes text into slabs lent until its scrape is written.
  const shared = <S extends Sink, T>(sink: (scrape: Scrape) => S, take: (s: S, name: string) => T) => {
    let current: { sink: S; scrape: Scrape; taken: Set<string> } | null = null;
    return (name: string, scrape: Scrape): T => {
      if (current === null || current.scrape !== scrape || current.taken.has(name)) {
        const fresh = { sink: walk(sink(scrape)), scrape, taken: new Set<string>() };
        current = fresh;
        setImmediate(() => {
          if (current === fresh) current = null;
        });
      }
      current.taken.add(name);
      return take(current.sink, name);
    };
  };
  const noScrape = new Scrape();
  const sampleWalk = shared(
    () => new SampleSink(),
    (s, name) => s.families.get(name) ?? noSamples(),
  );
  const samplesOf = (name: string) => sampleWalk(name, noScrape);
  const textOf = shared(
    (scrape) => new TextSink(new SlabWriter(slabs, scrape)),
    (s, name) => s.families.get(name)?.finish() ?? [],
  );

  for (const [name, help] of SERIES_GAUGES) new SeriesGauge(name, help, registry, samplesOf, textOf);
  // One family for every quality state, 1 on the series' state: `== 1` alerts on it, `sum by (state)` counts.
  new SeriesGauge(
    SERIES_STATE,
    "1 on the series' data-quality state (ok, stale, gap, flatline; docs/jobs.md), 0 on the others; also while a maintenance window suppresses it",
    registry,
    samplesOf,
    textOf,
  );
  new SeriesGauge(
    EPISODE_START,
    "Start of the series' open anomaly episode, with its episode_kind (spike, dip, level_shift, ...) and episode_direction (up, down)",
    registry,
    samplesOf,
    textOf,
  );
  for (const [name, help] of FORECAST_GAUGES) new SeriesGauge(name, help, registry, samplesOf, textOf);
  new SeriesGauge(
    EPISODE_DRIVER,
    "Share (0-1) of each detector feature (driver) in the explanation of the series' open anomaly episode",
    registry,
    samplesOf,
    textOf,
  );

  // Incidents across series (jobs/incidents.ts), one sample per group of every job with `groups:`,
  // labelled {job, <group label>}: 1 while the group has an open incident, so one alert fires per
  // incident (TrafficLensIncident), grouped by Alertmanager on the same labels.
  const incidentSamples = (name: string, value: (open: Incident | undefined) => number): FamilySamples => {
    const out = noSamples();
    for (const job of view.jobList()) {
      if (job.spec.groups.length === 0) continue;
      const groups = new Map<string, Record<string, string>>();
      job.eachLatest(({ labels }) => {
        const group = groupOf(labels, job.spec.groups);
        if (group) groups.set(JSON.stringify(group), group);
      });
      const open = new Map<string, Incident>();
      for (const incident of job.incidents(Infinity, Infinity)) {
        const id = JSON.stringify(incident.group);
        if (!open.has(id)) open.set(id, incident);
        groups.set(id, incident.group);
      }
      for (const [id, group] of groups) {
        out.labels.push(renderLabels({ job: job.name, ...group }));
        out.extras.push('');
        out.values.push(value(open.get(id)));
      }
    }
    return out;
  };
  new SeriesGauge(
    'trafficlens_incident_open',
    "1 while the group (the job's first `groups` label) has an open incident: several of its series anomalous together, or the group abnormal as a whole; else 0",
    registry,
    (name) => incidentSamples(name, (open) => (open ? 1 : 0)),
  );
  new SeriesGauge(
    'trafficlens_incident_members',
    "Anomalous series in the group's open incident (0 without one, or for a network-wide one no series shows alone)",
    registry,
    (name) => incidentSamples(name, (open) => open?.members.length ?? 0),
  );
  new SeriesGauge(
    'trafficlens_incident_severity',
    "Worst severity (0-100) in the group's open incident, 0 without one",
    registry,
    (name) => incidentSamples(name, (open) => open?.severity ?? 0),
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
  const forecastGauge = (name: string, help: string, value: (job: ScoringJob) => number | null) =>
    new Gauge({
      name,
      help,
      labelNames: ['job'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const job of view.jobList()) {
          const v = job.forecasts ? value(job) : null;
          if (v !== null) this.set({ job: job.name }, v);
        }
      },
    });
  forecastGauge(
    'trafficlens_forecast_threshold_ratio',
    "Share of the capacity the job's forecast threshold is at (forecast.threshold, default 0.8)",
    (job) => job.spec.forecast!.fraction,
  );
  forecastGauge(
    'trafficlens_forecast_horizon_seconds',
    "How far ahead the job's forecasts reach",
    (job) => job.spec.forecast!.horizonMs / 1000,
  );
  forecastGauge(
    'trafficlens_forecast_last_refresh_timestamp_seconds',
    "When the job's forecasts were last refreshed (every forecast.refresh)",
    (job) => seconds(job.forecasts!.lastRefreshAt),
  );
  forecastGauge(
    'trafficlens_forecast_refresh_failed',
    "1 when the job's last forecast refresh hit a problem (its capacity query failed, a series could not be forecast; logged), else 0",
    (job) => (job.forecasts!.lastError === null ? 0 : 1),
  );
  forecastGauge(
    'trafficlens_forecast_refresh_duration_seconds',
    "Duration of the job's last forecast refresh",
    (job) => seconds(job.forecasts!.lastDurationMs),
  );
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
  return ahead;
}
