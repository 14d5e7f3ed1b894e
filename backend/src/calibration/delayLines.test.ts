import fc from 'fast-check';
import { DelayLines, delayLayout } from './delayLines.js';
import { Ring } from '../stats/windows.js';
import { RingState } from '../snapshots/codec.js';

const SIZES = [1, 10, 0, 30, 20];

/** Lines of SIZES in a fresh state array, and a Ring for each line that has one. */
function both() {
  const layout = delayLayout(SIZES);
  const lines = new DelayLines(layout, new Float64Array(layout.length));
  const rings = SIZES.map((m) => (m > 1 ? new Ring(m) : null));
  return { layout, lines, rings };
}

describe('DelayLines', () => {
  test('lays out a head, a count and the slots for each component with a delay of 2 or more', () => {
    const layout = delayLayout(SIZES);
    expect(Array.from(layout.sizes)).toEqual([0, 10, 0, 30, 20]);
    expect(Array.from(layout.starts)).toEqual([0, 0, 12, 12, 44]);
    expect(layout.length).toBe(12 + 32 + 22);
  });

  test('evicts, snapshots and restores exactly as a Ring of the same size', () => {
    const pushes = fc.array(
      fc.tuple(fc.constantFrom(1, 3, 4), fc.oneof(fc.double({ noNaN: false }), fc.constant(NaN))),
      { maxLength: 120 },
    );
    fc.assert(
      fc.property(pushes, pushes, (first, then) => {
        const { layout, lines, rings } = both();
        for (const [c, x] of first) expect(Object.is(lines.push(c, x), rings[c]!.push(x))).toBe(true);
        SIZES.forEach((_, c) => expect(lines.snapshot(c)).toEqual(rings[c]?.snapshot() ?? null));
        // Through JSON into fresh lines: the rest of the pushes evict as the rings do.
        const restored = new DelayLines(layout, new Float64Array(layout.length));
        for (const c of [1, 3, 4]) {
          restored.restore(
            c,
            RingState.parse(JSON.parse(JSON.stringify(lines.snapshot(c)))),
            `delayed[${c}]`,
          );
        }
        for (const [c, x] of then) expect(Object.is(restored.push(c, x), rings[c]!.push(x))).toBe(true);
      }),
    );
  });

  test('refuses a snapshot of another size or an impossible head, naming where', () => {
    const { lines } = both();
    expect(() => lines.restore(1, { size: 11, head: 0, values: [] }, 'calibrator.delayed[1]')).toThrow(
      /calibrator\.delayed\[1\]\.size/,
    );
    expect(() => lines.restore(1, { size: 10, head: 4, values: [1, 2] }, 'calibrator.delayed[1]')).toThrow(
      /calibrator\.delayed\[1\]\.head: is 4, but a ring holding 2 of 10 values has it at 2/,
    );
    expect(() => lines.restore(1, { size: 10, head: 12, values: new Array(10).fill(1) }, 'd')).toThrow(
      /d\.head/,
    );
  });
});
