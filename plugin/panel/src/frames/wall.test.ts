import { parseFrames } from './parse';
import { buildTiles, wallGrid } from './wall';
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
      ['critical', 'critical'],
      ['quiet', 'ok'],
      ['learning', 'learning'],
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
