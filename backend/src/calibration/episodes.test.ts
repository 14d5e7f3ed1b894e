import type { Explanation } from '../contract/score.js';
import { BOTH_SIDES_SHARE, EpisodeBuilder, SUSTAINED_POINTS } from './episodes.js';

const MINUTE = 60_000;
const T0 = Date.UTC(2024, 0, 9, 6, 0);
const peak: Explanation = {
  kind: 'dip',
  summary: 'dip down: 600 vs expected 1000',
  expected: 1000,
  actual: 600,
  features: [{ name: 'level_vs_rolling_median', contribution: 1 }],
};

/** `points` anomalous points going down, 400 below an expected 1000. */
function drop(points: number, builder = new EpisodeBuilder()): EpisodeBuilder {
  for (let i = 0; i < points; i++) {
    const score = i === 0 ? 3 : 2;
    builder.push(
      { timestamp: T0 + i * MINUTE, score, direction: 'down', deviation: -400, expected: 1000 },
      () => peak,
    );
  }
  return builder;
}

describe('EpisodeBuilder explanations', () => {
  it('explains a short episode by its peak', () => {
    const [e] = drop(SUSTAINED_POINTS - 1).episodes();
    expect(e.explanation).toEqual(peak);
  });

  it('explains a sustained episode as a level shift since its start, with its mean size', () => {
    const [e] = drop(SUSTAINED_POINTS).episodes();
    expect(e.explanation.kind).toBe('level_shift');
    expect(e.explanation.since).toBe(T0);
    expect(e.explanation.shift).toBe(-400);
    expect(e.explanation.summary).toBe(
      'level shift down since 2024-01-09 06:00 UTC: -400 (-40 %) on average over 10 anomalous points; ' +
        'at the peak, dip down: 600 vs expected 1000',
    );
  });

  it('keeps the mean shift a finite number when deviations near ±1.8e308 would overflow its sum', () => {
    const builder = new EpisodeBuilder();
    for (let i = 0; i < 41; i++) {
      builder.push(
        { timestamp: T0 + i * MINUTE, score: 2, direction: 'up', deviation: 1.7e308, expected: 3.4e38 },
        () => peak,
      );
    }
    const [e] = builder.episodes();
    expect(e.explanation.kind).toBe('level_shift');
    expect(e.explanation.shift).toBe(1.7e308);
    expect(e.explanation.summary).toMatch(/on average over 1 anomalous points/);
    // The response's JSON carries it as a number, not null.
    expect(JSON.parse(JSON.stringify(e.explanation)).shift).toBe(1.7e308);
  });

  it('prints a finite mean distance when deviations near ±1.8e308 on both sides would overflow its sum', () => {
    const builder = new EpisodeBuilder();
    for (let i = 0; i < 41; i++) {
      const up = i % 2 === 0;
      builder.push(
        {
          timestamp: T0 + i * MINUTE,
          score: 2,
          direction: up ? 'up' : 'down',
          deviation: up ? 1.7e308 : -1.7e308,
          expected: 1000,
        },
        () => peak,
      );
    }
    const [e] = builder.episodes();
    // Σ deviation stays finite (+1.7e308, 0, +1.7e308 …), Σ |deviation| does not past its second point.
    expect(e.explanation.kind).toBe('level_shift');
    expect(e.explanation.shift).toBe(1.7e308);
    expect(e.explanation.summary).not.toMatch(/Infinity|NaN/);
    expect(e.explanation.summary).toMatch(/on average over 1 anomalous points/);
  });

  it('keeps the shift sums across a snapshot', () => {
    const a = drop(4);
    const b = new EpisodeBuilder();
    b.restore(JSON.parse(JSON.stringify(a.snapshot())));
    drop(SUSTAINED_POINTS - 4, a);
    drop(SUSTAINED_POINTS - 4, b);
    expect(b.episodes()).toEqual(a.episodes());
    expect(b.episodes()[0].explanation.kind).toBe('level_shift');
  });

  it('restores an open episode saved before the shift sums existed', () => {
    const a = drop(4);
    const saved = a.snapshot();
    delete saved.open!.shift;
    const b = new EpisodeBuilder();
    b.restore(saved);
    drop(SUSTAINED_POINTS, b);
    // Only the points seen after the restore are summed.
    expect(b.episodes()[0].explanation.shift).toBe(-400);
  });

  describe('a burst of noise (anomalous points on both sides of expected)', () => {
    /** `points` anomalous points alternating 300 above and 200 below an expected 1000, `holds` after each. */
    function noise(points: number, holds = false, builder = new EpisodeBuilder()): EpisodeBuilder {
      for (let i = 0; i < points; i++) {
        const up = i % 2 === 0;
        builder.push(
          {
            timestamp: T0 + 2 * i * MINUTE,
            score: 2,
            direction: up ? 'up' : 'down',
            deviation: up ? 300 : -200,
            expected: 1000,
          },
          () => peak,
        );
        // A point inside the band between two anomalous ones.
        builder.push(
          { timestamp: T0 + (2 * i + 1) * MINUTE, score: 0.1, direction: null, holds },
          () => peak,
        );
      }
      return builder;
    }

    it('explains a lasting one as a variance change since its start, with the points’ mean distance', () => {
      const [e] = noise(SUSTAINED_POINTS).episodes();
      expect(e.explanation.kind).toBe('variance_change');
      expect(e.explanation.since).toBe(T0);
      expect(e.explanation.shift).toBeUndefined();
      expect(e.explanation.summary).toBe(
        'variance change since 2024-01-09 06:00 UTC: 10 anomalous points on both sides of expected, ±250 (25 %) ' +
          'from it on average; at the peak, dip down: 600 vs expected 1000',
      );
    });

    it('is still a level shift where its points lean to one side past BOTH_SIDES_SHARE', () => {
      const b = noise(SUSTAINED_POINTS);
      // Four more points 400 above: Σ 2,100 of Σ |·| 4,100, a lean of 0.51 (three: 0.46, both sides).
      for (let i = 0; i < 4; i++) {
        b.push(
          { timestamp: T0 + (20 + i) * MINUTE, score: 2, direction: 'up', deviation: 400, expected: 1000 },
          () => peak,
        );
      }
      expect(BOTH_SIDES_SHARE).toBe(0.5);
      expect(b.episodes()[0].explanation.kind).toBe('level_shift');
    });

    it('is one episode while a spread test holds it, not one for each run of its points beyond the band', () => {
      // Each anomalous point followed by 3 quiet ones: closed after each without the evidence.
      const build = (holds: boolean) => {
        const b = new EpisodeBuilder();
        for (let i = 0; i < 4; i++) {
          const t = T0 + 4 * i * MINUTE;
          b.push({ timestamp: t, score: 2, direction: 'up', deviation: 300, expected: 1000 }, () => peak);
          for (let k = 1; k <= 3; k++) {
            b.push({ timestamp: t + k * MINUTE, score: 0.1, direction: null, holds }, () => peak);
          }
        }
        return b.episodes();
      };
      expect(build(false)).toHaveLength(4);
      const held = build(true);
      expect(held).toHaveLength(1);
      expect([held[0].start, held[0].end, held[0].open]).toEqual([T0, T0 + 12 * MINUTE, true]);
    });

    it('restores an open episode saved before the absolute sum existed as a level shift so far', () => {
      const a = noise(4);
      const saved = a.snapshot();
      expect(saved.open!.shift!.absSum).toBe(1000);
      delete saved.open!.shift!.absSum;
      const b = new EpisodeBuilder();
      b.restore(saved);
      noise(SUSTAINED_POINTS - 4, false, b);
      // Σ 200 so far read as Σ |·| 200, then 6 points more: Σ 500 of Σ |·| 1,700, a lean of 0.29.
      expect(b.episodes()[0].explanation.kind).toBe('variance_change');
    });
  });

  describe('with an onset estimate (a sequential test’s run, EpisodePoint.onset)', () => {
    /** `points` anomalous points going down; point i says the change began at `onsets[i]` (NaN: unknown). */
    function dropWithOnsets(onsets: number[], builder = new EpisodeBuilder()): EpisodeBuilder {
      onsets.forEach((onset, i) =>
        builder.push(
          { timestamp: T0 + i * MINUTE, score: 2, direction: 'down', deviation: -400, expected: 1000, onset },
          () => peak,
        ),
      );
      return builder;
    }
    const early = (minutes: number) => T0 - minutes * MINUTE;

    it('says "since" the earliest onset its points gave, and when it was first flagged', () => {
      const onsets = [early(4), NaN, early(6), early(2), ...new Array(SUSTAINED_POINTS - 4).fill(NaN)];
      const [e] = dropWithOnsets(onsets).episodes();
      expect(e.start).toBe(T0);
      expect(e.explanation.since).toBe(early(6));
      expect(e.explanation.summary).toMatch(
        /^level shift down since 2024-01-09 05:54 UTC \(flagged from 06:00 UTC\): -400 \(-40 %\)/,
      );
    });

    it('ignores onsets at or after its start, and unknown ones', () => {
      const [e] = dropWithOnsets([
        T0,
        NaN,
        T0 + MINUTE,
        ...new Array(SUSTAINED_POINTS - 3).fill(NaN),
      ]).episodes();
      expect(e.explanation.since).toBe(T0);
      expect(e.explanation.summary).toMatch(/^level shift down since 2024-01-09 06:00 UTC: /);
    });

    it('keeps the onset across a snapshot', () => {
      const a = dropWithOnsets([early(5), NaN, NaN]);
      const b = new EpisodeBuilder();
      b.restore(JSON.parse(JSON.stringify(a.snapshot())));
      drop(SUSTAINED_POINTS, a);
      drop(SUSTAINED_POINTS, b);
      expect(b.episodes()).toEqual(a.episodes());
      expect(b.episodes()[0].explanation.since).toBe(early(5));
    });
  });
});
