import fc from 'fast-check';
import { STATISTICAL_DETECTORS, SeriesScore } from '../contract/score.js';
import { createStream, scoreSeries } from './index.js';
import { backfillMargin } from './batch.js';
import { findScenario } from '../lab/scenarios/catalog.js';
import { nabAnomalyScores } from '../lab/nab/anomalyScores.js';
import { multiplierFor, parseSensitivity } from '../contract/sensitivity.js';

const MIN = 60_000;
const DAY = 1440;

/** Deterministic noise in [-0.5, 0.5). */
function noise(i: number) {
  const x = Math.sin(i * 12.9898 + 78.233) * 43758.5453;
  return x - Math.floor(x) - 0.5;
}

/** Interface traffic: daily seasonality, noise, and a DDoS burst at `spikeAt` for 5 minutes. */
function traffic(n: number, spikeAt = -1, dropAt = -1) {
  const timestamps = Array.from({ length: n }, (_, i) => i * MIN);
  const values = timestamps.map((_, i) => {
    let v = 1000 + 400 * Math.sin((2 * Math.PI * i) / DAY) + 40 * noise(i);
    if (spikeAt >= 0 && i >= spikeAt && i < spikeAt + 5) v *= 6;
    if (dropAt >= 0 && i >= dropAt && i < dropAt + 30) v = 5;
    return v;
  });
  return { timestamps, values };
}

// Neural detectors need a trained model: models/train.test.ts covers them.
const detectors = STATISTICAL_DETECTORS;

