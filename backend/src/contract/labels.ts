/**
 * The label-matcher language of the API, the jobs file and Prometheus: label sets, their canonical
 * key, and PromQL-style matchers (`=`, `!=`, `=~`, `!~`; regexes are RE2, fully anchored, regex.ts).
 */
import { compileAnchored, RegexError, type AnchoredRegex } from './regex.js';

/** Label name → value, as Prometheus has them. */
export type Labels = Record<string, string>;

export type MatchOp = '=' | '!=' | '=~' | '!~';

/** A PromQL-style label matcher. Regexes are RE2, fully anchored, as in PromQL (see regex.ts). */
export interface LabelMatcher {
  name: string;
  op: MatchOp;
  value: string;
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
