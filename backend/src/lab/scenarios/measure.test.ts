/** The scenario figures on hand-built scored series: every metric, and the degenerate inputs. */
import { measure, firstScoredIndex, stepOf, type Labels, type ScoredSeries } from './measure.js';

const T0 = Date.UTC(2024, 0, 1);
const STEP = 60_000;
const DAY = 86_400_000;
const at = (i: number) => T0 + i * STEP;
const win = (from: number, to: number) => ({ start: at(from), end: at(to) });

/** A series of n points scored 0 except `scores` (index → score); anomaly = score ≥ 1. */
function scored(
  n: number,
  scores: Record<number, number> = {},
  episodes: { from: number; to: number; peak?: number }[] = [],
  learningPoints = 0,
): ScoredSeries {
  const score = Array.from({ length: n }, (_, i) => scores[i] ?? 0);
  return {
    timestamps: Array.from({ length: n }, (_, i) => at(i)),
    values: Array.from({ length: n }, () => 1),
    score,
    anomaly: score.map((s) => s >= 1),
    episodes: episodes.map((e) => ({ start: at(e.from), end: at(e.to), peakScore: e.peak ?? 1 })),
    learningPoints,
  };
}

const clean: Labels = { incidents: [], kind: 'clean' };

describe('scenario measures', () => {
  test('an empty series: nothing detected, nothing scored, no rates', () => {
    const m = measure(scored(0), { incidents: [win(0, 10)], kind: 'incident' });
    expect(m).toEqual({
      incidents: 1,
      detected: 0,
      onsetDelay: null,
      coverage: null,
      afterEnd: null,
      bandTwin: null,
      falseEpisodes: 0,
      scoredDays: 0,
      falsePerDay: null,
      falseMinutesPerDay: null,
      lastFirstRatio: null,
      recurrences: 0,
      flaggedRecurrences: 0,
    });
  });

  test('an all-missing series is never past learning and covers nothing', () => {
    const s = scored(100);
    const allNaN = { ...s, values: s.values.map(() => NaN), learningPoints: 10 };
    expect(firstScoredIndex(allNaN)).toBe(100);
    const m = measure(allNaN, { incidents: [win(20, 30)], kind: 'incident' });
    expect(m).toMatchObject({ detected: 0, onsetDelay: null, coverage: 0, scoredDays: 0, falsePerDay: null });
    // null values count as missing too.
    expect(firstScoredIndex({ ...allNaN, values: allNaN.values.map(() => null) })).toBe(100);
  });

  test('no incidents: every episode is false, per day scored after learning', () => {
    const n = 1440 + 100;
    const m = measure(
      scored(
        n,
        { 500: 2, 900: 1.5 },
        [
          { from: 500, to: 500 },
          { from: 900, to: 903 },
        ],
        100,
      ),
      clean,
    );
    expect(m.scoredDays).toBeCloseTo(1, 12);
    expect(m.falseEpisodes).toBe(2);
    expect(m.falsePerDay).toBeCloseTo(2, 12);
    // One point, then points 900–903: 1 + 4 minutes at a 1-minute step.
    expect(m.falseMinutesPerDay).toBeCloseTo(5, 12);
    expect(m).toMatchObject({
      incidents: 0,
      detected: 0,
      onsetDelay: null,
      coverage: null,
      lastFirstRatio: null,
    });
  });

  test('the learning prefix counts valid values only', () => {
    const s = scored(10, {}, [], 3);
    const values = [null, 1, NaN, 1, 1, 1, 1, 1, 1, 1];
    expect(firstScoredIndex({ ...s, values })).toBe(5);
    expect(stepOf(s.timestamps)).toBe(STEP);
    expect(stepOf([])).toBe(0);
  });

  test('detection, onset delay and coverage of one incident', () => {
    // Incident [100, 110): flagged from its 3rd point on for 4 points.
    const s = scored(300, { 102: 1.2, 103: 3, 104: 2, 105: 1 }, [{ from: 102, to: 105, peak: 3 }]);
    const m = measure(s, { incidents: [win(100, 110)], kind: 'incident' });
    expect(m).toMatchObject({ incidents: 1, detected: 1, onsetDelay: 2, coverage: 0.4, falseEpisodes: 0 });
  });

  test('after end: the share of the grace after each incident still flagged', () => {
    // Incidents [100, 110) and [200, 210); 3 of the 30 points after the first, 0 after the second.
    const s = scored(400, { 105: 2, 110: 2, 111: 2, 139: 2, 140: 2, 205: 2 });
    const labels: Labels = { incidents: [win(100, 110), win(200, 210)], kind: 'repeated' };
    expect(measure(s, labels).afterEnd).toBeCloseTo(3 / 60, 12);
    expect(measure(s, labels, { gracePoints: 31 }).afterEnd).toBeCloseTo(4 / 62, 12);
    // The grace past the series' end is not on the grid; no incident, nothing after one.
    expect(measure(scored(215, { 212: 2 }), { incidents: [win(200, 210)], kind: 'incident' }).afterEnd).toBe(
      0.2,
    );
    expect(measure(s, clean).afterEnd).toBeNull();
  });

  test('after end leaves out points inside another incident, and counts overlapping graces once', () => {
    // Flaps [100, 103), [108, 111), [116, 119): the points after them are 103–107, 111–115 and 119–140.
    const labels: Labels = { incidents: [win(100, 103), win(108, 111), win(116, 119)], kind: 'repeated' };
    const flags = { 101: 2, 104: 2, 109: 2, 117: 2, 130: 2 };
    const m = measure(scored(300, flags), labels, { gracePoints: 22 });
    expect(m.afterEnd).toBeCloseTo(2 / (5 + 5 + 22), 12);
  });

  test("band/twin: the band over the points after the incidents ÷ the twin's there, where both have one", () => {
    const labels: Labels = { incidents: [win(100, 110), win(200, 210)], kind: 'repeated' };
    const banded = (width: (i: number) => number | null): ScoredSeries => ({
      ...scored(400),
      lower: Array.from({ length: 400 }, (_, i) => (width(i) === null ? null : 10)),
      upper: Array.from({ length: 400 }, (_, i) => {
        const w = width(i);
        return w === null ? null : 10 + w;
      }),
    });
    const twin = banded(() => 4);
    // 6 wide for the 30 points after the first incident, 4 after the second: (30 × 6 + 30 × 4) ÷ (60 × 4).
    const wider = banded((i) => (i >= 110 && i < 140 ? 6 : 4));
    expect(measure(wider, labels, {}, twin).bandTwin).toBeCloseTo(300 / 240, 12);
    // Inside the incidents and elsewhere the band is not read.
    expect(
      measure(
        banded((i) => (i < 110 || i >= 240 ? 50 : 4)),
        labels,
        {},
        twin,
      ).bandTwin,
    ).toBe(1);
    // Points without a band on either side are left out; no twin, no band or no incident: not measured.
    expect(
      measure(
        banded((i) => (i >= 110 && i < 140 ? null : 4)),
        labels,
        {},
        twin,
      ).bandTwin,
    ).toBe(1);
    expect(measure(wider, labels).bandTwin).toBeNull();
    expect(measure(scored(400), labels, {}, twin).bandTwin).toBeNull();
    expect(measure(wider, clean, {}, twin).bandTwin).toBeNull();
  });

  test('points just outside the window neither detect nor cover it', () => {
    const s = scored(300, { 99: 5, 110: 5 }, [{ from: 110, to: 110 }]);
    const m = measure(s, { incidents: [win(100, 110)], kind: 'incident' });
    expect(m).toMatchObject({ detected: 0, onsetDelay: null, coverage: 0 });
    // The episode right after the end is within the grace: not a false one.
    expect(m.falseEpisodes).toBe(0);
  });

  test('an episode past the grace after an incident is false; the grace is configurable', () => {
    const s = scored(400, { 105: 2, 140: 2, 200: 2 }, [
      { from: 105, to: 105 },
      { from: 140, to: 140 },
      { from: 200, to: 200 },
    ]);
    const labels: Labels = { incidents: [win(100, 110)], kind: 'incident' };
    // Grace 30 points after the end (110): the window extends to 140 exclusive.
    expect(measure(s, labels).falseEpisodes).toBe(2);
    expect(measure(s, labels, { gracePoints: 31 }).falseEpisodes).toBe(1);
    expect(measure(s, labels, { gracePoints: 0 }).falseEpisodes).toBe(2);
    // An episode that began before the incident and runs into it belongs to it.
    const early = scored(400, { 95: 2 }, [{ from: 95, to: 101 }]);
    expect(measure(early, labels).falseEpisodes).toBe(0);
  });

  test('median onset over detected incidents only', () => {
    const s = scored(500, { 101: 1, 205: 1, 300: 1 });
    const m = measure(s, {
      incidents: [win(100, 110), win(200, 210), win(300, 310), win(400, 410)],
      kind: 'repeated',
    });
    expect(m.detected).toBe(3);
    expect(m.onsetDelay).toBe(1); // delays 1, 5, 0
    expect(m.coverage).toBeCloseTo(3 / 40, 12);
  });

  test('last/first peak ratio for repeated incidents, from scores below the boundary too', () => {
    const s = scored(500, { 105: 4, 205: 2, 305: 0.5 });
    const labels: Labels = { incidents: [win(100, 110), win(200, 210), win(300, 310)], kind: 'repeated' };
    expect(measure(s, labels).lastFirstRatio).toBeCloseTo(0.125, 12);
    // Not for a single incident, not for other kinds, and not when the first never scored.
    expect(measure(s, { incidents: [win(100, 110)], kind: 'repeated' }).lastFirstRatio).toBeNull();
    expect(measure(s, { ...labels, kind: 'incident' }).lastFirstRatio).toBeNull();
    expect(measure(scored(500, { 305: 1 }), labels).lastFirstRatio).toBeNull();
  });

  test('flagged recurrences are counted separately, and their episodes are false', () => {
    const s = scored(1000, { 100: 2, 300: 2, 500: 0.9, 700: 1 }, [
      { from: 100, to: 100 },
      { from: 300, to: 300 },
      { from: 700, to: 700 },
    ]);
    const m = measure(s, {
      incidents: [win(100, 105)],
      recurrences: [win(300, 305), win(500, 505), win(700, 705)],
      kind: 'recurring',
    });
    expect(m).toMatchObject({ recurrences: 3, flaggedRecurrences: 2, detected: 1, falseEpisodes: 2 });
  });

  test('incidents are found by time, so a grid that starts later still lines up', () => {
    const s = scored(100, { 10: 1 });
    const shifted = { ...s, timestamps: s.timestamps.map((t) => t + 50 * STEP) };
    const m = measure(shifted, { incidents: [win(60, 62)], kind: 'incident' });
    expect(m).toMatchObject({ detected: 1, onsetDelay: 0, coverage: 0.5 });
    expect(m.scoredDays).toBeCloseTo((100 * STEP) / DAY, 12);
  });
});
