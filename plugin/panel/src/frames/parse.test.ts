import { createDataFrame, FieldType, type DataFrame } from '@grafana/data';
import { forecastFrame, plainFrame, STEP, T0, trafficLensFrame } from '../testing/frames';
import { deriveEpisodes, parseFrames, seriesStatus } from './parse';

describe('parseFrames', () => {
  it('reads a TrafficLens frame: value, band, expected, score, anomaly, state', () => {
    const { series, problems, scored } = parseFrames([trafficLensFrame('transit-1', { state: 'ok' })]);
    expect(problems).toEqual([]);
    expect(scored).toBe(true);
    expect(series).toHaveLength(1);
    const s = series[0];
    expect(s.times).toHaveLength(60);
    expect(s.lower?.[0]).toBe(90);
    expect(s.upper?.[0]).toBe(110);
    expect(s.anomaly?.filter(Boolean)).toHaveLength(1);
    expect(s.state).toBe('ok');
  });

  it('derives episodes with the scorer hysteresis when the frame carries none', () => {
    const [s] = parseFrames([trafficLensFrame('a', { spikeAt: 40 })]).series;
    expect(s.episodes).toHaveLength(1);
    expect(s.episodes[0]).toMatchObject({
      start: T0 + 40 * STEP,
      peakScore: 4,
      severity: 75,
      severityLabel: 'critical',
      direction: 'up',
      open: false,
    });
    expect(s.episodes[0].explanation).toContain('spike');
  });

  it('keeps an episode open when it reaches the last point', () => {
    const [s] = parseFrames([trafficLensFrame('a', { n: 41, spikeAt: 40 })]).series;
    expect(s.episodes[0].open).toBe(true);
    expect(seriesStatus(s)).toMatchObject({ status: 'critical', severity: 75, currentValue: 400 });
  });

  it.each(['suppressed', 'stale', 'gap', 'flatline'] as const)(
    'a %s series is shown as that state, not as the alert its score would be',
    (state) => {
      const [s] = parseFrames([trafficLensFrame('a', { n: 41, spikeAt: 40, state })]).series;
      expect(s.state).toBe(state);
      expect(seriesStatus(s)).toMatchObject({ status: state, severity: 0, currentValue: 400 });
    },
  );

  it('uses episodes with explanations from meta.custom.episodes', () => {
    const frame = trafficLensFrame('a');
    frame.meta = {
      custom: {
        state: 'ok',
        episodes: [
          {
            start: T0,
            end: T0 + STEP,
            peakTime: T0,
            peakScore: 2,
            severity: 50,
            direction: 'down',
            open: false,
            explanation: { summary: 'dip down: 1 vs expected 9' },
          },
          { start: 'garbage' },
          null,
        ],
      },
    };
    const [s] = parseFrames([frame]).series;
    expect(s.episodes).toEqual([
      expect.objectContaining({ severityLabel: 'major', explanation: 'dip down: 1 vs expected 9' }),
    ]);
  });

  it('turns each number field of a plain frame into an unscored series', () => {
    const { series, scored } = parseFrames([plainFrame()]);
    expect(scored).toBe(false);
    expect(series.map((s) => [s.name, s.state, s.score])).toEqual([
      ['in', 'unscored', null],
      ['out', 'unscored', null],
    ]);
    expect(seriesStatus(series[0]).status).toBe('unscored');
  });

  it.each<[string, unknown[] | null | undefined, string[]]>([
    ['undefined', undefined, []],
    ['null', null, []],
    ['no frames', [], []],
    ['a frame without fields', [createDataFrame({ fields: [] })], []],
    ['a non-frame', [42, null], ['frame 1 is not a data frame', 'frame 2 is not a data frame']],
    [
      'a frame without a time field',
      [createDataFrame({ name: 'x', fields: [{ name: 'v', type: FieldType.number, values: [1, 2] }] })],
      ['frame x has no time field'],
    ],
    [
      'a frame without numbers',
      [
        createDataFrame({
          name: 'y',
          fields: [
            { name: 'time', type: FieldType.time, values: [1, 2] },
            { name: 's', type: FieldType.string, values: ['a', 'b'] },
          ],
        }),
      ],
      ['frame y has no number field'],
    ],
  ])('draws nothing and names the problem for %s', (_, frames, problems) => {
    const parsed = parseFrames(frames as DataFrame[]);
    expect(parsed.series).toEqual([]);
    expect(parsed.problems).toEqual(problems);
  });

  it('treats NaN, Infinity, strings and null as missing, sorts rows and cuts ragged fields', () => {
    const frame = createDataFrame({
      name: 'bad',
      fields: [
        { name: 'time', type: FieldType.time, values: [3000, 1000, 2000, null, 4000] },
        { name: 'value', type: FieldType.number, values: [NaN, 1, '2', 7] },
        { name: 'score', type: FieldType.number, values: [Infinity, 0, 5, 0, 0] },
      ],
    });
    // createDataFrame pads nothing: the value field is one shorter than the others.
    const parsed = parseFrames([frame]);
    expect(parsed.problems).toEqual(['frame bad has fields of different lengths (cut to 4 rows)']);
    const [s] = parsed.series;
    expect(s.times).toEqual([1000, 2000, 3000]);
    expect(s.values).toEqual([1, 2, null]);
    expect(s.score).toEqual([0, 5, null]);
  });

  it('reads ISO time strings', () => {
    const frame = createDataFrame({
      fields: [
        { name: 'time', type: FieldType.time, values: ['2025-01-13T08:00:00Z', '2025-01-13T08:01:00Z'] },
        { name: 'cpu', type: FieldType.number, values: [1, 2] },
      ],
    });
    expect(parseFrames([frame]).series[0].times).toEqual([T0, T0 + STEP]);
  });
});

