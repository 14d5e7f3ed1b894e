import { FieldType, getFieldDisplayName, type DataFrame, type Field } from '@grafana/data';
import { AMS_IN, episode, ERRORS, FRA_IN, series, STEP, T0 } from '../testing/fixtures';
import { FIELD_SUFFIX, seriesToFrame, seriesToFrames } from './frames';

const field = (frame: DataFrame, name: string): Field => {
  const found = frame.fields.find((f) => f.name === name);
  if (!found) {
    throw new Error(`no field ${name} in ${frame.fields.map((f) => f.name).join(', ')}`);
  }
  return found;
};

describe('seriesToFrame', () => {
  const frame = seriesToFrame(series(AMS_IN), 'ams transit-1 in', { refId: 'A' });

  it('has time, value, band, expected, score, the anomaly flag and the anomalous points, in that order', () => {
    expect(frame.fields.map((f) => [f.name, f.type])).toEqual([
      ['time', FieldType.time],
      ['value', FieldType.number],
      ['lower', FieldType.number],
      ['upper', FieldType.number],
      ['expected', FieldType.number],
      ['score', FieldType.number],
      ['anomaly', FieldType.boolean],
      ['anomalous', FieldType.number],
    ]);
    expect(frame.length).toBe(4);
    expect(frame.refId).toBe('A');
    expect(frame.name).toBe('ams transit-1 in');
  });

  it('carries the values as given, nulls included', () => {
    expect(field(frame, 'time').values).toEqual([T0, T0 + STEP, T0 + 2 * STEP, T0 + 3 * STEP]);
    expect(field(frame, 'value').values).toEqual([5e8, null, 5e9, 4e9]);
    expect(field(frame, 'score').values).toEqual([0.2, 0, 3.5, 2.1]);
    expect(field(frame, 'anomaly').values).toEqual([false, false, true, true]);
    expect(field(frame, 'anomalous').values).toEqual([null, null, 5e9, 4e9]);
  });

  it('keeps the labels on every field but time', () => {
    for (const f of frame.fields.slice(1)) {
      expect(f.labels).toEqual(AMS_IN);
    }
  });

  it('gives every field a distinct display name derived from the series name', () => {
    const names = frame.fields.slice(1).map((f) => getFieldDisplayName(f, frame, [frame]));
    expect(names).toEqual([
      'ams transit-1 in',
      `ams transit-1 in ${FIELD_SUFFIX.lower}`,
      `ams transit-1 in ${FIELD_SUFFIX.upper}`,
      `ams transit-1 in ${FIELD_SUFFIX.expected}`,
      `ams transit-1 in ${FIELD_SUFFIX.score}`,
      `ams transit-1 in ${FIELD_SUFFIX.anomaly}`,
      `ams transit-1 in ${FIELD_SUFFIX.anomalous}`,
    ]);
  });

  it('fills the band from upper down to lower, referring to lower by its display name', () => {
    const lower = field(frame, 'lower');
    const upper = field(frame, 'upper');
    expect(upper.config.custom.fillBelowTo).toBe(getFieldDisplayName(lower, frame, [frame]));
    expect(upper.config.custom.fillOpacity).toBeGreaterThan(0);
    expect(upper.config.custom.lineWidth).toBe(0);
    expect(lower.config.custom.lineWidth).toBe(0);
    expect(lower.config.custom.hideFrom).toEqual({ legend: true, tooltip: false, viz: false });
  });

  it('puts the score on its own right-hand axis with a dashed threshold at 1 that colours it', () => {
    const score = field(frame, 'score').config;
    expect(score.unit).toBe('none');
    expect(score.min).toBe(0);
    expect(score.custom.axisPlacement).toBe('right');
    expect(score.custom.axisSoftMax).toBe(2);
    expect(score.custom.thresholdsStyle).toEqual({ mode: 'dashed' });
    expect(score.color).toEqual({ mode: 'thresholds' });
    expect(score.thresholds?.steps).toEqual([
      { value: -Infinity, color: 'purple' },
      { value: 1, color: 'red' },
    ]);
  });

  it('draws anomalous values as red points and hides the boolean flag from the graph', () => {
    const points = field(frame, 'anomalous').config;
    expect(points.custom.drawStyle).toBe('points');
    expect(points.color).toEqual({ mode: 'fixed', fixedColor: 'red' });
    expect(field(frame, 'anomaly').config.custom.hideFrom).toEqual({
      legend: true,
      tooltip: false,
      viz: true,
    });
  });

  it('gives value-like fields the unit of the series, and none to the score', () => {
    for (const name of ['value', 'lower', 'upper', 'expected', 'anomalous']) {
      expect(field(frame, name).config.unit).toBe('Bps');
    }
    const ratio = seriesToFrame(series(ERRORS), 'errors', { refId: 'A' });
    expect(field(ratio, 'value').config.unit).toBe('percentunit');
    const unknown = seriesToFrame(series({ metric: 'mystery' }), 'm', { refId: 'A' });
    expect(field(unknown, 'value').config.unit).toBeUndefined();
    expect(field(unknown, 'score').config.unit).toBe('none');
  });

  it("uses the scorer's unit over the one the metric name suggests", () => {
    // A byte counter scored as its rate: the name says bytes, the scorer knows it is bytes/s.
    const counter = seriesToFrame(series({ metric: 'interface_bytes_total' }, { unit: 'Bps' }), 'c', {
      refId: 'A',
    });
    for (const name of ['value', 'lower', 'upper', 'expected', 'anomalous']) {
      expect(field(counter, name).config.unit).toBe('Bps');
    }
    expect(field(counter, 'score').config.unit).toBe('none');
    const bits = seriesToFrame(series(AMS_IN, { unit: 'bps' }), 'b', { refId: 'A' });
    expect(field(bits, 'value').config.unit).toBe('bps');
    const named = seriesToFrame(series({ metric: 'mystery' }, { unit: 'reqps' }), 'm', { refId: 'A' });
    expect(field(named, 'value').config.unit).toBe('reqps');
  });

  it('returns only the fields asked for; band means lower and upper', () => {
    const f = seriesToFrame(series(AMS_IN), 'x', { refId: 'A', fields: ['value', 'band'] });
    expect(f.fields.map((x) => x.name)).toEqual(['time', 'value', 'lower', 'upper']);
    const scoreOnly = seriesToFrame(series(AMS_IN), 'x', { refId: 'A', fields: ['score'] });
    expect(scoreOnly.fields.map((x) => x.name)).toEqual(['time', 'score']);
    const all = seriesToFrame(series(AMS_IN), 'x', { refId: 'A', fields: [] });
    expect(all.fields).toHaveLength(8);
  });

  it('explains a learning or empty series in a notice', () => {
    const learning = seriesToFrame(series(AMS_IN, { state: 'learning' }), 'x', { refId: 'A' });
    expect(learning.meta?.notices?.[0]).toMatchObject({
      severity: 'info',
      text: expect.stringContaining('learning'),
    });
    const empty = seriesToFrame(
      series(AMS_IN, {
        state: 'no_data',
        timestamps: [],
        values: [],
        score: [],
        expected: [],
        lower: [],
        upper: [],
        anomaly: [],
        direction: [],
        episodes: [],
      }),
      'x',
      { refId: 'A' },
    );
    expect(empty.length).toBe(0);
    expect(empty.meta?.notices?.[0].severity).toBe('warning');
    expect(seriesToFrame(series(AMS_IN), 'x', { refId: 'A' }).meta?.notices).toBeUndefined();
  });

  it.each([
    ['stale', 'stopped reporting'],
    ['gap', 'missing'],
    ['flatline', 'repeats one value'],
  ] as const)('warns of a %s series in a notice', (state, words) => {
    const frame = seriesToFrame(series(AMS_IN, { state }), 'x', { refId: 'A' });
    expect(frame.meta?.notices).toEqual([{ severity: 'warning', text: expect.stringContaining(words) }]);
  });

  it("keeps the series' state, detector and episodes (with the scorer's explanations) in meta.custom", () => {
    const frame = seriesToFrame(series(AMS_IN), 'x', { refId: 'A' });
    expect(frame.meta?.custom).toEqual({ state: 'ok', detector: 'auto', episodes: [episode()] });
  });
});

describe('seriesToFrames', () => {
  it('names frames with the legend format and keeps the executed query on the first frame only', () => {
    const frames = seriesToFrames([series(AMS_IN), series(FRA_IN)], {
      refId: 'B',
      legendFormat: '{{site}} {{link}}',
      executedQueryString: 'GET /api/v1/jobs/simulator/series',
    });
    expect(frames.map((f) => f.name)).toEqual(['ams transit-1', 'fra transit-1']);
    expect(frames[0].meta?.executedQueryString).toBe('GET /api/v1/jobs/simulator/series');
    expect(frames[1].meta?.executedQueryString).toBeUndefined();
  });

  it('makes repeated legends unique so each band fills to its own lower bound', () => {
    const frames = seriesToFrames([series(AMS_IN), series(FRA_IN)], { refId: 'A', legendFormat: '{{link}}' });
    expect(frames.map((f) => f.name)).toEqual(['transit-1', 'transit-1 (2)']);
    expect(field(frames[1], 'upper').config.custom.fillBelowTo).toBe(`transit-1 (2) ${FIELD_SUFFIX.lower}`);
  });

  it('returns no frames for no series', () => {
    expect(seriesToFrames([], { refId: 'A' })).toEqual([]);
  });
});
