import { compileAnchored, MAX_PATTERN_LENGTH, RegexError } from './regex.js';

describe('label regexes (RE2, as Prometheus)', () => {
  test('match the whole value, never a part of it', () => {
    expect(compileAnchored('transit-.*').test('transit-1')).toBe(true);
    expect(compileAnchored('transit').test('transit-1')).toBe(false);
    expect(compileAnchored('a|b').test('ab')).toBe(false);
    expect(compileAnchored('a|b').test('b')).toBe(true);
    expect(compileAnchored('').test('')).toBe(true);
  });

  test('. matches a newline, as with Go regexp under (?s)', () => {
    expect(compileAnchored('a.b').test('a\nb')).toBe(true);
  });

  test('a catastrophic-backtracking pattern completes on a long value', () => {
    // A backtracking engine needs ~4 s for 14 characters and 3.4× more per character: on 20,000 it would
    // never return and the test would time out (no timing assertion: speed belongs in the bench).
    const re = compileAnchored('(.*.*)*X');
    expect(re.test('a'.repeat(20_000))).toBe(false);
    expect(re.test(`${'a'.repeat(20_000)}X`)).toBe(true);
  });

  test.each([
    ['a lookahead', '(?=x)', 'invalid or unsupported Perl syntax'],
    ['a backreference', '(a)\\1', 'invalid escape sequence'],
    // The message quotes the pattern as written (without the "(?s)" the DOTALL flag adds).
    ['an unclosed group', '(abc', 'missing closing ): `(abc`'],
    ['a pattern closing the anchoring group', 'a)|(b', 'unexpected )'],
    ['a repeat over 1000', 'a{1001}', 'invalid repeat count'],
    [
      'a pattern over the length limit',
      'x'.repeat(MAX_PATTERN_LENGTH + 1),
      `the limit is ${MAX_PATTERN_LENGTH}`,
    ],
  ])('refuse %s, saying why', (_what, pattern, message) => {
    expect(() => compileAnchored(pattern)).toThrow(RegexError);
    expect(() => compileAnchored(pattern)).toThrow(message);
  });
});