describe('deriveEpisodes', () => {
  it('holds an episode above 0.7 and closes it after 3 points below', () => {
    const times = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
    const score = [0, 1.5, 0.8, 0.5, 2, 0.1, 0.1, 0.1, 1, 0];
    const values = times.map(() => 1);
    const episodes = deriveEpisodes({ times, values, expected: null, score });
    expect(episodes.map((e) => [e.start, e.end, e.peakScore, e.open])).toEqual([
      [1, 4, 2, false],
      [8, 8, 1, true],
    ]);
  });
});

describe('the job of a series', () => {
  it("reads the job of a job's own results from meta.custom.job, and none otherwise", () => {
    const own = trafficLensFrame('a');
    own.meta = { ...own.meta, custom: { ...own.meta?.custom, job: 'edge' } };
    const rescored = trafficLensFrame('b');
    const odd = trafficLensFrame('c');
    odd.meta = { ...odd.meta, custom: { ...odd.meta?.custom, job: 42 } };
    const { series } = parseFrames([own, rescored, odd]);
    expect(series.map((s) => s.job)).toEqual(['edge', undefined, undefined]);
  });
});

describe('maintenance windows of a series', () => {
  it('reads well-formed intervals from meta.custom.maintenance and drops the rest', () => {
    const f = trafficLensFrame('a');
    f.meta = {
      ...f.meta,
      custom: {
        ...f.meta?.custom,
        maintenance: [
          { start: T0, end: T0 + 10 * STEP },
          { start: T0 + 5, end: T0 },
          { start: 'x', end: 3 },
          null,
        ],
      },
    };
    const plain = trafficLensFrame('b');
    const { series } = parseFrames([f, plain]);
    expect(series.map((s) => s.maintenance)).toEqual([[{ start: T0, end: T0 + 10 * STEP }], undefined]);
  });
});

describe('forecasts of a series', () => {
  it("attaches a forecast frame to the series with the same labels, with the scorer's sentence", () => {
    const parsed = parseFrames([
      trafficLensFrame('transit-1'),
      trafficLensFrame('transit-2'),
      forecastFrame('transit-2', { sentence: 'transit-2 reaches 80 % of 1 GB/s in about 2 hours' }),
    ]);
    expect(parsed.series.map((s) => s.name)).toEqual(['transit-1', 'transit-2']);
    expect(parsed.series[0].forecast).toBeUndefined();
    const f = parsed.series[1].forecast!;
    expect(f.times[0]).toBe(T0 + 60 * STEP);
    expect(f.mean).toHaveLength(30);
    expect(f.upper95[0]).toBe(120);
    expect(f.lower80[0]).toBe(105);
    expect(f.sentence).toBe('transit-2 reaches 80 % of 1 GB/s in about 2 hours');
    expect(parsed.problems).toEqual([]);
  });

  it('says so when a forecast has no series to be drawn on', () => {
    const parsed = parseFrames([trafficLensFrame('transit-1'), forecastFrame('transit-9')]);
    expect(parsed.series).toHaveLength(1);
    expect(parsed.problems).toEqual([
      'frame transit-9 forecast is a forecast of a series the panel does not show',
    ]);
  });
});
