import { defaultSeriesName, formatLegend, uniqueNames } from './legend';

describe('defaultSeriesName', () => {
  it.each([
    [{ __name__: 'up', job: 'x' }, 'up{job="x"}'],
    [
      { metric: 'interface_bytes_per_second', site: 'ams', link: 'ix' },
      'interface_bytes_per_second{site="ams", link="ix"}',
    ],
    [{ metric: 'up' }, 'up'],
    [{ site: 'ams' }, '{site="ams"}'],
    [{}, '{}'],
  ])('%j → %s', (labels, name) => {
    expect(defaultSeriesName(labels)).toBe(name);
  });
});

describe('formatLegend', () => {
  const labels = { site: 'ams', link: 'transit-1' };
  it.each([
    ['{{site}} {{link}}', 'ams transit-1'],
    ['{{ site }}/{{missing}}', 'ams/'],
    ['plain', 'plain'],
    ['', '{site="ams", link="transit-1"}'],
    [undefined, '{site="ams", link="transit-1"}'],
    ['  ', '{site="ams", link="transit-1"}'],
  ])('%j → %s', (format, name) => {
    expect(formatLegend(format, labels)).toBe(name);
  });
});

describe('uniqueNames', () => {
  it('numbers repeated names from the second one on', () => {
    expect(uniqueNames(['a', 'b', 'a', 'a'])).toEqual(['a', 'b', 'a (2)', 'a (3)']);
  });
});
