import fc from 'fast-check';
import {
  createStream,
  restoreStream,
  type ScoreParams,
  type ScoringStream,
  type StreamPoint,
} from './index.js';
import type { StreamSnapshot } from './snapshot.js';
import { DETECTOR_STATE_VERSION } from '../detectors/snapshot.js';
import { createDetector, restoreDetector } from '../detectors/registry.js';
import { STATISTICAL_DETECTORS, type DetectorName } from '../contract/score.js';

const STEP = 5 * 60_000;
/** A day at 5-minute steps: short enough that the period is found, and the weekly profile joins, quickly. */
const DAY = 288;
const N = 4600;

/** Deterministic noise in [-0.5, 0.5). */
function noise(i: number) {
  const x = Math.sin(i * 12.9898 + 78.233) * 43758.5453;
  return x - Math.floor(x) - 0.5;
}

type Point = [number, number | null];

/**
 * Interface traffic: daily seasonality, a weekend dip, noise, a few missing points, a DDoS burst at
 * `spikeAt` (an incident lasting 6 points) and an outage at `dropAt`.
 */
function traffic(n = N, spikeAt = 2 * DAY + 100, dropAt = 14 * DAY + 40, day = DAY): Point[] {
  return Array.from({ length: n }, (_, i): Point => {
    let v = 1000 + 400 * Math.sin((2 * Math.PI * i) / day) + 40 * noise(i);
    if (Math.floor(i / day) % 7 >= 5) v *= 0.8;
    if (i >= spikeAt && i < spikeAt + 6) v *= 5;
    if (i >= dropAt && i < dropAt + 12) v = 20;
    return [i * STEP, i % 97 === 13 ? null : v];
  });
}

/** The same traffic as byte counter readings (rate × 300 s), with a counter reset at `resetAt`. */
function counterReadings(n = N, resetAt = 3000): Point[] {
  let total = 5e9;
  return traffic(n).map(([t, v], i): Point => {
    if (i === resetAt) total = 0;
    if (v === null) return [t, null];
    total += v * 300;
    return [t, total];
  });
}

const feed = (s: ScoringStream, pts: readonly Point[]): (StreamPoint | null)[] =>
  pts.map(([t, v]) => s.push(t, v));

const throughJson = (s: ScoringStream): ScoringStream =>
  restoreStream(JSON.parse(JSON.stringify(s.snapshot())));

// Neural detectors need a trained model and are not snapshotted (detectors/neural.ts).
const detectors: DetectorName[] = [...STATISTICAL_DETECTORS];

/** Each case: its parameters, its points, and what one uninterrupted stream outputs over them. */
interface Case {
  name: string;
  params: ScoreParams;
  points: Point[];
  outputs: (StreamPoint | null)[];
  final: ReturnType<ScoringStream['snapshot']>;
  episodes: ReturnType<ScoringStream['episodes']>;
  state: ReturnType<ScoringStream['state']>;
}
const cases = new Map<string, Case>();
function reference(name: string, params: ScoreParams, points: Point[]): Case {
  const key = `${name}:${JSON.stringify(params)}`;
  let c = cases.get(key);
  if (!c) {
    const s = createStream(params);
    const outputs = feed(s, points);
    c = { name, params, points, outputs, final: s.snapshot(), episodes: s.episodes(), state: s.state() };
    cases.set(key, c);
  }
  return c;
}

/**
 * Stream the first `at` points, snapshot → JSON → restore, feed the rest to the restored stream, and
 * expect exactly what the uninterrupted stream produced (points, episodes, state, final snapshot).
 * With `original`, also feeds the rest to the snapshotted stream: taking a snapshot does not disturb it.
 */
function expectSeamless(c: Case, at: number, check?: (snap: StreamSnapshot) => void, original = false) {
  const first = createStream(c.params);
  feed(first, c.points.slice(0, at));
  const snap = first.snapshot();
  check?.(snap);
  const restored = throughJson(first);
  expect(restored.snapshot()).toEqual(snap);
  const rest = c.points.slice(at);
  const expected = c.outputs.slice(at);
  expect(feed(restored, rest)).toEqual(expected);
  if (original) {
    expect(feed(first, rest)).toEqual(expected);
    expect(first.episodes()).toEqual(c.episodes);
  }
  expect(restored.episodes()).toEqual(c.episodes);
  expect(restored.state()).toBe(c.state);
  expect(restored.snapshot()).toEqual(c.final);
}

const firstAnomaly = (c: Case, from: number) => c.outputs.findIndex((p, i) => i >= from && p?.anomaly);

