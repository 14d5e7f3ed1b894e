import { createStream, restoreStream, scoreSeries } from '../engine/index.js';
import { OutageRule } from './outage.js';

const MIN = 60_000;
/** Deterministic pseudo-noise in [−0.5, 0.5) so tests do not depend on Math.random. */
function noise(i: number) {
  const x = Math.sin(i * 12.9898) * 43758.5453;
  return x - Math.floor(x) - 0.5;
}

/** Traffic around 1,000 (±3 %); from point 1,200, 40 points of a flapping link: down 3, up 3. */
function flapping(n: number) {
  const values = Array.from({ length: n }, (_, i) => {
    const x = 1000 * (1 + 0.06 * noise(i));
    return i >= 1200 && i < 1240 && (i - 1200) % 6 < 3 ? 0.02 * x : x;
  });
  return { timestamps: values.map((_, i) => i * MIN), values };
}

const halfWidth = (r: { upper: (number | null)[]; expected: (number | null)[] }, i: number) =>
  r.upper[i]! - r.expected[i]!;

describe('outages and the band', () => {
  it("a flapping link's drops to zero do not widen the band of a series never near zero", () => {
    const r = scoreSeries(flapping(1800), { options: { causal: true } });
    for (let i = 1200; i < 1240; i += 6) expect(r.anomaly[i]).toBe(true);
    // 500 points later the band is as narrow as before the flap (it was 3× wider when drops widened it).
    expect(halfWidth(r, 1740)).toBeLessThan(1.3 * halfWidth(r, 1190));
  });

  it('a series that goes near zero as normal widens for its drops as before', () => {
    const rule = new OutageRule();
    for (let i = 0; i < 100; i++) rule.learn(1000, 'normal');
    expect(rule.isOutage(5, 1000, 'incident')).toBe(true);
    expect(rule.isOutage(5, 1000, 'normal')).toBe(false);
    expect(rule.isOutage(500, 1000, 'incident')).toBe(false);
    rule.learn(20, 'normal');
    expect(rule.isOutage(5, 1000, 'incident')).toBe(false);
  });

  it('a snapshot keeps the rule; one from before it restores with the old behaviour', () => {
    const s = flapping(1000);
    const stream = createStream();
    for (let i = 0; i < 1000; i++) stream.push(s.timestamps[i], s.values[i]);
    const snap = JSON.parse(JSON.stringify(stream.snapshot()));
    expect(snap.outage).toMatchObject({ zeroSeen: false });
    expect(restoreStream(snap).snapshot().outage).toEqual(snap.outage);
    delete snap.outage;
    expect(restoreStream(snap).snapshot().outage).toMatchObject({ zeroSeen: true });
  });
});
