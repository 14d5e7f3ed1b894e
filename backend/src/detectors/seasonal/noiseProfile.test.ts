import { NoiseProfile } from './noiseProfile.js';
import { createRandom } from '../../lab/scenarios/random.js';

const DAY = 1440;

/**
 * Feed `days` days of residual changes whose noise is `sigma(phase, day)` (σ of the residual: its changes
 * have √2 σ). Returns the profile.
 */
function learnt(days: number, sigma: (phase: number, day: number) => number, seed = 1): NoiseProfile {
  const p = NoiseProfile.forPeriod(DAY)!;
  const r = createRandom(seed);
  for (let i = 0; i < days * DAY; i++) {
    const phase = i % DAY;
    p.learn(phase, Math.SQRT2 * sigma(phase, Math.floor(i / DAY)) * r.normal());
  }
  // The next point closes the last day's last bin.
  p.learn(0, NaN);
  return p;
}

/** Office-like noise: 3 at night, 30 from 08:00 to 18:00. */
const office = (phase: number) => (phase >= 480 && phase < 1080 ? 30 : 3);

describe('the noise of each part of the day (NoiseProfile)', () => {
  it('is kept only where a bin averages 30 points or more (a day of 1,440 points, not of 288)', () => {
    expect(NoiseProfile.forPeriod(1440)).not.toBeNull();
    expect(NoiseProfile.forPeriod(2016)).not.toBeNull();
    expect(NoiseProfile.forPeriod(288)).toBeNull();
    expect(NoiseProfile.forPeriod(96)).toBeNull();
  });

  /** The mean over the bins of phases [from, to) of what `p` learnt there ÷ `sigma`. */
  const meanRatio = (p: NoiseProfile, from: number, to: number, sigma: number) => {
    const ratios: number[] = [];
    for (let phase = from; phase < to; phase += 30) ratios.push(p.at(phase) / sigma);
    return ratios.reduce((a, b) => a + b, 0) / ratios.length;
  };

  it('learns each 30-minute bin’s σ (one day’s median of 30 changes: ±20 % a bin), from its first day', () => {
    expect(NoiseProfile.forPeriod(DAY)!.at(600)).toBeNaN();
    expect(learnt(1, office).at(600) / 30).toBeGreaterThan(0.6);
    const p = learnt(3, office);
    for (const [from, to, sigma] of [
      [0, 480, 3],
      [480, 1080, 30],
      [1080, 1440, 3],
    ]) {
      expect(Math.abs(meanRatio(p, from, to, sigma) - 1)).toBeLessThan(0.15);
      for (let phase = from; phase < to; phase += 30) {
        expect(p.at(phase) / sigma).toBeGreaterThan(0.6);
        expect(p.at(phase) / sigma).toBeLessThan(1.4);
      }
    }
  });

  it('is not moved by one day of noise five times its own (the median of three days; their mean: ×2.3)', () => {
    const p = learnt(3, (phase, day) => (day === 1 ? 5 : 1) * office(phase));
    expect(meanRatio(p, 480, 1080, 30)).toBeLessThan(1.3);
  });

  it('keeps what it had for a bin of which fewer than half the points were learnt', () => {
    const p = learnt(3, office);
    const before = p.at(600);
    // A day where the bin 10:00–10:30 has 10 points learnt (the rest inside an incident, not learnt).
    for (let phase = 0; phase < DAY; phase++) {
      const inBin = phase >= 600 && phase < 630;
      if (!inBin || phase < 610) p.learn(phase, inBin ? 1000 : NaN);
    }
    p.learn(0, NaN);
    expect(p.at(600)).toBe(before);
  });

  it('restores a snapshot taken inside a bin and goes on exactly as if never stopped', () => {
    const p = learnt(2, office);
    const r = createRandom(7);
    const changes = Array.from({ length: DAY }, (_, phase) => Math.SQRT2 * office(phase) * r.normal());
    for (let phase = 0; phase < 615; phase++) p.learn(phase, changes[phase]);
    const q = NoiseProfile.forPeriod(DAY)!;
    q.restore(JSON.parse(JSON.stringify(p.snapshot())), 'noise');
    for (let phase = 615; phase < DAY; phase++) {
      p.learn(phase, changes[phase]);
      q.learn(phase, changes[phase]);
    }
    p.learn(0, NaN);
    q.learn(0, NaN);
    for (let phase = 0; phase < DAY; phase += 30) expect(q.at(phase)).toBe(p.at(phase));
  });

  it('refuses a snapshot holding more changes than a bin has points, naming the field', () => {
    const p = NoiseProfile.forPeriod(DAY)!;
    const s = p.snapshot();
    expect(() => p.restore([s[0], 3, new Array(31).fill(1)], 'profiles[0].noise')).toThrow(
      /profiles\[0\]\.noise\[2\]/,
    );
  });
});
