/**
 * The one place that compiles a regex someone else wrote (label matchers from query strings and jobs
 * files). JavaScript's RegExp backtracks: `(.*.*)*X` against a 30-character label took minutes and
 * blocked the event loop, health checks and SIGTERM with it. RE2 (re2js, a pure-JS port: no native
 * build) matches in time linear in the input, as Prometheus' Go regexp does, so these are the
 * semantics a PromQL user expects: fully anchored, `.` matches a newline, no lookaround and no
 * backreferences (refused as a syntax error naming the construct).
 */
import { RE2JS, RE2JSException } from 're2js';

/**
 * Longest pattern accepted. Compiling is linear in the pattern too (~3 ms per 1,000 characters), and
 * a PromQL matcher is a few dozen; the bound keeps a config or URL of generated alternations cheap.
 */
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

/** Compiles a Prometheus label regex; throws RegexError saying what is wrong with it. */
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
