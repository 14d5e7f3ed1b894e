import fc from 'fast-check';
import { StateError, dec, decArray, enc, encArray } from './codec.js';
import { EwStats, Ring, RollingMoments, SortedWindow } from '../stats/windows.js';
import { EscalationTracker } from '../calibration/escalation.js';
import { CounterRate } from '../series/counter.js';

const json = <T>(x: T): T => JSON.parse(JSON.stringify(x));
const sameBits = (a: number, b: number) => Object.is(a, b);

describe('number encoding', () => {
  it('NaN, ±Infinity and −0 survive JSON (null, "Infinity", "-Infinity", "-0"), finite numbers stay numbers', () => {
    const xs = [NaN, Infinity, -Infinity, -0, 0, 1.5, -2, 5e-324, Number.MAX_VALUE, 0.1 + 0.2, 1e21];
    expect(xs.map(enc)).toEqual([
      null,
      'Infinity',
      '-Infinity',
      '-0',
      0,
      1.5,
      -2,
      5e-324,
      Number.MAX_VALUE,
      0.1 + 0.2,
      1e21,
    ]);
    const back = decArray(json(encArray(xs)));
    xs.forEach((x, i) => expect(sameBits(back[i], x)).toBe(true));
  });

  it('every double survives encode → JSON → decode exactly (property)', () => {
    fc.assert(
      fc.property(fc.double(), (x) => {
        expect(sameBits(dec(json({ v: enc(x) }).v), x)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('typed arrays are written as compact plain arrays, and a range of them on request', () => {
    const a = Float64Array.from([1, NaN, 3, 4]);
    expect(encArray(a)).toEqual([1, null, 3, 4]);
    expect(encArray(a, 1, 3)).toEqual([null, 3]);
    expect(JSON.stringify(encArray(a))).toBe('[1,null,3,4]');
  });
});

describe('window primitives restore exactly', () => {
  const values = fc.array(fc.oneof(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.constant(0)), {
    maxLength: 60,
  });

  it('Ring: same values in the same slots (evictions and recent() continue), NaN included', () => {
    fc.assert(
      fc.property(values, values, fc.integer({ min: 1, max: 9 }), (before, after, size) => {
        const a = new Ring(size);
        before.forEach((x, i) => a.push(i % 5 === 0 ? NaN : x));
        const b = Ring.fromSnapshot(json(a.snapshot()));
        expect(Array.from(b.buf)).toEqual(Array.from(a.buf));
        for (const x of after) expect(sameBits(b.push(x), a.push(x))).toBe(true);
        expect(b.toArray()).toEqual(a.toArray());
      }),
    );
  });

  it('SortedWindow: quantiles and MAD continue identically', () => {
    fc.assert(
      fc.property(values, values, fc.integer({ min: 1, max: 12 }), (before, after, size) => {
        const a = new SortedWindow(size);
        before.forEach((x) => a.push(x));
        const b = SortedWindow.fromSnapshot(json(a.snapshot()));
        for (const x of after) {
          a.push(x);
          b.push(x);
          expect(b.median()).toBe(a.median());
          // The sorted copy is rebuilt, so +0 and −0 may sit in another order: a MAD of zero can come
          // back with the other sign (every scale is floored above zero, so no score can tell).
          expect(b.mad() + 0).toBe(a.mad() + 0);
          expect(b.quantile(0.9)).toBe(a.quantile(0.9));
          expect(b.count).toBe(a.count);
        }
      }),
    );
  });

  it('RollingMoments and EwStats continue identically', () => {
    fc.assert(
      fc.property(values, values, (before, after) => {
        const m = new RollingMoments(7);
        const e = new EwStats(0.1);
        before.forEach((x) => (m.push(x), e.push(x)));
        const m2 = RollingMoments.fromSnapshot(json(m.snapshot()));
        const e2 = EwStats.fromSnapshot(json(e.snapshot()), 0.1);
        for (const x of after) {
          m.push(x);
          m2.push(x);
          e.push(x);
          e2.push(x);
          expect(m2.mean()).toBe(m.mean());
          expect(m2.std()).toBe(m.std());
          expect(e2.mean).toBe(e.mean);
          expect(e2.variance).toBe(e.variance);
        }
      }),
    );
  });

  it('EscalationTracker and CounterRate continue identically', () => {
    fc.assert(
      fc.property(values, values, (before, after) => {
        const a = new EscalationTracker(5);
        const c = new CounterRate();
        before.forEach((x, i) => (a.push(Math.abs(x)), c.push(i * 1000, x)));
        const b = new EscalationTracker(5);
        b.restore(json(a.snapshot()));
        const d = new CounterRate();
        d.restore(json(c.snapshot()));
        after.forEach((x, i) => {
          expect(b.push(Math.abs(x))).toBe(a.push(Math.abs(x)));
          const t = (before.length + i) * 1000;
          expect(sameBits(d.push(t, x), c.push(t, x))).toBe(true);
        });
        expect(d.resets).toBe(c.resets);
      }),
    );
  });

  it('a snapshot of another size or with an inconsistent head is refused with its path', () => {
    const r = new Ring(4);
    [1, 2, 3].forEach((x) => r.push(x));
    const s = r.snapshot();
    expect(() => new Ring(5).restore(s, 'x.ring')).toThrow(
      new StateError('x.ring.size', 'is 4, this build expects 5'),
    );
    expect(() => new Ring(4).restore({ ...s, head: 1 }, 'x')).toThrow(
      'x.head: is 1, but a ring holding 3 of 4 values has it at 3',
    );
    expect(() => new Ring(4).restore({ ...s, head: 9, values: [1, 2, 3, 4] }, 'x')).toThrow(
      "x.head: is 9, past the ring's 4 slots",
    );
    const e = new EscalationTracker(5);
    expect(() => e.restore({ span: 5, n: 3, idx: [1, 2], val: [1], open: false, below: 0 })).toThrow(
      'escalation.val: has 1 scores for 2 indices',
    );
  });
});
