/**
 * The tolerance a false positive teaches (toleranceFor) and how it is applied (applyTolerances): the
 * bounds (direction, daily window wrapping midnight, 1.2 × the peak capped at 20 band half-widths, no
 * episode over 6 hours), and on any points the score contract still holds: anomalous exactly when
 * outside [lower, upper], and exactly when the score is ≥ 1. Training data masks a marked incident.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import type { Episode } from '../contract/score.js';
import { FeedbackTable, isFeedbackRefusal, Store } from '../store/index.js';
import type { PointColumns } from './ring.js';
import { applyTolerances, DAY_MS, FeedbackEffects, toleranceFor, type Tolerance } from './feedback.js';

const MIN = 60_000;
const T = Date.UTC(2025, 0, 13, 23, 50);

function cols(
  rows: [t: number, v: number, e: number, lo: number, hi: number, score: number][],
): PointColumns {
  return {
    timestamps: rows.map((r) => r[0]),
    values: rows.map((r) => r[1]),
    expected: rows.map((r) => r[2]),
    lower: rows.map((r) => r[3]),
    upper: rows.map((r) => r[4]),
    score: rows.map((r) => r[5]),
    anomaly: rows.map((r) => r[1] < r[3] || r[1] > r[4]),
    direction: rows.map((r) => (r[1] > r[4] ? 'up' : r[1] < r[3] ? 'down' : null)),
  };
}

describe('toleranceFor', () => {
  test('the peak deviation × 1.2, in the episode direction, over its time of day ± 30 min (across midnight)', () => {
    const points = cols([
      [T, 150, 100, 90, 110, 2.5],
      [T + 10 * MIN, 180, 100, 90, 110, 4],
      [T + 20 * MIN, 130, 100, 90, 110, 1.5],
    ]);
    const out = toleranceFor({ start: T, end: T + 20 * MIN, direction: 'up' }, points, DAY_MS);
    expect(out).toEqual({
      peakDeviation: 80,
      tolerance: {
        direction: 'up',
        periodMs: DAY_MS,
        fromMs: (23 * 60 + 20) * MIN,
        toMs: 40 * MIN,
        magnitude: 96,
        capped: false,
        bothSides: false,
      },
    });
  });

  test('an episode explained as a variance change: both sides, 1.2 × the larger side’s peak', () => {
    // Points on both sides of 100; the episode's direction (its peak score's) is up, the larger
    // deviation below.
    const points = cols([
      [T, 150, 100, 90, 110, 5],
      [T + 10 * MIN, 30, 100, 90, 110, 7],
      [T + 20 * MIN, 140, 100, 90, 110, 4],
    ]);
    const episode = { start: T, end: T + 20 * MIN, direction: 'up' as const };
    const out = toleranceFor({ ...episode, explanation: { kind: 'variance_change' } }, points, DAY_MS);
    expect(out).toMatchObject({
      peakDeviation: 70,
      tolerance: { direction: 'up', magnitude: 84, bothSides: true, capped: false },
    });
    // Any other kind: its direction only.
    expect(toleranceFor({ ...episode, explanation: { kind: 'level_shift' } }, points, DAY_MS)).toMatchObject({
      peakDeviation: 50,
      tolerance: { direction: 'up', magnitude: 60, bothSides: false },
    });
  });

  test('another season: the same point of it ± 1/48 of the period; no season: any time', () => {
    const points = cols([[T, 150, 100, 90, 110, 2.5]]);
    // A 4-hour season (the simulator's day at 6× speed): T is 3:50 into it; ± 5 minutes.
    expect(toleranceFor({ start: T, end: T, direction: 'up' }, points, 4 * 60 * MIN)).toMatchObject({
      tolerance: { periodMs: 4 * 60 * MIN, fromMs: (3 * 60 + 45) * MIN, toMs: (3 * 60 + 55) * MIN },
    });
    expect(toleranceFor({ start: T, end: T, direction: 'up' }, points, null)).toMatchObject({
      tolerance: { periodMs: null, fromMs: null, toMs: null, magnitude: 60 },
    });
  });

  test('capped at 20 half-widths of the band at the peak', () => {
    const points = cols([[T, 1000, 100, 90, 110, 50]]);
    expect(toleranceFor({ start: T, end: T, direction: 'up' }, points, DAY_MS)).toMatchObject({
      peakDeviation: 900,
      tolerance: { magnitude: 200, capped: true },
    });
  });

  test('refused: an episode over a quarter of the season (6 hours without one), or with no retained point on its side', () => {
    const points = cols([[T, 80, 100, 90, 110, 1.5]]);
    const long = { start: T, end: T + 7 * 60 * MIN, direction: 'up' } as const;
    expect(toleranceFor(long, points, DAY_MS)).toMatchObject({
      problem: expect.stringContaining('at most 360 minutes'),
    });
    expect(toleranceFor(long, points, null)).toMatchObject({
      problem: expect.stringContaining('at most 360 minutes'),
    });
    expect(toleranceFor({ ...long, end: T + 70 * MIN }, points, 4 * 60 * MIN)).toMatchObject({
      problem: expect.stringContaining('at most 60 minutes'),
    });
    expect(toleranceFor({ start: T, end: T, direction: 'up' }, points, DAY_MS)).toMatchObject({
      problem: expect.stringContaining('no point of the episode'),
    });
  });
});

describe('applyTolerances', () => {
  const tol: Tolerance = {
    direction: 'up',
    periodMs: DAY_MS,
    fromMs: 23 * 60 * MIN,
    toMs: 60 * MIN,
    magnitude: 100,
    capped: false,
    bothSides: false,
  };

  test('inside: not anomalous, score scaled below 1, band widened; beyond it, down, or outside the window: as before', () => {
    const c = cols([
      [T, 180, 100, 90, 110, 4], // inside the window, within the magnitude
      [T + MIN, 250, 100, 90, 110, 15], // beyond the magnitude
      [T + 2 * MIN, 40, 100, 90, 110, 3], // the other direction
      [T + 3 * 60 * MIN, 180, 100, 90, 110, 4], // 02:50, outside the window
    ]);
    expect(applyTolerances([tol], c)).toEqual([T]);
    expect(c.anomaly).toEqual([false, true, true, true]);
    expect(c.upper).toEqual([200, 200, 200, 110]);
    expect(c.score[0]).toBeCloseTo(0.4);
    expect(c.score[1]).toBeCloseTo(1.5);
    expect(c.score.slice(2)).toEqual([3, 4]);
    expect(c.direction).toEqual([null, 'up', 'down', 'up']);
  });

  test('on both sides (a variance change): the other direction within the magnitude is tolerated too', () => {
    const c = cols([
      [T, 180, 100, 90, 110, 4],
      [T + MIN, 40, 100, 90, 110, 3], // below, within the magnitude
      [T + 2 * MIN, -20, 100, 90, 110, 12], // below, beyond it
    ]);
    expect(applyTolerances([{ ...tol, bothSides: true }], c)).toEqual([T, T + MIN]);
    expect(c.anomaly).toEqual([false, false, true]);
    expect(c.lower).toEqual([0, 0, 0]);
    expect(c.upper).toEqual([200, 200, 200]);
    expect(c.score[1]).toBeCloseTo(0.3);
    expect(c.score[2]).toBeCloseTo(1.2);
  });

  test('on any points: anomalous ⇔ outside the band ⇔ score ≥ 1', () => {
    const point = fc.record({
      minute: fc.integer({ min: 0, max: 2 * 24 * 60 }),
      value: fc.double({ min: -500, max: 1500, noNaN: true }),
      expected: fc.double({ min: 0, max: 1000, noNaN: true }),
      below: fc.double({ min: 0.1, max: 200, noNaN: true }),
      above: fc.double({ min: 0.1, max: 200, noNaN: true }),
    });
    const tolerance = fc.record({
      direction: fc.constantFrom('up' as const, 'down' as const),
      periodMs: fc.constantFrom(DAY_MS, 4 * 60 * MIN, null),
      fromMs: fc.integer({ min: 0, max: 24 * 60 - 1 }).map((m) => m * MIN),
      toMs: fc.integer({ min: 0, max: 24 * 60 - 1 }).map((m) => m * MIN),
      magnitude: fc.double({ min: 0.1, max: 2000, noNaN: true }),
      capped: fc.constant(false),
      bothSides: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(point, { maxLength: 30 }), fc.array(tolerance, { maxLength: 3 }), (ps, tols) => {
        const c = cols(
          ps.map((p) => {
            const lo = p.expected - p.below;
            const hi = p.expected + p.above;
            // A score consistent with the band: the deviation in half-widths.
            const score =
              p.value > p.expected ? (p.value - p.expected) / p.above : (p.expected - p.value) / p.below;
            return [T + p.minute * MIN, p.value, p.expected, lo, hi, score];
          }),
        );
        applyTolerances(tols, c);
        c.timestamps.forEach((_, i) => {
          const outside = c.values[i]! < c.lower[i]! || c.values[i]! > c.upper[i]!;
          expect(c.anomaly[i]).toBe(outside);
          expect(c.score[i] >= 1).toBe(outside);
        });
      }),
    );
  });
});

describe('true incidents (FeedbackEffects over a real store)', () => {
  let dir: string;
  let store: Store;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tl-feedback-effects-'));
    store = Store.open({ path: join(dir, 'trafficlens.db') });
  });
  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const incident = (key: string, start: number, end: number | null) => ({
    job: 'edge',
    seriesKey: key,
    labels: { k: key },
    episodeStart: start,
    episodeEnd: end,
    verdict: 'true_incident' as const,
    direction: 'up' as const,
    note: '',
    author: '',
    peakDeviation: null,
    tolerance: null,
  });

  test('held: a closed one over its span, an open one from its start on; masked out of training data', () => {
    const table = new FeedbackTable(store);
    table.create(incident('a', T + 2 * MIN, T + 3 * MIN), T);
    table.create(incident('a', T + 10 * MIN, null), T);
    table.create({ ...incident('a', T + 5 * MIN, T + 6 * MIN), job: 'other' }, T);
    const effects = new FeedbackEffects(table, 'edge');
    expect(effects.heldIntervals('a', T, T + 60 * MIN)).toEqual([
      { start: T + 2 * MIN, end: T + 3 * MIN + 1 },
      { start: T + 10 * MIN, end: Infinity },
    ]);
    expect(effects.heldIntervals('b', T, T + 60 * MIN)).toEqual([]);
    const timestamps = Array.from({ length: 12 }, (_, i) => T + i * MIN);
    const masked = effects.maskIncidents('a', {
      labels: { k: 'a' },
      timestamps,
      values: timestamps.map(() => 1),
    });
    expect(masked.values).toEqual([1, 1, null, null, 1, 1, 1, 1, 1, 1, null, null]);
  });

  test('closeIncidents records the end once the episode closed; one the series lost ends when it was marked', () => {
    const table = new FeedbackTable(store);
    const open = table.create(incident('a', T, null), T + 5 * MIN);
    const lost = table.create(incident('b', T, null), T + 7 * MIN);
    if (isFeedbackRefusal(open) || isFeedbackRefusal(lost)) throw new Error('refused');
    const effects = new FeedbackEffects(table, 'edge');
    const episode = { start: T, end: T + 9 * MIN, open: true } as Episode;
    effects.closeIncidents([{ key: 'a', episodes: [episode] }]);
    expect(table.get(open.id)?.episodeEnd).toBeNull();
    effects.closeIncidents([
      { key: 'a', episodes: [{ ...episode, open: false }] },
      { key: 'b', episodes: [] },
    ]);
    expect(table.get(open.id)?.episodeEnd).toBe(T + 9 * MIN);
    expect(table.get(lost.id)?.episodeEnd).toBe(T + 7 * MIN);
  });
});