describe('score contract', () => {
  it.each(detectors)('%s returns a valid contract with aligned arrays', (detector) => {
    const r = scoreSeries(traffic(3 * DAY, 2 * DAY + 100), { detector });
    expect(() => SeriesScore.parse(r)).not.toThrow();
    const n = r.timestamps.length;
    for (const k of ['values', 'score', 'expected', 'lower', 'upper', 'anomaly', 'direction'] as const) {
      expect(r[k]).toHaveLength(n);
    }
    r.score.forEach((s, i) => {
      expect(s).toBeGreaterThanOrEqual(0);
      expect(r.anomaly[i]).toBe(s >= 1);
      expect(r.direction[i] === null).toBe(!r.anomaly[i]);
    });
    r.lower.forEach((l, i) => {
      if (l !== null) expect(l).toBeLessThanOrEqual(r.upper[i]!);
    });
    expect(r.detector).toBe(detector);
  });

  it('auto finds a DDoS burst and an outage, in the right direction, and explains them', () => {
    const spikeAt = 2 * DAY + 300;
    const dropAt = 2 * DAY + 900;
    const r = scoreSeries(traffic(3 * DAY, spikeAt, dropAt), { options: { causal: true } });
    const up = r.episodes.find((e) => e.start >= spikeAt * MIN && e.start <= (spikeAt + 5) * MIN);
    const down = r.episodes.find((e) => e.start >= dropAt * MIN && e.start <= (dropAt + 30) * MIN);
    expect(up?.direction).toBe('up');
    expect(down?.direction).toBe('down');
    expect(up!.severity).toBeGreaterThanOrEqual(50);
    expect(up!.explanation.actual).toBeGreaterThan(up!.explanation.expected!);
    expect(up!.explanation.summary).toMatch(/up: .* vs expected/);
    // found on the third day, to within half a percent of the true daily period
    expect(Math.abs(r.model.period! - DAY)).toBeLessThanOrEqual(0.005 * DAY);
  });

  it('a quiet seasonal day before the incidents raises few alarms', () => {
    const r = scoreSeries(traffic(3 * DAY), { options: { causal: true } });
    const flagged = r.anomaly.filter(Boolean).length;
    expect(flagged / r.anomaly.length).toBeLessThan(0.01);
  });

  it('a flat series is not always anomalous, and a real step on it is found', () => {
    const flat = {
      timestamps: Array.from({ length: 500 }, (_, i) => i * MIN),
      values: new Array(500).fill(42),
    };
    const r = scoreSeries(flat);
    expect(r.anomaly.some(Boolean)).toBe(false);
    const stepped = { ...flat, values: flat.values.map((v, i) => (i >= 400 ? 84 : v)) };
    expect(
      scoreSeries(stepped, { options: { causal: true } })
        .anomaly.slice(400, 410)
        .some(Boolean),
    ).toBe(true);
  });

  it('in a count series, a single count is not an anomaly and a burst of counts is', () => {
    // errors per minute: mostly 0, now and then 1
    const timestamps = Array.from({ length: 600 }, (_, i) => i * MIN);
    const values: number[] = timestamps.map((_, i) => (noise(i) > 0.45 ? 1 : 0));
    values[500] = 1;
    values[550] = 30;
    const r = scoreSeries({ timestamps, values }, { options: { causal: true } });
    expect(r.anomaly[500]).toBe(false);
    expect(r.anomaly[550]).toBe(true);
  });

  it('states: no_data without values, learning on a short causal series', () => {
    expect(scoreSeries({ timestamps: [0, MIN], values: [null, null] }).state).toBe('no_data');
    expect(scoreSeries({ timestamps: [], values: [] }).state).toBe('no_data');
    const short = traffic(50);
    const causal = scoreSeries(short, { options: { causal: true } });
    expect(causal.state).toBe('learning');
    expect(causal.score.every((s) => s === 0)).toBe(true);
  });

  it('a non-causal request scores its start from the data after it (no blind learning prefix)', () => {
    const data = traffic(600);
    data.values[20] *= 8;
    const batch = scoreSeries(data);
    const causal = scoreSeries(data, { options: { causal: true } });
    expect(causal.score[20]).toBe(0);
    expect(batch.anomaly[20]).toBe(true);
    expect(batch.model.causal).toBe(false);
  });

  it("a non-causal request's learning prefix is scored from the points just after it, whatever the range's end", () => {
    // The backward pass that fills the prefix runs through backfillMargin(warm-up) points after it
    // (it ran through 2,000 whatever the warm-up), so a 12-hour and a 24-hour panel that start at the
    // same minute score their first points the same; the points after the prefix are the forward pass's.
    const day = traffic(DAY, 40);
    const short = { timestamps: day.timestamps.slice(0, 720), values: day.values.slice(0, 720) };
    const long = scoreSeries(day);
    const first = scoreSeries(short);
    const prefix = long.model.learningPoints;
    expect(prefix + backfillMargin(prefix)).toBeLessThan(720);
    expect(first.score.slice(0, prefix)).toEqual(long.score.slice(0, prefix));
    expect(first.expected.slice(0, prefix)).toEqual(long.expected.slice(0, prefix));
    expect(long.anomaly.slice(40, 45)).toContain(true);
    expect(first.score).toEqual(long.score.slice(0, 720));
  });

  it('a business-hours panel opening at 09:00 shows no flag in its backfilled prefix', () => {
    // The backward pass ran from 17:20 back (four warm-ups past the prefix), read the evening's fall as a
    // rise and flagged 88 of the first 100 points; from two warm-ups (14:00) it reads the working day.
    const s = findScenario('clean_sharp_mornings')!.generate(1);
    const from = 10 * DAY + 9 * 60;
    const window = {
      timestamps: s.timestamps.slice(from, from + DAY),
      values: s.values.slice(from, from + DAY),
    };
    const scored = scoreSeries(window);
    const prefix = scored.model.learningPoints;
    expect(scored.expected.slice(0, prefix).every((e) => e !== null)).toBe(true);
    expect(scored.anomaly.slice(0, prefix).filter(Boolean)).toHaveLength(0);
  });

  describe('a non-causal request whose level changes just after its learning prefix', () => {
    /** Six hours at 1-minute steps around 100 (2 % noise), ×`factor` from `at` on, a spike at `spikeAt`. */
    const range = (at: number, factor: number, spikeAt = -1) => ({
      timestamps: Array.from({ length: 360 }, (_, i) => i * MIN),
      values: Array.from(
        { length: 360 },
        (_, i) => (i >= at ? 100 * factor : 100) * (1 + 0.04 * noise(i)) * (i === spikeAt ? 4 : 1),
      ),
    });

    it('does not read the prefix as the change the other way: a drop at two hours is no rise in the first', () => {
      const r = scoreSeries(range(120, 0.6));
      expect(r.model.learningPoints).toBeLessThan(120);
      expect(r.anomaly.slice(0, 120).some(Boolean)).toBe(false);
      expect(r.anomaly[120]).toBe(true);
      expect(r.direction[120]).toBe('down');
      // The prefix points the backward pass (started before the drop) could not score show no band.
      const bandless = r.lower.slice(0, r.model.learningPoints).filter((v) => v === null).length;
      expect(bandless).toBeGreaterThan(0);
    });

    it('a spike after the prefix is no change: the prefix is scored from the data after it as before', () => {
      const spiked = scoreSeries(range(360, 1, 110));
      expect(spiked.anomaly[110]).toBe(true);
      expect(spiked.lower.slice(0, spiked.model.learningPoints).every((v) => v !== null)).toBe(true);
    });

    it('a spike in the prefix is flagged where the pass that starts before the change has learnt enough', () => {
      // The pass runs back from the drop: its own learning covers the prefix's later points (no band, no
      // flag there, the cost of not reading the other level), and it scores the earliest ones.
      const r = scoreSeries(range(120, 0.6, 5));
      expect(r.anomaly[5]).toBe(true);
      expect(r.direction[5]).toBe('up');
      // The spike and at most the point next to it (run backwards, the return from it); the pass that ran
      // back from the end of the range flagged much of these 120 points, mirroring the drop.
      const before = r.anomaly.flatMap((a, i) => (a && i < 120 ? [i] : []));
      expect(before).toContain(5);
      expect(before.every((i) => Math.abs(i - 5) <= 1)).toBe(true);
    });
  });

  it('higher sensitivity never flags fewer points', () => {
    const data = traffic(2 * DAY, DAY + 100);
    const counts = [10, 50, 90].map(
      (sensitivity) =>
        scoreSeries(data, { sensitivity, options: { causal: true } }).anomaly.filter(Boolean).length,
    );
    expect(counts[0]).toBeLessThanOrEqual(counts[1]);
    expect(counts[1]).toBeLessThanOrEqual(counts[2]);
  });

  it('a series learns the same at every sensitivity: another one only rescales its scores and band', () => {
    // A spike, a drop and noise: incidents open at some sensitivities and not at others.
    const data = traffic(3 * DAY, DAY + 100, 2 * DAY + 300);
    const at = (sensitivity: number) => scoreSeries(data, { sensitivity, options: { causal: true } });
    const base = at(50);
    for (const sensitivity of [0, 20, 80, 100]) {
      const r = at(sensitivity);
      const ratio = multiplierFor(parseSensitivity(sensitivity)) / multiplierFor(parseSensitivity(50));
      expect(r.expected).toEqual(base.expected);
      r.score.forEach((s, i) => expect(s * ratio).toBeCloseTo(base.score[i], 9));
      r.upper.forEach((u, i) => {
        const e = base.expected[i];
        if (u === null || e === null || base.upper[i] === null || e < 0) return;
        // Half-widths scale by the ratio (the band is clamped at 0 below, so only the upper side).
        expect(u - e).toBeCloseTo((base.upper[i]! - e) * ratio, 6);
      });
    }
  });

  it('direction "up" ignores dips', () => {
    const data = traffic(3 * DAY, -1, 2 * DAY + 900);
    const r = scoreSeries(data, { options: { causal: true, direction: 'up' } });
    expect(r.episodes.every((e) => e.direction === 'up')).toBe(true);
  });

  it('rejects mismatched lengths and a bad sensitivity with errors that carry the input stage', () => {
    expect(() => scoreSeries({ timestamps: [1, 2], values: [1] })).toThrow(/same length/);
    expect(() => scoreSeries({ timestamps: [1], values: [1] }, { sensitivity: 101 })).toThrow(
      expect.objectContaining({ stage: 'input' }),
    );
  });
});

