import type { DataFrame } from '@grafana/data';
import { incident, STEP, T0 } from '../testing/fixtures';
import { incidentsToFrame } from './incidents';
import { REGION_FIELDS } from './regions';

const column = (frame: DataFrame, name: string) => frame.fields.find((f) => f.name === name)?.values;

describe('incidentsToFrame', () => {
  const network = incident({
    id: 'a1',
    kind: 'network',
    group: { site: 'fra' },
    start: T0,
    end: T0 + 30 * STEP,
    open: true,
    severity: 55,
    severityLabel: 'major',
    origin: { site: 'fra', link: 'ix' },
    members: [],
    groupSize: 10,
    network: {
      start: T0,
      end: T0 + 30 * STEP,
      open: true,
      peakTime: T0 + 3 * STEP,
      peakScore: 2.1,
      severity: 55,
      contributions: [{ labels: { site: 'fra', link: 'ix' }, share: 0.6 }],
    },
    summary:
      'the series at site=fra abnormal as a whole since 08:00 UTC (network residual 2.1× its boundary, driven by link=ix 60%)',
  });
  const frame = incidentsToFrame([incident(), network], { refId: 'Anno', tags: ['job:edge'] });

  it("has the fields Grafana's annotation mapping reads, one region per incident, oldest first", () => {
    expect(frame.fields.slice(0, 6).map((f) => f.name)).toEqual([...REGION_FIELDS]);
    expect(frame.length).toBe(2);
    expect(column(frame, 'time')).toEqual([T0, T0 + 5 * STEP]);
    expect(column(frame, 'timeEnd')).toEqual([T0 + 30 * STEP, T0 + 27 * STEP]);
  });

  it('titles an incident with its worst severity, its group and how many of the group are anomalous', () => {
    expect(column(frame, 'title')).toEqual([
      'Major network incident at site=fra',
      'Critical incident at site=ams · 3 of 4 series',
    ]);
  });

  it('writes the summary naming the siblings, the probable origin and every member with its own episode', () => {
    expect((column(frame, 'text') as string[])[1]).toBe(
      [
        '3 of 4 series at site=ams anomalous, first link=transit-1 at 08:05 UTC',
        'probable origin: link=transit-1',
        '• link=transit-1: critical (severity 91) from 08:05 UTC, until 08:25 UTC',
        '• link=transit-2: major (severity 60) from 08:06 UTC, until 08:26 UTC',
        '• link=ix: minor (severity 30) from 08:07 UTC, until 08:27 UTC',
      ].join('\n'),
    );
    const text = (column(frame, 'text') as string[])[0];
    expect(text).toContain('driven by link=ix 60%');
    expect(text.split('\n').at(-1)).toBe('still going on');
  });

  it('names members by the labels that tell them apart, leaving out those every member shares', () => {
    const metric = { metric: 'interface_bytes_per_second' };
    const base = incident();
    const [a, b] = base.members;
    const withMetric = incident({
      origin: { ...base.origin!, ...metric, direction: 'out' },
      members: [
        { ...a, labels: { ...a.labels, ...metric, direction: 'out' } },
        { ...b, labels: { ...a.labels, ...metric, direction: 'in' } },
      ],
    });
    const [text] = column(incidentsToFrame([withMetric], { refId: 'A' }), 'text') as string[];
    expect(text.split('\n').slice(1, 4)).toEqual([
      'probable origin: direction=out',
      '• direction=out: critical (severity 91) from 08:05 UTC, until 08:25 UTC',
      '• direction=in: major (severity 60) from 08:06 UTC, until 08:26 UTC',
    ]);
  });

  it('tags severity, kind, the extra tags and the group, and colours by the worst severity', () => {
    expect(column(frame, 'tags')).toEqual([
      ['major', 'network', 'incident', 'job:edge', 'site:fra'],
      ['critical', 'series', 'incident', 'job:edge', 'site:ams'],
    ]);
    expect(column(frame, 'color')).toEqual(['orange', 'red']);
    expect(column(frame, 'origin')).toEqual(['link=ix', 'link=transit-1']);
    expect(column(frame, 'members')).toEqual([0, 3]);
  });

  it('is an empty frame with the same fields when there are no incidents', () => {
    const empty = incidentsToFrame([], { refId: 'A' });
    expect(empty.length).toBe(0);
    expect(empty.fields.map((f) => f.name)).toEqual(frame.fields.map((f) => f.name));
  });
});
