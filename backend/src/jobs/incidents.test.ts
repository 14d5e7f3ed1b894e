import type { Episode } from '../contract/score.js';
import { severityLabel, severityOf } from '../contract/severity.js';
import { buildIncidents, incidentId, type NetworkEpisode, type SeriesEpisodes } from './incidents.js';

const MIN = 60_000;
const T0 = Date.UTC(2026, 0, 5, 5, 50);

function ep(startMin: number, endMin: number, peakScore = 2, open = false): Episode {
  const severity = severityOf(peakScore);
  return {
    start: T0 + startMin * MIN,
    end: T0 + endMin * MIN,
    peakTime: T0 + startMin * MIN,
    peakScore,
    severity,
    severityLabel: severityLabel(severity),
    direction: 'down',
    open,
    explanation: { kind: 'dip', summary: '', expected: null, actual: null, features: [] },
  };
}

const link = (site: string, name: string, ...episodes: Episode[]): SeriesEpisodes => ({
  labels: { site, link: name },
  episodes,
});

const options = { groups: ['site', 'device'], windowMs: 5 * MIN };

/** [site, start minute, open, member links in order] of each incident. */
const shape = (series: SeriesEpisodes[], network: NetworkEpisode[] = []) =>
  buildIncidents(series, network, options).map((i) => [
    i.group.site,
    (i.start - T0) / MIN,
    i.open,
    i.members.map((m) => m.labels.link),
  ]);

describe('incidents from episodes', () => {
  test.each<[string, SeriesEpisodes[], unknown[]]>([
    ['no episodes: none', [link('ams', 'a'), link('ams', 'b')], []],
    ['one series alone is no incident', [link('ams', 'a', ep(0, 10)), link('ams', 'b')], []],
    [
      'two series of a site within the window: one incident, first one first',
      [link('ams', 'b', ep(3, 20)), link('ams', 'a', ep(0, 10))],
      [['ams', 0, false, ['a', 'b']]],
    ],
    [
      'a start within the window after the end joins',
      [link('ams', 'a', ep(0, 10)), link('ams', 'b', ep(15, 20))],
      [['ams', 0, false, ['a', 'b']]],
    ],
    [
      'a start past the window after the end does not',
      [link('ams', 'a', ep(0, 10)), link('ams', 'b', ep(16, 20)), link('ams', 'c', ep(40, 41))],
      [],
    ],
    [
      'an open incident takes every later episode',
      [link('ams', 'a', ep(0, 100, 2, true)), link('ams', 'b', ep(90, 95))],
      [['ams', 0, true, ['a', 'b']]],
    ],
    [
      'sites are separate groups; a series without the label belongs to none',
      [
        link('ams', 'a', ep(0, 10)),
        link('fra', 'b', ep(1, 10)),
        { labels: { link: 'c' }, episodes: [ep(1, 10)] },
      ],
      [],
    ],
    [
      'two bursts of one site: two incidents, the newest first',
      [link('ams', 'a', ep(0, 5), ep(60, 70)), link('ams', 'b', ep(1, 5), ep(62, 64))],
      [
        ['ams', 60, false, ['a', 'b']],
        ['ams', 0, false, ['a', 'b']],
      ],
    ],
    [
      'open incidents come first',
      [
        link('ams', 'a', ep(100, 110)),
        link('ams', 'b', ep(101, 110)),
        link('fra', 'a', ep(0, 200, 2, true)),
        link('fra', 'b', ep(1, 5)),
      ],
      [
        ['fra', 0, true, ['a', 'b']],
        ['ams', 100, false, ['a', 'b']],
      ],
    ],
  ])('%s', (_name, series, expected) => {
    expect(shape(series)).toEqual(expected);
  });

  test('a series with two episodes in one incident is one member: first start, last end, highest peak', () => {
    const [incident] = buildIncidents(
      [link('ams', 'a', ep(0, 4, 1.5), ep(6, 9, 5)), link('ams', 'b', ep(2, 3, 2))],
      [],
      options,
    );
    expect(incident.members).toHaveLength(2);
    expect(incident.members[0]).toMatchObject({ start: T0, end: T0 + 9 * MIN, peakScore: 5 });
    expect(incident).toMatchObject({
      severity: severityOf(5),
      severityLabel: 'critical',
      origin: { site: 'ams', link: 'a' },
    });
  });

  test('the summary names the siblings, the first one and when', () => {
    const series = [
      link('ams', 'transit-1', ep(0, 30)),
      link('ams', 'transit-2', ep(2, 30)),
      link('ams', 'ix', ep(4, 30, 3)),
      link('ams', 'peering'),
    ];
    const [incident] = buildIncidents(series, [], options);
    expect(incident.summary).toBe('3 of 4 series at site=ams anomalous, first link=transit-1 at 05:50 UTC');
    expect(incident).toMatchObject({ kind: 'series', groupSize: 4, group: { site: 'ams' }, network: null });
    expect(incident.id).toBe(incidentId({ site: 'ams' }, T0));
    // The id does not move while the incident grows.
    const later = buildIncidents([...series.slice(0, 3), link('ams', 'peering', ep(20, 30))], [], options);
    expect(later[0].id).toBe(incident.id);
    expect(later[0].members).toHaveLength(4);
  });

  test('a network episode alone makes a "network" incident, its origin the largest contribution', () => {
    const network: NetworkEpisode = {
      group: { site: 'ams' },
      start: T0,
      end: T0 + 10 * MIN,
      open: true,
      peakTime: T0 + 5 * MIN,
      peakScore: 3,
      contributions: [
        { labels: { site: 'ams', link: 'b' }, share: 0.6 },
        { labels: { site: 'ams', link: 'a' }, share: 0.3 },
      ],
    };
    const incidents = buildIncidents([link('ams', 'a'), link('ams', 'b')], [network], options);
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatchObject({
      kind: 'network',
      open: true,
      members: [],
      origin: { site: 'ams', link: 'b' },
      severity: severityOf(3),
    });
    expect(incidents[0].summary).toBe(
      'the series at site=ams abnormal as a whole since 05:50 UTC (network residual 3.0× its boundary, driven by link=b 60%, link=a 30%)',
    );
    // With one anomalous member inside, still "network"; with two, "series" carrying the evidence.
    const one = buildIncidents([link('ams', 'a', ep(1, 3)), link('ams', 'b')], [network], options);
    expect(one[0]).toMatchObject({ kind: 'network', members: [{ labels: { link: 'a' } }] });
    const two = buildIncidents([link('ams', 'a', ep(1, 3)), link('ams', 'b', ep(2, 3))], [network], options);
    expect(two[0]).toMatchObject({ kind: 'series', network: { peakScore: 3 } });
  });
});