describe('causality', () => {
  it('causal scores of a prefix do not change when future data is appended (property)', () => {
    const data = traffic(900, 700);
    fc.assert(
      fc.property(fc.integer({ min: 150, max: 850 }), (cut) => {
        const prefix = scoreSeries(
          { timestamps: data.timestamps.slice(0, cut), values: data.values.slice(0, cut) },
          { options: { causal: true } },
        );
        const full = scoreSeries(data, { options: { causal: true } });
        expect(full.score.slice(0, cut)).toEqual(prefix.score);
        expect(full.expected.slice(0, cut)).toEqual(prefix.expected);
      }),
      { numRuns: 8 },
    );
  });

  it('a stream gives the same scores as a causal batch over the same points', () => {
    const data = traffic(2 * DAY, DAY + 500);
    const batch = scoreSeries(data, { options: { causal: true } });
    const stream = createStream();
    const streamed = data.timestamps.map((t, i) => stream.push(t, data.values[i])!.score);
    expect(streamed).toEqual(batch.score);
    expect(stream.episodes().map((e) => e.start)).toEqual(batch.episodes.map((e) => e.start));
  });

  it('a stream and a causal batch group a burst of noise into the same episodes', () => {
    // The spread test holds an open episode whatever a point's score (EpisodePoint.holds); the batch path
    // built its episodes without it, and split this burst into 3 episodes where the stream had 1.
    const s = findScenario('variance_burst')!.generate(2);
    const batch = scoreSeries(s, { options: { causal: true } });
    const stream = createStream({ stepMs: MIN });
    const streamed = s.timestamps.map((t, i) => stream.push(t, s.values[i])!.score);
    expect(streamed).toEqual(batch.score);
    const { start, end } = s.incidents[0];
    const during = (e: { start: number; end: number }) => e.start < end && e.end >= start;
    expect(stream.episodes().filter(during)).toHaveLength(1);
    expect(batch.episodes).toEqual(stream.episodes());
  });

  it('the NAB adapter is causal, in [0, 1], and one score per input row', () => {
    const data = traffic(1200, 1000);
    const full = nabAnomalyScores(data.timestamps, data.values);
    const prefix = nabAnomalyScores(data.timestamps.slice(0, 1100), data.values.slice(0, 1100));
    expect(full).toHaveLength(1200);
    expect(Array.from(full.slice(0, 1100))).toEqual(Array.from(prefix));
    expect(Array.from(full).every((s) => s >= 0 && s <= 1)).toBe(true);
    expect(Math.max(...full.slice(1000, 1005))).toBeGreaterThan(0.5);
  });
});