describe('stream snapshots continue bit for bit', () => {
  describe.each(detectors)('%s', (detector) => {
    const c = () => reference(detector, { detector }, traffic());

    it('at an arbitrary point in the middle of the series', () => {
      expectSeamless(c(), 2345, undefined, true);
    });

    it('in the middle of an episode', () => {
      const i = firstAnomaly(c(), 2 * DAY + 100);
      expect(i).toBeGreaterThan(0);
      expectSeamless(c(), i + 1, (snap) => expect(snap.episodes.open).not.toBeNull());
    });

    it('while still learning, and before any point', () => {
      expectSeamless(c(), 50, (snap) => expect(snap.valid).toBeLessThan(100));
      expectSeamless(c(), 0, (snap) => expect(snap.lastTimestamp).toBe('-Infinity'));
    });
  });

  it('seasonal: before the period is detected, with a weekly multiple pending, and once the history is released', () => {
    for (const detector of ['seasonal', 'auto'] as const) {
      const c = reference(detector, { detector }, traffic());
      const seasonal = (snap: StreamSnapshot) => {
        const s = snap.detector.components[0];
        if (s.type !== 'fallback' || s.primary.type !== 'seasonal') throw new Error('no seasonal component');
        return s.primary;
      };
      expectSeamless(c, 390, (snap) => expect(seasonal(snap).profiles).toHaveLength(0));
      expectSeamless(c, 2000, (snap) => {
        const [daily, ...more] = seasonal(snap).profiles.map((p) => p.period);
        expect(Math.abs(daily - DAY)).toBeLessThanOrEqual(0.02 * DAY);
        expect(more).toEqual([]);
        expect(seasonal(snap).pending).toEqual([7 * daily]);
        expect(seasonal(snap).history).not.toBeNull();
      });
      expectSeamless(c, 4300, (snap) => {
        const [daily, ...more] = seasonal(snap).profiles.map((p) => p.period);
        expect(more).toEqual([7 * daily]);
        expect(seasonal(snap).history).toBeNull();
      });
    }
  });

  it('a daily period at 1-minute steps (no weekly profile fits the history), found on the third day', () => {
    const points = traffic(4 * 1440, 3 * 1440 + 100, -1, 1440).map(([, v], i): Point => [i * 60_000, v]);
    const c = reference('auto-1min', {}, points);
    expectSeamless(c, 3 * 1440 + 50);
  });

  it.each(detectors)(
    '%s with counters: rates, the reset and the counter state continue exactly',
    (detector) => {
      const c = reference(`${detector}-counter`, { detector, options: { counter: true } }, counterReadings());
      expect(c.outputs[3000]!.value).toBeNull();
      expectSeamless(c, 2999, (snap) => expect(snap.counter).toMatchObject({ resets: 0 }));
      expectSeamless(c, 3001, (snap) => expect(snap.counter).toMatchObject({ resets: 1 }));
    },
  );

  it('parameters travel with the snapshot (sensitivity, direction, fixed period, minimum episode length)', () => {
    const params: ScoreParams = {
      detector: 'auto',
      sensitivity: 80,
      options: { direction: 'up', period: DAY, minEpisodePoints: 2 },
    };
    const c = reference('auto-params', params, traffic());
    expectSeamless(c, 1500, (snap) =>
      expect(snap.params).toEqual({
        detector: 'auto',
        sensitivity: 80,
        direction: 'up',
        period: DAY,
        minEpisodePoints: 2,
        acceptNewLevelAfter: 86_400_000,
        counter: false,
      }),
    );
  });

  it('old and repeated timestamps are still ignored after a restore', () => {
    const s = createStream();
    feed(s, traffic(10));
    const r = throughJson(s);
    expect(r.push(9 * STEP, 5)).toBeNull();
    expect(r.push(10 * STEP, 5)).not.toBeNull();
  });

  it('snapshot → restore at any point gives the same continuation (property)', () => {
    const all = detectors.map((detector) => reference(detector, { detector }, traffic()));
    fc.assert(
      fc.property(fc.constantFrom(...all), fc.integer({ min: 0, max: N }), (c, at) => {
        expectSeamless(c, at);
      }),
      { numRuns: 10 },
    );
  });

  it('a snapshot survives several restores in a row (property over the cut points)', () => {
    const c = reference('robust', { detector: 'robust' }, traffic());
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: N - 1 }), { minLength: 1, maxLength: 4 }),
        (cuts) => {
          let s = createStream(c.params);
          let from = 0;
          const out: (StreamPoint | null)[] = [];
          for (const cut of [...cuts].sort((a, b) => a - b)) {
            out.push(...feed(s, c.points.slice(from, cut)));
            s = throughJson(s);
            from = cut;
          }
          out.push(...feed(s, c.points.slice(from)));
          expect(out).toEqual(c.outputs);
          expect(s.episodes()).toEqual(c.episodes);
        },
      ),
      { numRuns: 6 },
    );
  });
});

describe('detector snapshots', () => {
  it.each(detectors)('%s: restoreDetector continues with identical deviations', (detector) => {
    const points = traffic();
    const a = createDetector(detector);
    for (let i = 0; i < 3000; i++) a.update(points[i][1] ?? NaN);
    const b = restoreDetector(JSON.parse(JSON.stringify(a.snapshot())));
    for (let i = 3000; i < 3600; i++) {
      const x = points[i][1] ?? NaN;
      const sa = a.update(x);
      const sb = b.update(x);
      expect(sb).toEqual(sa);
    }
    expect(b.period()).toBe(a.period());
    expect(b.snapshot()).toEqual(a.snapshot());
  });
});

