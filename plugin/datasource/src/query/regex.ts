/**
 * Label regexes (`=~`, `!~`) as the scorer and Prometheus run them: RE2 semantics (re2js, the library
 * and version the backend uses in backend/src/sources/regex.ts), fully anchored, `.` matching a
 * newline, no lookaround and no backreferences. RE2 matches in time linear in the input, so a hostile
 * pattern such as `(.*.*)*X` cannot hang the dashboard tab the way the browser's backtracking RegExp
 * does; and a pattern the editor accepts is one the scorer accepts.
 */
import { RE2JS, RE2JSException } from 're2js';

/** Longest pattern accepted; the scorer's limit (backend/src/sources/regex.ts), so both refuse alike. */
export const MAX_PATTERN_LENGTH = 4096;

/** A compiled, fully anchored label regex. */
export interface AnchoredRegex {
  /** true when the whole of `value` matches (Prometheus' `=~`). */
  test(value: string): boolean;
}

export class RegexError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RegexError';
  }
}

/** Compiles a Prometheus label regex; throws a RegexError saying what is wrong with it. */
export function compileAnchored(pattern: string): AnchoredRegex {
  if (pattern.length > MAX_PATTERN_LENGTH) {
    throw new RegexError(`regex is ${pattern.length} characters long; the limit is ${MAX_PATTERN_LENGTH}`);
  }
  let re: RE2JS;
  try {
    // testExact anchors both ends, so the pattern is never pasted into a wrapper it could close early.
    re = RE2JS.compile(pattern, RE2JS.DOTALL);
  } catch (err) {
    if (err instanceof RE2JSException) {
      // The DOTALL flag shows up as a "(?s)" prefix in the quoted pattern: not what the user wrote.
      throw new RegexError(err.message.replace('`(?s)', '`'));
    }
    throw err;
  }
  return { test: (value) => re.testExact(value) };
}
