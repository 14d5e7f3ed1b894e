import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { DETECTOR_STATE_VERSION } from '../detectors/snapshot.js';
import { createStream, restoreStream } from './index.js';
import type { StreamSnapshot } from './snapshot.js';
import { READABLE_DETECTOR_VERSIONS, upgradeStreamSnapshot } from './upgrade.js';

/**
 * main's `auto` stream at 984b40c (detector snapshots version 5: 7 components), its period still detected;
 * or at f186ce4 (version 6: 8 components) or 125bbcf (version 7: 9 components) after 10 days, its daily
 * and weekly seasonality known.
 */
function written(fixture = 'stream-auto-detecting-984b40c'): StreamSnapshot {
  const path = new URL(`../detectors/testing/fixtures/${fixture}.json.gz`, import.meta.url);
  return (JSON.parse(gunzipSync(readFileSync(path)).toString('utf8')) as { snapshot: StreamSnapshot })
    .snapshot;
}

const T0 = Date.UTC(2024, 0, 1);

describe('upgradeStreamSnapshot', () => {
  test('reads the three previous detector versions and its own', () => {
    expect(READABLE_DETECTOR_VERSIONS).toEqual([5, 6, 7, DETECTOR_STATE_VERSION]);
    expect(DETECTOR_STATE_VERSION).toBe(8);
  });

  test.each([
    ['stream-auto-detecting-984b40c', 5, 7],
    ['stream-auto-seasonal-f186ce4', 6, 8],
    ['stream-auto-seasonal-125bbcf', 7, 9],
  ])(
    "gives %s (version %d, %d components) the new components and their calibration as a new stream's",
    (fixture, version, had) => {
      const old = written(fixture);
      expect(old.detector.version).toBe(version);
      expect(old.detector.components).toHaveLength(had);
      const before = JSON.stringify(old);
      let asked: unknown = null;
      const fresh = (params: StreamSnapshot['params']) => {
        asked = params;
        return createStream({ detector: 'auto' }).snapshot() as StreamSnapshot;
      };
      const up = upgradeStreamSnapshot(old, fresh) as StreamSnapshot;
      // The input is not modified; the new stream is built from the snapshot's own params.
      expect(JSON.stringify(old)).toBe(before);
      expect(asked).toEqual(old.params);
      const now = createStream({ detector: 'auto' }).snapshot() as StreamSnapshot;
      expect(up.detector.version).toBe(DETECTOR_STATE_VERSION);
      expect(up.detector.components).toHaveLength(10);
      expect(up.detector.components.slice(0, had)).toEqual(old.detector.components);
      expect(up.detector.components.slice(had)).toEqual(now.detector.components.slice(had));
      expect(up.detector.components[7]).toMatchObject({ type: 'residual_shift', recent: 20, back: 60 });
      // The CUSUM as written where it was (version 7), else as a new stream's.
      expect(up.detector.components[8]).toMatchObject(
        had > 8 ? old.detector.components[8] : { type: 'cusum', profiled: 0, up: 0, down: 0 },
      );
      expect(up.detector.components[9]).toMatchObject({ type: 'spread', sum: 0, runPoints: 0 });
      for (const key of ['range', 'basis', 'saved', 'delayed'] as const) {
        expect(up.calibrator[key]).toHaveLength(10);
        expect(up.calibrator[key]!.slice(0, had)).toEqual(old.calibrator[key]);
        expect(up.calibrator[key]!.slice(had)).toEqual(now.calibrator[key]!.slice(had));
      }
      expect(up.calibrator.tail).toEqual(old.calibrator.tail);
      // Everything else as written.
      const { detector: _d, calibrator: _c, ...rest } = up;
      const { detector: _od, calibrator: _oc, ...oldRest } = old;
      expect(rest).toEqual(oldRest);
    },
  );

  test('only relabels another detector, whose components did not change', () => {
    const stream = createStream({ detector: 'robust' });
    for (let i = 0; i < 150; i++) stream.push(T0 + i * 60_000, 100 + (i % 5));
    const current = stream.snapshot() as StreamSnapshot;
    const old = { ...current, detector: { ...current.detector, version: 6 } };
    const up = upgradeStreamSnapshot(old, () => {
      throw new Error('a robust snapshot needs no new stream');
    });
    expect(up).toEqual(current);
    // …and restores into a stream that continues exactly as the one written.
    const restored = restoreStream(JSON.parse(JSON.stringify(old)));
    for (let i = 150; i < 300; i++) {
      const x = 100 + (i % 5) + (i === 250 ? 40 : 0);
      expect(restored.push(T0 + i * 60_000, x)).toEqual(stream.push(T0 + i * 60_000, x));
    }
  });

  test('leaves other versions and shapes to the restore, which names what it cannot read', () => {
    const old = written();
    const older = { ...old, detector: { ...old.detector, version: 4 } };
    const fail = () => {
      throw new Error('not upgraded');
    };
    expect(upgradeStreamSnapshot(older, fail)).toBe(older);
    expect(upgradeStreamSnapshot(null, fail)).toBeNull();
    expect(upgradeStreamSnapshot({ detector: 5 }, fail)).toEqual({ detector: 5 });
    expect(() => restoreStream(older)).toThrow(
      `invalid stream snapshot: detector.version: is 4; this build reads detector snapshots of version ${DETECTOR_STATE_VERSION}`,
    );
    // A version-5 `auto` snapshot whose params cannot build a stream is refused with their path.
    const broken = { ...old, params: { ...old.params, sensitivity: 'high' } };
    expect(() => restoreStream(broken)).toThrow(/^invalid stream snapshot: params\.sensitivity: /);
  });
});
