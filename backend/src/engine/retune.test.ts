/**
 * A stream's sensitivity changed between two points (a continuous job's live setting) scores from the next
 * point exactly as a stream built at the new sensitivity: what is learnt does not depend on it.
 */
import { STATISTICAL_DETECTORS } from '../contract/score.js';
import { parseSensitivity } from '../contract/sensitivity.js';
import { createStream, restoreStream, type StreamPoint } from './index.js';

const MIN = 60_000;
const DAY = 1440;

/** Deterministic noise in [-0.5, 0.5). */
function noise(i: number) {
  const x = Math.sin(i * 12.9898 + 78.233) * 43758.5453;
  return x - Math.floor(x) - 0.5;
}

/** A day and a half of seasonal traffic with a burst, a dip and a small bump after the switch. */
const N = Math.round(1.5 * DAY);
/** After the burst, before the bump and the dip. */
const SWITCH_AT = 900;
const values = Array.from({ length: N }, (_, i) => {
  let v = 1000 + 400 * Math.sin((2 * Math.PI * i) / DAY) + 40 * noise(i);
  if (i >= 700 && i < 705) v *= 4;
  if (i >= 1100 && i < 1110) v *= 1.35;
  if (i >= 1300 && i < 1320) v = 200;
  return v;
});

const strip = (p: StreamPoint | null) => p && { ...p };

describe('ScoringStream.setSensitivity', () => {
  it.each(STATISTICAL_DETECTORS)(
    '%s: retuned from 50 to 85 at a point, it scores on as a stream built at 85',
    (detector) => {
      const retuned = createStream({ detector, sensitivity: 50 });
      const built = createStream({ detector, sensitivity: 85 });
      const after: [StreamPoint | null, StreamPoint | null][] = [];
      for (let i = 0; i < N; i++) {
        if (i === SWITCH_AT) retuned.setSensitivity(parseSensitivity(85));
        const a = strip(retuned.push(i * MIN, values[i]));
        const b = strip(built.push(i * MIN, values[i]));
        if (i >= SWITCH_AT) after.push([a, b]);
      }
      expect(after.map(([a]) => a)).toEqual(after.map(([, b]) => b));
      // Not a vacuous match: the dip after the switch is flagged.
      expect(after.filter(([a]) => a?.anomaly).length).toBeGreaterThan(0);
      expect(retuned.sensitivity()).toBe(85);
      // The episodes that started after the switch are the same too.
      const since = (e: { start: number }) => e.start >= SWITCH_AT * MIN;
      expect(retuned.episodes().filter(since)).toEqual(built.episodes().filter(since));
    },
  );

  it('a different sensitivity changes what is anomalous after the switch, not before', () => {
    const retuned = createStream({ sensitivity: 50 });
    const fixed = createStream({ sensitivity: 50 });
    let before = 0;
    let after = 0;
    for (let i = 0; i < N; i++) {
      if (i === SWITCH_AT) retuned.setSensitivity(parseSensitivity(100));
      const a = retuned.push(i * MIN, values[i])!;
      const b = fixed.push(i * MIN, values[i])!;
      if (a.anomaly !== b.anomaly) {
        if (i < SWITCH_AT) before++;
        else after++;
      }
    }
    expect(before).toBe(0);
    expect(after).toBeGreaterThan(0);
  });

  it('the snapshot records the new sensitivity, and a restored stream scores at it', () => {
    const stream = createStream({ sensitivity: 50 });
    for (let i = 0; i < SWITCH_AT; i++) stream.push(i * MIN, values[i]);
    stream.setSensitivity(parseSensitivity(20));
    const snapshot = JSON.parse(JSON.stringify(stream.snapshot())) as { params: { sensitivity: number } };
    expect(snapshot.params.sensitivity).toBe(20);
    const restored = restoreStream(snapshot);
    expect(restored.sensitivity()).toBe(20);
    for (let i = SWITCH_AT; i < N; i++) {
      expect(strip(restored.push(i * MIN, values[i]))).toEqual(strip(stream.push(i * MIN, values[i])));
    }
  });
});
