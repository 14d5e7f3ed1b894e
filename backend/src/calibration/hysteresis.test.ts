import fc from 'fast-check';
import { Hysteresis } from './hysteresis.js';

const OPTS = { holdLevel: 0.7, closeAfter: 3 };
const run = (h: Hysteresis, scores: number[]) => scores.map((s) => h.push(s));

describe('Hysteresis', () => {
  it('opens at a score of 1, not below it', () => {
    expect(run(new Hysteresis(OPTS), [0.99, 0.5, 1])).toEqual([false, false, true]);
  });

  it('stays open while scores are at or above the hold level', () => {
    expect(run(new Hysteresis(OPTS), [2, 0.7, 0.9, 0.7, 0.8])).toEqual([true, true, true, true, true]);
  });

  it('closes after closeAfter consecutive points below the hold level', () => {
    const h = new Hysteresis(OPTS);
    expect(run(h, [1.5, 0.1, 0.2])).toEqual([true, true, true]);
    expect(h.below).toBe(2);
    expect(h.push(0.3)).toBe(false);
    expect(h.open).toBe(false);
    expect(h.push(0.9)).toBe(false);
  });

  it('a point at or above the hold level, or an anomalous one, restarts the count', () => {
    expect(run(new Hysteresis(OPTS), [1, 0, 0, 0.7, 0, 0, 1, 0, 0, 0])).toEqual([
      true,
      true,
      true,
      true,
      true,
      true,
      true,
      true,
      true,
      false,
    ]);
  });

  it('opens only on points said to be anomalous, which also hold it', () => {
    const h = new Hysteresis(OPTS);
    expect(h.push(3, false)).toBe(false);
    expect(h.push(0.2, true)).toBe(true);
    expect(run(h, [0.1, 0.1])).toEqual([true, true]);
    expect(h.push(0.1, true)).toBe(true);
    expect(h.below).toBe(0);
  });

  it('is held open by evidence that the incident goes on (`holds`), which opens nothing', () => {
    const h = new Hysteresis(OPTS);
    expect(h.push(0, false, true)).toBe(false);
    expect(h.push(1.2)).toBe(true);
    expect([0.1, 0.1, 0.1, 0.1].map((s) => h.push(s, false, true))).toEqual([true, true, true, true]);
    expect(h.below).toBe(0);
    expect(run(h, [0.1, 0.1, 0.1])).toEqual([true, true, false]);
  });

  it('continues identically after a snapshot through JSON', () => {
    const scores = fc.array(fc.double({ min: 0, max: 3, noNaN: true }), { maxLength: 40 });
    fc.assert(
      fc.property(scores, scores, (before, after) => {
        const a = new Hysteresis(OPTS);
        run(a, before);
        const b = new Hysteresis(OPTS);
        b.restore(JSON.parse(JSON.stringify(a.snapshot())));
        expect(b.snapshot()).toEqual(a.snapshot());
        expect(run(b, after)).toEqual(run(a, after));
      }),
    );
  });
});
