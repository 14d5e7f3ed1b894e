/**
 * A series' labels as /metrics writes them (`job="edge",detector="auto",site="ams"`), rendered once per
 * series and kept while the series is.
 *
 * Why kept by labels object: a job keeps one labels object per series for the series' life (a slot's,
 * jobs/seriesTable.ts), and the scrape's walk, the open episodes and the forecasts all hand out that
 * object. A WeakMap on it renders each series once, and forgets it with the series: a series that is
 * dropped, or whose labels change (a new series, a new object), leaves nothing behind.
 */
import { labelProblem, metricLabels } from './labels.js';
import type { Labels } from '../sources/source.js';

/** A series' metric labels, rendered once per labels object and job. */
export interface SeriesLabels {
  job: string;
  detector: string;
  /** null: labels over the limits (labels.ts), never exported. */
  metric: Record<string, string> | null;
  /** The metric labels in the text format (`job="edge",detector="auto",site="ams"`). */
  text: string;
  /** The metric labels hold a name a family adds itself (`state`...), so such samples are rendered whole. */
  clashes: boolean;
}

/** What a job's series are exported under (a ScoringJob, or a test's stand-in). */
export interface ExportingJob {
  readonly name: string;
  readonly spec: { readonly detector: string };
}

/*
 * The text format is written by hand rather than by prom-client's formatter (jobs/metrics.ts says why).
 * The escaping and number format are prom-client's (registry.js escapeLabelValue, util.js
 * getValueAsString), so the bytes are the same as its own.
 */
export const escapeString = (s: string) => s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
const escapeLabelValue = (s: string) => escapeString(s).replace(/"/g, '\\"');
export const renderLabels = (labels: Record<string, string>) =>
  Object.entries(labels)
    .map(([name, value]) => `${name}="${escapeLabelValue(value)}"`)
    .join(',');

export class SeriesLabelTexts {
  private readonly cache = new WeakMap<Labels, SeriesLabels>();
  private renderedCount = 0;

  /** @param ownNames label names the families add themselves: a series label of such a name clashes. */
  constructor(private readonly ownNames: readonly string[]) {}

  /** Label sets rendered so far (a scrape after ScrapeAhead.prepare() renders none). */
  get rendered(): number {
    return this.renderedCount;
  }

  /** The series' labels as exported by `job`: kept, or rendered now and kept. */
  of(job: ExportingJob, labels: Labels): SeriesLabels {
    const hit = this.cache.get(labels);
    if (hit && hit.job === job.name && hit.detector === job.spec.detector) return hit;
    const metric = labelProblem(labels) === null ? metricLabels(job.name, job.spec.detector, labels) : null;
    const entry = {
      job: job.name,
      detector: job.spec.detector,
      metric,
      text: metric === null ? '' : renderLabels(metric),
      clashes: metric !== null && this.ownNames.some((n) => n in metric),
    };
    this.cache.set(labels, entry);
    this.renderedCount++;
    return entry;
  }
}
