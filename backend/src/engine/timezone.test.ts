/**
 * ScoreOptions.timezone: traffic that keeps a zone's local time moves by an hour in UTC when the zone's
 * clocks change, and a scorer told the zone moves its daily and weekly pattern at that instant
 * (SeriesScorer.followClock, SeasonalComponent.moveClock) instead of paging through the next morning.
 */
import { findScenario } from '../lab/scenarios/index.js';
import { createStream, restoreStream, scoreSeries, type StreamPoint } from './index.js';
import { SeriesScorer, resolveParams } from './seriesScorer.js';

const HOUR = 3_600_000;

describe('a series that keeps local time, scored with its time zone', () => {
  test.each([
    ['dst_end_berlin', 'Europe/Berlin', Date.UTC(2024, 9, 27, 1)],
    ['dst_start_new_york', 'America/New_York', Date.UTC(2024, 2, 10, 7)],
  ])(
    '%s: nothing anomalous in the 12 hours after the change; without the zone, the morning pages',
    (name, zone, change) => {
      const s = findScenario(name)!.generate(1);
      expect(s.timezone).toBe(zone);
      const anomalousAfter = (timezone?: string) => {
        const options = { causal: true, ...(timezone ? { timezone } : {}) };
        const r = scoreSeries({ timestamps: s.timestamps, values: s.values }, { options });
        return r.timestamps.filter((t, i) => t >= change && t < change + 12 * HOUR && r.anomaly[i]).length;
      };
      expect(anomalousAfter(zone)).toBe(0);
      expect(anomalousAfter()).toBeGreaterThanOrEqual(4);
    },
  );

  test('a stream restored from its snapshot at the last point before the change scores on as one never stopped', () => {
    const s = findScenario('dst_end_berlin')!.generate(2);
    const params = { options: { causal: true, timezone: 'Europe/Berlin' }, stepMs: 60_000 };
    const change = Date.UTC(2024, 9, 27, 1);
    const cut = s.timestamps.findIndex((t) => t >= change);
    const whole = createStream(params);
    const first = createStream(params);
    const points = (from: number, to: number, stream: ReturnType<typeof createStream>) => {
      const out: (StreamPoint | null)[] = [];
      for (let i = from; i < to; i++) out.push(stream.push(s.timestamps[i], s.values[i] ?? NaN));
      return out;
    };
    const expected = points(0, s.timestamps.length, whole);
    points(0, cut, first);
    const snapshot = JSON.parse(JSON.stringify(first.snapshot())) as { utcOffset?: number };
    expect(snapshot.utcOffset).toBe(2 * HOUR);
    const restored = restoreStream(snapshot);
    expect(points(cut, s.timestamps.length, restored)).toEqual(expected.slice(cut));
  });
});

describe('the scorer’s clock moves', () => {
  const params = resolveParams({ options: { timezone: 'Europe/Berlin' }, stepMs: 60_000 });
  const change = Date.UTC(2024, 9, 27, 1);
  const moves = (timestamps: number[]) => {
    const scorer = new SeriesScorer(params, false);
    const seen: number[] = [];
    (scorer.detector as { moveClock?: (ms: number) => void }).moveClock = (ms) => seen.push(ms);
    for (const t of timestamps) scorer.advance(t, 100);
    return seen;
  };
  const around = [-2, -1, 0, 1].map((k) => change + k * 60_000);

  test('once, at the first point past the change: the pattern an hour later when clocks go back', () => {
    expect(moves(around)).toEqual([HOUR]);
  });

  test('the same way on a pass back in time (batch scoring’s backward pass, whose positions run back too)', () => {
    // Back in time, 08:00 UTC (local 09:00 after the change) is met before 07:00 UTC (local 09:00 before it):
    // a feature moves an hour further along the pass's positions, later, as it does forward.
    expect(moves([...around].reverse())).toEqual([HOUR]);
  });
});
