/**
 * Where continuous jobs get their points. A source answers one question: the points of every series
 * matching some label matchers over a time range. It knows nothing about scoring, so a Prometheus
 * source (query_range) and the embedded simulator are interchangeable behind a job.
 */
import { compileAnchored, RegexError, type AnchoredRegex } from './regex.js';

/** Label name → value, as Prometheus has them. */
export type Labels = Record<string, string>;

/** One series as a source returns it: timestamps ascending, epoch ms; null marks a missing value. */
export interface SourceSeries {
  labels: Labels;
  timestamps: number[];
  values: (number | null)[];
  /** Grafana unit id of the values as a job scores them (a counter's: of its rate), when the source knows it. */
  unit?: string;
}

export type MatchOp = '=' | '!=' | '=~' | '!~';

/** A PromQL-style label matcher. Regexes are RE2, fully anchored, as in PromQL (see regex.ts). */
export interface LabelMatcher {
  name: string;
  op: MatchOp;
  value: string;
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

/** Canonical identity of a label set: sorted name="value" pairs. */
export function seriesKey(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((name) => `${name}=${JSON.stringify(labels[name])}`)
    .join(',');
}

const matcherCache = new WeakMap<LabelMatcher, AnchoredRegex>();

function anchored(matcher: LabelMatcher): AnchoredRegex {
  let re = matcherCache.get(matcher);
  if (!re) {
    re = compileAnchored(matcher.value);
    matcherCache.set(matcher, re);
  }
  return re;
}

/** PromQL semantics: a label that is absent matches as the empty string. */
export function matches(labels: Labels, matchers: readonly LabelMatcher[]): boolean {
  for (const m of matchers) {
    const actual = labels[m.name] ?? '';
    switch (m.op) {
      case '=':
        if (actual !== m.value) return false;
        break;
      case '!=':
        if (actual === m.value) return false;
        break;
      case '=~':
        if (!anchored(m).test(actual)) return false;
        break;
      case '!~':
        if (anchored(m).test(actual)) return false;
        break;
    }
  }
  return true;
}

const MATCHER_RE = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"\s*$/;

/**
 * Parse one matcher written as in PromQL: `site="ams"`, `link=~"transit-.*"`. Returns an error message
 * (naming the matcher) rather than throwing, so config validation can report every bad one.
 */
export function parseMatcher(text: string): LabelMatcher | string {
  const m = MATCHER_RE.exec(text);
  if (!m) return `matcher ${JSON.stringify(text)} is not of the form name="value" (ops =, !=, =~, !~)`;
  let value: string;
  try {
    value = JSON.parse(`"${m[3]}"`) as string;
  } catch {
    return `matcher ${JSON.stringify(text)} has an invalid escape in its value (write a backslash as \\\\)`;
  }
  const matcher: LabelMatcher = { name: m[1], op: m[2] as MatchOp, value };
  if (matcher.op === '=~' || matcher.op === '!~') {
    try {
      anchored(matcher);
    } catch (err) {
      if (!(err instanceof RegexError)) throw err;
      return `matcher ${JSON.stringify(text.slice(0, 200))} has an invalid regex: ${err.message}`;
    }
  }
  return matcher;
}

/** Reject with the signal's reason if it is already aborted (for sources that do synchronous work). */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw signal.reason instanceof Error ? signal.reason : new Error('fetch aborted');
  }
}