describe('corrupt snapshots give a clear error', () => {
  const base = () => {
    const s = createStream({ detector: 'robust' });
    feed(s, traffic(600));
    return JSON.parse(JSON.stringify(s.snapshot()));
  };
  const seasonalBase = () => {
    const s = createStream({ detector: 'seasonal' });
    feed(s, traffic(2000));
    return JSON.parse(JSON.stringify(s.snapshot()));
  };
  const kmeansBase = () => {
    const s = createStream({ detector: 'kmeans' });
    feed(s, traffic(600));
    return JSON.parse(JSON.stringify(s.snapshot()));
  };
  const fails = (snap: unknown, message: RegExp) => {
    expect(() => restoreStream(snap)).toThrow(
      expect.objectContaining({ name: 'EngineError', stage: 'input' }),
    );
    expect(() => restoreStream(snap)).toThrow(/^invalid stream snapshot: /);
    expect(() => restoreStream(snap)).toThrow(message);
  };

  it('not a snapshot at all', () => {
    fails(null, /expected object/);
    fails('{"version":1}', /expected object/);
    fails({}, /version: .*expected 2/);
  });

  it('another format version, of the stream or of its detector', () => {
    // Version 1 streams learnt every point as normal; their state cannot be continued by the gated scorer.
    fails(
      { ...base(), version: 1 },
      /^invalid stream snapshot: version: is 1; this build reads stream snapshots of version 2$/,
    );
    const s = base();
    s.detector.version = DETECTOR_STATE_VERSION + 1;
    fails(
      s,
      new RegExp(
        `detector\\.version: is ${DETECTOR_STATE_VERSION + 1}; this build reads detector snapshots of version ${DETECTOR_STATE_VERSION}$`,
      ),
    );
  });

  it('a missing field is named by its path', () => {
    const s = base();
    delete s.detector.components[0].win;
    fails(s, /detector\.components\[0\]\.win: .*expected object, received undefined/);
    const t = base();
    delete t.params.sensitivity;
    fails(t, /params\.sensitivity: .*expected number/);
    const u = base();
    delete u.episodes;
    fails(u, /episodes: /);
  });

  it('the wrong detector: names that disagree, or components of another detector', () => {
    const s = base();
    s.params.detector = 'auto';
    fails(s, /detector\.detector: is "robust" but params\.detector is "auto"/);
    const t = base();
    t.params.detector = 'kmeans';
    t.detector.detector = 'kmeans';
    fails(t, /detector\.components: has 4 components, detector "kmeans" has 1/);
    const u = base();
    u.detector.components[0] = u.detector.components[1];
    fails(u, /detector\.components\[0\]\.type: is "ewma", this detector has a rolling_median component here/);
    const v = base();
    v.params.detector = 'nonsense';
    fails(v, /params\.detector: /);
    const w = base();
    w.detector.components[2].type = 'lstm';
    fails(w, /detector\.components\[2\]\.type: unknown component type, expected one of rolling_median, /);
  });

  it('truncated or overlong arrays', () => {
    const s = base();
    s.calibrator.range = s.calibrator.range.slice(0, 2);
    fails(s, /calibrator\.range: has 2 values, a detector with 4 components needs 4/);
    const t = base();
    t.detector.components[0].win.values.pop();
    fails(
      t,
      /detector\.components\[0\]\.win\.head: is \d+, but a ring holding 99 of 100 values has it at 99/,
    );
    const u = base();
    u.detector.components[3].delay.values.push(1, 2);
    fails(u, /detector\.components\[3\]\.delay\.values: has 12 values, the ring holds 10/);
    const v = seasonalBase();
    const profile = v.detector.components[0].primary.profiles[0];
    profile.cycles = profile.cycles.slice(0, 100);
    fails(
      v,
      /detector\.components\[0\]\.primary\.profiles\[0\]\.cycles: has 100 values, period \d+ × 3 seasons needs \d+/,
    );
    const w = kmeansBase();
    w.detector.components[0].train.length -= 3;
    fails(w, /detector\.components\[0\]\.train: has \d+ values, trainCount \d+ × 6 dimensions needs \d+/);
  });

  it('values that are not encoded numbers, and window sizes this build does not use', () => {
    const s = base();
    s.detector.components[0].win.values[3] = 'NaN';
    fails(
      s,
      /detector\.components\[0\]\.win\.values\[3\]: expected a number, or null \(NaN\), "Infinity", "-Infinity" or "-0"/,
    );
    const t = base();
    t.detector.components[0].window = 50;
    fails(t, /detector\.components\[0\]\.window: is 50, this build expects 100/);
    const u = base();
    u.detector.components[0].win.values[5] = null;
    fails(
      u,
      /detector\.components\[0\]\.win\.values: holds null \(NaN\); a sorted window holds numbers only/,
    );
  });

  it('counter state that disagrees with the parameters', () => {
    const s = base();
    s.params.counter = true;
    fails(s, /counter: is null but params\.counter is true/);
  });

  it('an intact snapshot still restores after all of this', () => {
    expect(() => restoreStream(base())).not.toThrow();
    expect(() => restoreStream(seasonalBase())).not.toThrow();
    expect(() => restoreStream(kmeansBase())).not.toThrow();
  });
});
