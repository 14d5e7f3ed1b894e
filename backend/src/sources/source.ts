/**
 * Where continuous jobs get their points. A source answers one question: the points of every series
 * matching some label matchers over a time range. It knows nothing about scoring, so a Prometheus
 * source (query_range) and the embedded simulator are interchangeable behind a job.
 */
import type { LabelMatcher, Labels } from '../contract/labels.js';

export {
  matches,
  parseMatcher,
  seriesKey,
  type LabelMatcher,
  type Labels,
  type MatchOp,
} from '../contract/labels.js';

/** One series as a source returns it: timestamps ascending, epoch ms; null marks a missing value. */
export interface SourceSeries {
  labels: Labels;
  timestamps: number[];
  values: (number | null)[];
  /** Grafana unit id of the values as a job scores them (a counter's: of its rate), when the source knows it. */
  unit?: string;
}

export interface FetchRequest {
  /** Inclusive start, epoch ms. */
  start: number;
  /** Inclusive end, epoch ms. */
  end: number;
  /** Resolution the caller wants, ms. Grid sources return points at multiples of it. */
  step: number;
  /** Series must match all of these; empty means every series the source has. */
  matchers: readonly LabelMatcher[];
  /** Aborted when the caller gives up (job timeout or shutdown); a source must then reject promptly. */
  signal?: AbortSignal;
  /**
   * The series the caller will keep (a sharded replica: the ones it owns). A source may leave the
   * others out as early as it can (Prometheus: before converting their samples); the caller filters
   * again, so a source may also ignore it.
   */
  keep?: (labels: Labels) => boolean;
}

export interface Source {
  /** Short name of the kind of source ("simulator", "prometheus", "fake"), shown in job health. */
  readonly kind: string;
  /**
   * Points with start <= timestamp <= end for every matching series. A series with no point in the range
   * may be left out: callers treat a series absent for long enough as gone.
   */
  fetch(request: FetchRequest): Promise<SourceSeries[]>;
}

/** Reject with the signal's reason if it is already aborted (for sources that do synchronous work). */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw signal.reason instanceof Error ? signal.reason : new Error('fetch aborted');
  }
}
