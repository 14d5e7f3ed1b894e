import type { DataFrame } from '@grafana/data';
import { AMS_IN, episode, FRA_IN, series, STEP, T0 } from '../testing/fixtures';
import { episodesToFrame, formatInUnit } from './annotations';
import { REGION_FIELDS } from './regions';

const column = (frame: DataFrame, name: string) => frame.fields.find((f) => f.name === name)?.values;

describe('episodesToFrame', () => {
  const early = episode({
    start: T0,
    end: T0 + STEP,
    severity: 40,
    severityLabel: 'minor',
    direction: 'down',
    open: true,
    peakScore: 1.25,
    explanation: {
      kind: 'dip',
      summary: 'dip down: 1e+8 vs expected 5e+8',
      expected: 5e8,
      actual: 1e8,
      features: [],
    },
  });
  const frame = episodesToFrame([series(AMS_IN), series(FRA_IN, { episodes: [early] })], {
    refId: 'Anno',
    legendFormat: '{{site}} {{link}} {{direction}}',
    tags: ['job:simulator'],
  });

  it("has the fields Grafana's annotation mapping reads, one row per episode, oldest first", () => {
    expect(frame.fields.slice(0, 6).map((f) => f.name)).toEqual([...REGION_FIELDS]);
    expect(frame.length).toBe(2);
    expect(column(frame, 'time')).toEqual([T0, T0 + 2 * STEP]);
    expect(column(frame, 'timeEnd')).toEqual([T0 + STEP, T0 + 3 * STEP]);
    expect(column(frame, 'series')).toEqual(['fra transit-1 in', 'ams transit-1 in']);
  });

  it('titles each episode with severity, kind, direction and the series', () => {
    expect(column(frame, 'title')).toEqual([
      'Minor dip ▼ down (severity 40) · fra transit-1 in',
      'Critical spike ▲ up (severity 82) · ams transit-1 in',
    ]);
  });

  it('writes expected vs actual in the unit of the series, the peak score and the explanation', () => {
    const [minor, critical] = column(frame, 'text') as string[];
    expect(critical).toBe(
      [
        'ams transit-1 in',
        'actual 5 GB/s vs expected 500 MB/s; peak score 3.50',
        'spike up: 5e+9 vs expected 5e+8 (normal 4e+8–6e+8); driven by level_vs_ewma 32%',
      ].join('\n'),
    );
    expect(minor).toContain('; still going on');
  });

  it("writes the values in the scorer's unit when it gives one", () => {
    const bits = episodesToFrame([series(AMS_IN, { unit: 'bps' })], { refId: 'A' });
    expect((column(bits, 'text') as string[])[0]).toContain('actual 5 Gb/s vs expected 500 Mb/s;');
  });

  it('tags severity, direction, kind, the extra tags and the labels, and colours by severity', () => {
    expect(column(frame, 'tags')?.[1]).toEqual([
      'critical',
      'up',
      'spike',
      'job:simulator',
      'metric:interface_bytes_per_second',
      'site:ams',
      'link:transit-1',
      'direction:in',
    ]);
    expect(column(frame, 'color')).toEqual(['yellow', 'red']);
  });

  it('is an empty frame with the same fields when there are no episodes', () => {
    const empty = episodesToFrame([series(AMS_IN, { episodes: [] })], { refId: 'A' });
    expect(empty.length).toBe(0);
    expect(empty.fields.map((f) => f.name)).toEqual(frame.fields.map((f) => f.name));
  });
});

describe('formatInUnit', () => {
  it.each([
    [5e9, 'Bps', '5 GB/s'],
    [995586176.35, 'Bps', '996 MB/s'],
    [0.042, 'percentunit', '4.20%'],
    [1234567, undefined, '1.23 Mil'],
    [null, 'Bps', 'n/a'],
  ])('%s %s → %s', (value, unit, text) => {
    expect(formatInUnit(value, unit)).toBe(text);
  });
});
