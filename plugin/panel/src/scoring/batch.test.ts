import { parseFrames, type PanelSeries } from '../frames/parse';
import { plainFrame, trafficLensFrame } from '../testing/frames';
import { hashInput, mergeScored, planBatch } from './batch';

const plain = (): PanelSeries[] => parseFrames([plainFrame()]).series;

describe('planBatch', () => {
  it('sends the unscored series with points, in order, with their names, string labels, times and values', () => {
    const series = parseFrames([trafficLensFrame('scored'), plainFrame()]).series;
    series[2].labels = { host: 'r1', port: 7 as unknown as string };
    const batch = planBatch(series);
    expect(batch.indexes).toEqual([1, 2]);
    expect(batch.input.map((s) => [s.name, s.labels])).toEqual([
      ['influx in', {}],
      ['influx out', { host: 'r1', port: '7' }],
    ]);
    expect(batch.input[1].timestamps).toBe(series[2].times);
    expect(batch.input[1].values).toEqual(series[2].values);
    expect(batch.points).toBe(60);
    expect(batch.skipped).toBe(0);
  });

  it('leaves out series without points, and sends nothing when every series is scored', () => {
    const series = plain();
    series[0] = { ...series[0], times: [], values: [] };
    expect(planBatch(series).indexes).toEqual([1]);
    expect(planBatch(parseFrames([trafficLensFrame('a')]).series).indexes).toEqual([]);
  });

  it('stops at the series and point limits and counts what it left out', () => {
    const series = [...plain(), ...plain(), ...plain()];
    expect(planBatch(series, { maxSeries: 2, maxPoints: 1e6 })).toMatchObject({
      indexes: [0, 1],
      skipped: 4,
    });
    // 30 points each: the third would make 90.
    expect(planBatch(series, { maxSeries: 100, maxPoints: 89 })).toMatchObject({
      indexes: [0, 1],
      points: 60,
      skipped: 4,
    });
    expect(planBatch(series, { maxSeries: 100, maxPoints: 29 })).toMatchObject({ indexes: [], skipped: 6 });
  });
});

describe('hashInput', () => {
  const input = () => planBatch(plain()).input;

  it('is equal for equal input and differs when any value, time, name or label changes', () => {
    const base = hashInput(input());
    expect(hashInput(input())).toBe(base);
    const changes: Array<(i: ReturnType<typeof input>) => void> = [
      (i) => (i[1].values = i[1].values.map((v, k) => (k === 29 ? (v as number) + 1e-9 : v))),
      (i) => (i[0].timestamps = i[0].timestamps.map((t, k) => (k === 0 ? t - 1 : t))),
      (i) => (i[0].values = i[0].values.map((v, k) => (k === 0 ? null : v))),
      (i) => (i[0].name = 'other'),
      (i) => (i[0].labels = { a: 'b' }),
      (i) => i.pop(),
    ];
    for (const change of changes) {
      const changed = input();
      change(changed);
      expect(hashInput(changed)).not.toBe(base);
    }
  });

  it('does not depend on the order of labels', () => {
    const a = input();
    const b = input();
    a[0].labels = { x: '1', y: '2' };
    b[0].labels = { y: '2', x: '1' };
    expect(hashInput(a)).toBe(hashInput(b));
  });
});

describe('mergeScored', () => {
  it("takes band, score, state and episodes from the scorer and keeps the query's name, labels and field", () => {
    const series = parseFrames([trafficLensFrame('kept'), plainFrame()]).series;
    const scored = parseFrames([trafficLensFrame('scorer-name-1'), trafficLensFrame('scorer-name-2')]).series;
    const merged = mergeScored(series, { indexes: [1, 2] }, scored);
    expect(merged[0]).toBe(series[0]);
    expect(merged.map((s) => s.name)).toEqual(['kept', 'influx in', 'influx out']);
    expect(merged[1].field).toBe(series[1].field);
    expect(merged[1].score).toBe(scored[0].score);
    expect(merged[2].state).toBe('ok');
    expect(merged[2].episodes).toHaveLength(1);
    expect(series[1].state).toBe('unscored');
  });

  it('refuses an answer with a different number of series', () => {
    expect(() => mergeScored(plain(), { indexes: [0, 1] }, [])).toThrow('0 series for the 2 sent');
  });
});
