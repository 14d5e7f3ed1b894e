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
