import { parseFrames } from './parse';
import { buildTiles, tileNames, wallGrid } from './wall';
import { trafficLensFrame } from '../testing/frames';

describe('buildTiles', () => {
  const frames = [
    trafficLensFrame('quiet', { spikeAt: -1, labels: { site: 'ams', link: 'quiet' } }),
    trafficLensFrame('critical', { n: 41, spikeAt: 40, labels: { site: 'fra', link: 'critical' } }),
    trafficLensFrame('learning', {
      state: 'learning',
      spikeAt: -1,
      labels: { site: 'ams', link: 'learning' },
    }),
  ];
  const { series } = parseFrames(frames);

  it('puts the worst series first', () => {
    expect(buildTiles(series).map((t) => [t.title, t.status.status])).toEqual([
      ['fra critical', 'critical'],
      ['ams quiet', 'ok'],
      ['ams learning', 'learning'],
    ]);
  });

  it('groups by a label, showing the worst member', () => {
    const tiles = buildTiles(series, 'site');
    expect(tiles.map((t) => [t.title, t.members, t.anomalous, t.series.name])).toEqual([
      ['site=fra', 1, 1, 'critical'],
      ['site=ams', 2, 0, 'quiet'],
    ]);
  });
});

describe('wallGrid', () => {
  it('fits 37 tiles on one 1080p page', () => {
    const g = wallGrid(37, 1920, 1080, 280);
    expect(g.pages).toBe(1);
    expect(g.columns * g.rows).toBeGreaterThanOrEqual(37);
    expect(g.tileWidth).toBeGreaterThanOrEqual(280);
  });

  it('makes tiles larger on 4K', () => {
    expect(wallGrid(37, 3840, 2160, 280).tileWidth).toBeGreaterThan(
      wallGrid(37, 1920, 1080, 280).tileWidth * 1.5,
    );
  });

  it('pages 200 tiles on 1080p', () => {
    const g = wallGrid(200, 1920, 1080, 280);
    expect(g.pages).toBeGreaterThan(1);
    expect(g.perPage * g.pages).toBeGreaterThanOrEqual(200);
  });
});

describe('tileNames', () => {
  const s = (name: string, labels: Record<string, string> = {}) => ({ name, labels });

  it('keeps the labels that tell series apart, the metric last, and drops the labels they share', () => {
    const series = [
      s('ams transit-1 in interface bytes per second', {
        metric: 'interface_bytes_per_second',
        job: 'snmp',
        site: 'ams',
        link: 'transit-1',
        direction: 'in',
      }),
      s('fra transit-1 in interface bytes per second', {
        metric: 'interface_bytes_per_second',
        job: 'snmp',
        site: 'fra',
        link: 'transit-1',
        direction: 'in',
      }),
      s('ams api http requests per second', {
        metric: 'http_requests_per_second',
        job: 'snmp',
        site: 'ams',
        service: 'api',
      }),
    ];
    expect(tileNames(series)).toEqual([
      'ams transit-1 in interface bytes per second',
      'fra transit-1 in interface bytes per second',
      'ams api http requests per second',
    ]);
    // One metric across the wall: the metric goes too.
    expect(tileNames(series.slice(0, 2))).toEqual(['ams', 'fra']);
  });

  it('names series without labels by the words their names do not all share', () => {
    expect(
      tileNames([s('snmp ifHCInOctets router1 ge-0/0/1 rate'), s('snmp ifHCInOctets router2 xe-1/0/0 rate')]),
    ).toEqual(['router1 ge-0/0/1', 'router2 xe-1/0/0']);
  });

  it('falls back to the full name when nothing tells the series apart, or for a single series', () => {
    expect(tileNames([s('cpu'), s('cpu')])).toEqual(['cpu', 'cpu']);
    expect(tileNames([s('only one', { site: 'ams' })])).toEqual(['only one']);
    expect(tileNames([])).toEqual([]);
  });

  it('gives tiles the short name and keeps the full one for the tooltip', () => {
    const frames = [
      trafficLensFrame('ams transit-1 in interface bytes', { labels: { metric: 'bytes', site: 'ams' } }),
      trafficLensFrame('fra transit-1 in interface bytes', { labels: { metric: 'bytes', site: 'fra' } }),
    ];
    const tiles = buildTiles(parseFrames(frames).series);
    expect(tiles.map((t) => [t.title, t.fullTitle]).sort()).toEqual([
      ['ams', 'ams transit-1 in interface bytes'],
      ['fra', 'fra transit-1 in interface bytes'],
    ]);
    expect(
      buildTiles(parseFrames(frames).series, 'site')
        .map((t) => t.fullTitle)
        .sort(),
    ).toEqual([
      'site=ams (worst: ams transit-1 in interface bytes)',
      'site=fra (worst: fra transit-1 in interface bytes)',
    ]);
  });
});