describe('counters', () => {
  const ts = Array.from({ length: 400 }, (_, i) => i * MIN);
  // 600 bytes a minute, restarting from zero at point 300
  const readings = ts.map((_, i) => (i < 300 ? i * 600 : (i - 300) * 600 + 10) + (i % 2));

  it('batch scoring turns a counter into a rate and a reset is neither a spike nor a dip', () => {
    const r = scoreSeries({ timestamps: ts, values: readings }, { options: { causal: true } });
    expect(r.cleaning).toMatchObject({ counter: true, counterResets: 1 });
    expect(r.values[200]).toBeCloseTo(10, 1);
    expect(r.values[300]).toBeNull();
    expect(r.anomaly.slice(295, 310).some(Boolean)).toBe(false);
  });

  it('a counter stream scores the same rates as the batch path', () => {
    const stream = createStream({ options: { counter: true } });
    const pushed = ts.map((t, i) => stream.push(t, readings[i]));
    expect(pushed[0]!.value).toBeNull();
    expect(pushed[200]!.value).toBeCloseTo(10, 1);
    expect(pushed[300]!.value).toBeNull();
    const batch = scoreSeries(
      { timestamps: ts, values: readings },
      { options: { causal: true, counter: true } },
    );
    expect(pushed.map((p) => p!.score)).toEqual(batch.score);
  });

  it('a stream ignores old or repeated timestamps', () => {
    const stream = createStream();
    expect(stream.push(10_000, 1)).not.toBeNull();
    expect(stream.push(10_000, 5)).toBeNull();
    expect(stream.push(5000, 5)).toBeNull();
  });
});

describe('band of non-negative series', () => {
  /** Around 5 with noise of ±4: the unclamped band reaches below 0. */
  const nearZero = (n: number) => ({
    timestamps: Array.from({ length: n }, (_, i) => i * MIN),
    values: Array.from({ length: n }, (_, i) => 5 + 8 * noise(i)),
  });
  const lowest = (lower: readonly (number | null)[]) =>
    Math.min(...lower.filter((v): v is number => v !== null));

  it.each(detectors)('%s: the band of a series that never went negative stays at or above 0', (detector) => {
    const r = scoreSeries(nearZero(600), { detector, options: { causal: true } });
    expect(lowest(r.lower)).toBe(0);
    for (const v of r.expected) if (v !== null) expect(v).toBeGreaterThanOrEqual(0);
  });

  it('once a negative value is seen the band may go below 0 (and the snapshot remembers it)', () => {
    const s = nearZero(600);
    s.values[300] = -1;
    const r = scoreSeries(s, { detector: 'robust', options: { causal: true } });
    expect(lowest(r.lower.slice(0, 300))).toBe(0);
    expect(lowest(r.lower.slice(301))).toBeLessThan(0);

    const stream = createStream({ detector: 'robust' });
    for (let i = 0; i < 400; i++) stream.push(s.timestamps[i], s.values[i]);
    const snap = stream.snapshot();
    expect(snap.negativeSeen).toBe(true);
  });
});

describe('values at the edge of Float32', () => {
  it('scores a series of −3.4028235677973366e38 (just past Float32) with finite scores, every detector', () => {
    const n = 146;
    const timestamps = Array.from({ length: n }, (_, i) => 1_700_000_000_000 + i * 60_000);
    const values = Array.from({ length: n }, () => -3.4028235677973366e38);
    for (const detector of STATISTICAL_DETECTORS) {
      const r = scoreSeries({ timestamps, values }, { detector, options: { period: 2 } });
      // Before: the seasonal table stored −Infinity and every score was Infinity (null in JSON).
      expect(r.score.every((s) => Number.isFinite(s))).toBe(true);
    }
  });
});
