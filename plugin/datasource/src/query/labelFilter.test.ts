import { matchesLabels, parseLabelFilter, type LabelMatcher } from './labelFilter';

const labels = { metric: 'interface_bytes_per_second', site: 'ams', link: 'transit-1', direction: 'in' };

function matchers(text: string): LabelMatcher[] {
  const parsed = parseLabelFilter(text);
  if (!parsed.ok) {
    throw new Error(parsed.error);
  }
  return parsed.matchers;
}

describe('parseLabelFilter', () => {
  it.each([
    ['', []],
    ['   ', []],
    ['{}', []],
    ['site="ams"', [{ name: 'site', op: '=', value: 'ams' }]],
    ['{site="ams"}', [{ name: 'site', op: '=', value: 'ams' }]],
    [
      ' { site != "fra" , link=~"transit-.*" } ',
      [
        { name: 'site', op: '!=', value: 'fra' },
        { name: 'link', op: '=~', value: 'transit-.*' },
      ],
    ],
    [
      'site=ams, direction!~out',
      [
        { name: 'site', op: '=', value: 'ams' },
        { name: 'direction', op: '!~', value: 'out' },
      ],
    ],
    ["site='a,b'", [{ name: 'site', op: '=', value: 'a,b' }]],
    ['site="say \\"hi\\""', [{ name: 'site', op: '=', value: 'say "hi"' }]],
    ['link=~"transit-\\d+"', [{ name: 'link', op: '=~', value: 'transit-\\d+' }]],
    ['site="ams",', [{ name: 'site', op: '=', value: 'ams' }]],
  ])('parses %j', (text, expected) => {
    expect(parseLabelFilter(text)).toEqual({ ok: true, matchers: expected });
  });

  it.each([
    ['site', 'expected =, !=, =~ or !~ after "site" at position 5'],
    ['site="ams" link="x"', 'expected "," between matchers at position 12'],
    ['{site="ams"', 'expected "}" at position 12'],
    ['site="ams', 'unterminated string at position 6'],
    ['1site="x"', 'expected a label name at position 1'],
    ['site=', 'expected a value after "site=" at position 6'],
    ['{site="ams"} extra', 'unexpected text after the matchers at position 14'],
    ['link=~"(unclosed"', 'invalid regex for link'],
  ])('refuses %j, naming the position', (text, message) => {
    const parsed = parseLabelFilter(text);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.error).toContain(message);
  });
});

describe('matchesLabels', () => {
  it.each([
    ['', true],
    ['site="ams"', true],
    ['site="fra"', false],
    ['site!="fra"', true],
    ['link=~"transit-.*"', true],
    ['link=~"transit"', false], // anchored, as in Prometheus
    ['link!~"ix|transit-2"', true],
    ['site="ams", direction="out"', false],
    ['missing=""', true], // a missing label matches the empty string
    ['missing!=""', false],
    ['missing=~".*"', true],
  ])('%j → %s', (text, expected) => {
    expect(matchesLabels(labels, matchers(text))).toBe(expected);
  });
});

describe('regexes: RE2, as the scorer and Prometheus run them', () => {
  it('a catastrophic pattern completes (linear time), with the anchored result', () => {
    // The browser's RegExp backtracks exponentially here: at 40 characters it would never return.
    const long = { metric: 'interface_bytes_per_second_' + 'a'.repeat(40) };
    expect(matchesLabels(long, matchers('metric=~"(.*.*)*X"'))).toBe(false);
    expect(matchesLabels(long, matchers('metric!~"(.*.*)*X"'))).toBe(true);
    expect(matchesLabels(long, matchers('metric=~"(.*.*)*a"'))).toBe(true);
  });

  it('accepts RE2 syntax the browser does not know', () => {
    expect(matchesLabels(labels, matchers('link=~"(?P<kind>transit)-1"'))).toBe(true);
  });

  it.each([
    [
      'lookahead',
      'link=~"(?=t)transit-1"',
      'invalid regex for link: error parsing regexp: invalid or unsupported Perl syntax: `(?=`',
    ],
    [
      'a backreference',
      'link=~"(t)\\\\1"',
      'invalid regex for link: error parsing regexp: invalid escape sequence: `\\1`',
    ],
    [
      'an unclosed group',
      'link=~"(unclosed"',
      'invalid regex for link: error parsing regexp: missing closing ): `(unclosed`',
    ],
    [
      'a pattern over 4096 characters',
      `link=~"${'a'.repeat(4097)}"`,
      'invalid regex for link: regex is 4097 characters long; the limit is 4096',
    ],
  ])('refuses %s as the scorer does, saying why', (_what, text, message) => {
    const parsed = parseLabelFilter(text);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.error).toBe(`label filter: ${message}`);
  });

  it('is fully anchored, and . matches a newline (Prometheus sets s)', () => {
    expect(matchesLabels({ a: 'x\ny' }, matchers('a=~"x.y"'))).toBe(true);
    expect(matchesLabels({ a: 'xy' }, matchers('a=~"x|xy"'))).toBe(true);
    expect(matchesLabels({ a: 'axb' }, matchers('a=~"x"'))).toBe(false);
  });
});
