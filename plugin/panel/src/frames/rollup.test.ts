import { parseFrames } from './parse';
import { parseLevels, rollUp } from './rollup';
import { trafficLensFrame } from '../testing/frames';

/** A series of site/link/direction whose last point scores `score` (0.2: ok). */
const link = (site: string, name: string, direction: string, score = 0.2) =>
  trafficLensFrame(`${site} ${name} ${direction}`, {
    n: 41,
    spikeAt: score > 1 ? 40 : -1,
    spikeScore: score,
    labels: { site, link: name, direction },
  });

// ams: one critical (score 5) and one major (3) link direction; fra: two minor (1.5); nyc: quiet.
const { series } = parseFrames([
  link('nyc', 'transit-1', 'in'),
  link('fra', 'ix', 'in', 1.5),
  link('fra', 'ix', 'out', 1.5),
  link('fra', 'transit-1', 'in'),
  link('ams', 'transit-1', 'in', 5),
  link('ams', 'transit-1', 'out'),
  link('ams', 'ix', 'in', 3),
  link('ams', 'ix', 'out'),
]);
const LEVELS = ['site', 'link'];

describe('rollUp', () => {
  it('shows one tile per site, the worst first, with counts by severity', () => {
    const view = rollUp(series, LEVELS, []);
    expect(view.kind).toBe('groups');
    if (view.kind !== 'groups') {
      return;
    }
    expect(view.label).toBe('site');
    expect(
      view.tiles.map((t) => [t.title, t.status.status, t.counts, `${t.anomalous}/${t.members}`]),
    ).toEqual([
      ['site=ams', 'critical', { warning: 0, minor: 0, major: 1, critical: 1 }, '2/4'],
      ['site=fra', 'minor', { warning: 0, minor: 2, major: 0, critical: 0 }, '2/3'],
      ['site=nyc', 'ok', { warning: 0, minor: 0, major: 0, critical: 0 }, '0/1'],
    ]);
    expect(view.tiles[0].worst.name).toBe('ams transit-1 in');
  });

  it('opens a site into its links, then a link into its series', () => {
    const links = rollUp(series, LEVELS, ['ams']);
    expect(links.kind === 'groups' && links.tiles.map((t) => [t.title, t.status.status, t.members])).toEqual([
      ['link=transit-1', 'critical', 2],
      ['link=ix', 'major', 2],
    ]);
    const leaves = rollUp(series, LEVELS, ['ams', 'ix']);
    expect(leaves.kind === 'series' && leaves.tiles.map((t) => [t.series.name, t.status.status])).toEqual([
      ['ams ix in', 'major'],
      ['ams ix out', 'ok'],
    ]);
  });

  it('puts the group with more series at the worst band first when their worst alerts tie', () => {
    const { series: tied } = parseFrames([
      link('a', 'x', 'in', 1.5),
      link('b', 'x', 'in', 1.5),
      link('b', 'y', 'in', 1.5),
    ]);
    const view = rollUp(tied, ['site'], []);
    expect(view.kind === 'groups' && view.tiles.map((t) => t.title)).toEqual(['site=b', 'site=a']);
  });

  it('keeps series without the label in a group of their own', () => {
    const { series: mixed } = parseFrames([
      link('ams', 'ix', 'in'),
      trafficLensFrame('cpu', { spikeAt: -1, labels: { host: 'r1' } }),
    ]);
    const view = rollUp(mixed, ['site'], []);
    expect(view.kind === 'groups' && view.tiles.map((t) => t.title).sort()).toEqual([
      'site=(no site)',
      'site=ams',
    ]);
  });
});

describe('parseLevels', () => {
  it.each([
    ['site, link', ['site', 'link']],
    ['site > link', ['site', 'link']],
    ['site/link/site', ['site', 'link']],
    ['', []],
    [undefined, []],
  ])('%s → %j', (text, levels) => {
    expect(parseLevels(text)).toEqual(levels);
  });
});
