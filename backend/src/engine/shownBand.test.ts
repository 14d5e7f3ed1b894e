/**
 * Issue 11, item 2: an incident does not widen the band an operator sees beyond a bounded adaptation,
 * so a second identical incident scores about as high as the first (calibration/calibrator.ts,
 * SHOWN_OUTLIER: the learning ranges still widen, the shown band leaves an incident's outliers out).
 */
import { seededRandom } from '../lab/bench/stats.js';
import { createStream, type StreamPoint } from './index.js';

const MINUTE = 60_000;
const T0 = Date.UTC(2025, 0, 6);
// A week of history first: the score tail (calibration/tail.ts) is then learnt from ~10,000 points, so one
// spike is not a tenth of its 10⁻³ quantile's sample, as it is in a series' first day or two.
const FIRST = 10_000;
const SECOND = FIRST + 240; // 4 hours later

/** A steady 1-minute series (level 1,000, Gaussian noise σ 20) with 4× single-point spikes at `spikes`. */
function scored(spikes: readonly number[]): StreamPoint[] {
  const random = seededRandom(7);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const stream = createStream({ stepMs: MINUTE });
  const out: StreamPoint[] = [];
  for (let i = 0; i < SECOND + 360; i++) {
    const value = spikes.includes(i) ? 4000 : 1000 + 20 * gauss();
    const p = stream.push(T0 + i * MINUTE, value);
    if (p) out.push({ ...p });
  }
  return out;
}

const halfWidth = (p: StreamPoint) => (p.upper! - p.lower!) / 2;
const meanHalfWidth = (points: StreamPoint[], from: number, to: number) =>
  points.slice(from, to).reduce((s, p) => s + halfWidth(p), 0) / (to - from);

describe('after a single-point spike', () => {
  const points = scored([FIRST, SECOND]);

  test('a second identical spike 4 hours later scores at least 0.8× the first', () => {
    expect(points[FIRST].anomaly).toBe(true);
    expect(points[SECOND].anomaly).toBe(true);
    expect(points[SECOND].score).toBeGreaterThanOrEqual(0.8 * points[FIRST].score);
  });

  test('the band keeps the width it had before it', () => {
    const before = meanHalfWidth(points, FIRST - 60, FIRST);
    const after = meanHalfWidth(points, FIRST + 5, FIRST + 65);
    expect(after).toBeLessThan(1.2 * before);
    expect(after).toBeGreaterThan(0.8 * before);
  });

  test('and the flags after it are those of the series without the spike', () => {
    const clean = scored([]);
    const flagged = (ps: StreamPoint[]) =>
      ps
        .slice(FIRST + 1, SECOND)
        .filter((p) => p.anomaly)
        .map((p) => p.timestamp);
    expect(flagged(points)).toEqual(flagged(clean));
  });
});
