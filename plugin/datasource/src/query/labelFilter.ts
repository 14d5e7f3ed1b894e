/**
 * Label matchers that pick series out of a continuous job, in Prometheus' selector syntax:
 * `{site="ams", link=~"transit-.*", direction!="out"}` (braces optional, values may be unquoted).
 * Same semantics as Prometheus: regexes are RE2, fully anchored (./regex.ts), and a missing label
 * matches the empty string. The datasource sends the matchers to the scorer, which filters a job's
 * series; parsing here checks them first (an invalid regex is refused with the scorer's own error),
 * and matchesLabels applies them to series the browser already has.
 */
import { compileAnchored, RegexError, type AnchoredRegex } from './regex.gen';

export type MatchOp = '=' | '!=' | '=~' | '!~';

export interface LabelMatcher {
  name: string;
  op: MatchOp;
  value: string;
}

export type LabelFilter = { ok: true; matchers: LabelMatcher[] } | { ok: false; error: string };

const NAME = /[A-Za-z_][A-Za-z0-9_]*/y;
const OP = /=~|!~|!=|=/y;
const UNQUOTED = /[^,}\s"'`]+/y;
const SPACE = /\s*/y;

function fail(text: string, position: number, what: string): LabelFilter {
  const near = text.slice(position, position + 20);
  return {
    ok: false,
    error: `label filter: ${what} at position ${position + 1}${near ? ` (near "${near}")` : ''}`,
  };
}

/** Parses a matcher list; an empty text selects every series. */
export function parseLabelFilter(text: string | undefined): LabelFilter {
  const src = text ?? '';
  let pos = 0;
  const sticky = (re: RegExp): string | undefined => {
    re.lastIndex = pos;
    const m = re.exec(src);
    if (!m) {
      return undefined;
    }
    pos = re.lastIndex;
    return m[0];
  };
  const skipSpace = () => sticky(SPACE);

  skipSpace();
  const braced = src[pos] === '{';
  if (braced) {
    pos++;
  }
  const matchers: LabelMatcher[] = [];
  for (;;) {
    skipSpace();
    if (pos >= src.length || (braced && src[pos] === '}')) {
      break;
    }
    const name = sticky(NAME);
    if (!name) {
      return fail(src, pos, 'expected a label name');
    }
    skipSpace();
    const op = sticky(OP) as MatchOp | undefined;
    if (!op) {
      return fail(src, pos, `expected =, !=, =~ or !~ after "${name}"`);
    }
    skipSpace();
    let value: string | undefined;
    const quote = src[pos];
    if (quote === '"' || quote === "'" || quote === '`') {
      const start = pos;
      let out = '';
      pos++;
      while (pos < src.length && src[pos] !== quote) {
        // Backslash escapes only the quote and itself, so regexes such as "\d+" keep their backslash.
        if (src[pos] === '\\' && (src[pos + 1] === quote || src[pos + 1] === '\\')) {
          pos++;
        }
        out += src[pos];
        pos++;
      }
      if (pos >= src.length) {
        return fail(src, start, 'unterminated string');
      }
      pos++;
      value = out;
    } else {
      value = sticky(UNQUOTED);
      if (value === undefined) {
        return fail(src, pos, `expected a value after "${name}${op}"`);
      }
    }
    if (op === '=~' || op === '!~') {
      try {
        regexOf(value);
      } catch (err) {
        if (!(err instanceof RegexError)) {
          throw err;
        }
        return { ok: false, error: `label filter: invalid regex for ${name}: ${err.message}` };
      }
    }
    matchers.push({ name, op, value });
    skipSpace();
    if (src[pos] === ',') {
      pos++;
      continue;
    }
    if (pos >= src.length || (braced && src[pos] === '}')) {
      break;
    }
    return fail(src, pos, 'expected "," between matchers');
  }
  if (braced) {
    if (src[pos] !== '}') {
      return fail(src, pos, 'expected "}"');
    }
    pos++;
    skipSpace();
  }
  if (pos < src.length) {
    return fail(src, pos, 'unexpected text after the matchers');
  }
  return { ok: true, matchers };
}

/** A matcher written back in the scorer's query syntax (`name op "value"`, the value JSON-escaped). */
export function formatMatcher(m: LabelMatcher): string {
  return `${m.name}${m.op}${JSON.stringify(m.value)}`;
}

/** Compiled patterns, so that filtering many series compiles each pattern once (bounded: patterns are user input). */
const compiled = new Map<string, AnchoredRegex>();
const MAX_COMPILED = 256;

function regexOf(pattern: string): AnchoredRegex {
  let re = compiled.get(pattern);
  if (!re) {
    re = compileAnchored(pattern);
    if (compiled.size >= MAX_COMPILED) {
      compiled.clear();
    }
    compiled.set(pattern, re);
  }
  return re;
}

/** True when the labels satisfy every matcher (a matcher with an invalid regex throws a RegexError). */
export function matchesLabels(labels: Record<string, string>, matchers: readonly LabelMatcher[]): boolean {
  return matchers.every((m) => {
    const actual = labels[m.name] ?? '';
    switch (m.op) {
      case '=':
        return actual === m.value;
      case '!=':
        return actual !== m.value;
      case '=~':
        return regexOf(m.value).test(actual);
      case '!~':
        return !regexOf(m.value).test(actual);
    }
  });
}
