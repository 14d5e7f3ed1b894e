import fc from 'fast-check';
import { decimate, GAP, runsOf } from './decimate';
import { linear } from './scale';

const kept = (d: { index: Int32Array; length: number }) => Array.from(d.index.subarray(0, d.length));
const px = (t: number) => t;

describe('decimate', () => {
  // Times are CSS pixels here (x is the identity), so point i lies in column floor(times[i]).
  const times = [0, 0.25, 0.5, 0.75, 1, 1.5, 2, 2.5, 3];
  const values = [5, 1, 9, 3, 7, 8, null, 4, 6];

  it('keeps first, min, max and last per column, in time order, and breaks runs at nulls', () => {
    expect(kept(decimate(times, values, px))).toEqual([0, 1, 2, 3, 4, 5, GAP, 7, 8]);
    // The max before the min stays before it.
    expect(kept(decimate(times, [5, 9, 1, 3, 7, 8, null, 4, 6], px))).toEqual([0, 1, 2, 3, 4, 5, GAP, 7, 8]);
    // Of five points in a column only the four that shape it remain.
    expect(kept(decimate([0, 0.2, 0.4, 0.6, 0.8], [5, 1, 4, 9, 3], px))).toEqual([0, 1, 3, 4]);
    // A monotone column is its two ends.
    expect(kept(decimate([0, 0.2, 0.4, 0.6, 0.8], [1, 2, 3, 4, 5], px))).toEqual([0, 4]);
  });

  it("keeps only the outer extreme per column for an area, and each run's first and last point", () => {
    expect(kept(decimate(times, values, px, { keep: 'max' }))).toEqual([0, 2, 5, GAP, 7, 8]);
    expect(kept(decimate(times, values, px, { keep: 'min' }))).toEqual([0, 1, 4, 5, GAP, 7, 8]);
  });

  it('treats a null in alsoDefined as a gap, or a missing value as 0 with missingAsZero', () => {
    const other = [1, null, 1, 1, 1, 1, 1, 1, 1];
    expect(kept(decimate(times, values, px, { alsoDefined: other }))).toEqual([
      0,
      GAP,
      2,
      3,
      4,
      5,
      GAP,
      7,
      8,
    ]);
    expect(kept(decimate(times, values, px, { missingAsZero: true }))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('uses device pixels as columns', () => {
    const t = [0, 0.2, 0.4, 0.6, 0.8];
    const v = [5, 1, 4, 9, 3];
    expect(kept(decimate(t, v, px, { density: 1 }))).toEqual([0, 1, 3, 4]);
    // At 2 device pixels per CSS pixel, [0, 0.5) and [0.5, 1) are columns of their own.
    expect(kept(decimate(t, v, px, { density: 2 }))).toEqual([0, 1, 2, 3, 4]);
  });

  it('has no gap markers at the ends, and nothing for no data', () => {
    expect(kept(decimate([0, 1, 2, 3], [null, 1, 2, null], px))).toEqual([1, 2]);
    expect(kept(decimate([0, 1], [null, null], px))).toEqual([]);
    expect(kept(decimate([], [], px))).toEqual([]);
    expect(runsOf(decimate(times, values, px))).toEqual([
      [0, 6],
      [7, 9],
    ]);
  });

  it('reduces a week of 1-minute points to at most 4 per column', () => {
    const n = 10_080;
    const t = Array.from({ length: n }, (_, i) => i * 60_000);
    const v = t.map((_, i) => Math.sin(i / 50) + ((i * 7919) % 13) / 13);
    const d = decimate(t, v, linear(0, t[n - 1], 64, 1864));
    expect(d.length).toBeLessThanOrEqual(4 * 1801);
    expect(d.length).toBeGreaterThan(1800);
  });
});

/** Per (run, column): min and max value, first and last index, over the points a drawing would visit. */
function groups(
  indices: number[],
  value: (i: number) => number,
  column: (i: number) => number,
  breaks: (k: number) => boolean,
) {
  const out: Array<{ run: number; col: number; min: number; max: number; first: number; last: number }> = [];
  let run = 0;
  for (let k = 0; k < indices.length; k++) {
    if (breaks(k)) {
      run++;
      continue;
    }
    const i = indices[k];
    const col = column(i);
    const g = out[out.length - 1];
    if (g && g.run === run && g.col === col) {
      g.min = Math.min(g.min, value(i));
      g.max = Math.max(g.max, value(i));
      g.last = i;
    } else {
      out.push({ run, col, min: value(i), max: value(i), first: i, last: i });
    }
  }
  // Runs numbered by order of appearance, so raw (many nulls in a row) and reduced (one marker) compare.
  const ids = [...new Set(out.map((g) => g.run))];
  // −0 and 0 are the same height on screen; `+ 0` makes them one value, which toEqual would tell apart.
  return out.map((g) => ({ ...g, min: g.min + 0, max: g.max + 0, run: ids.indexOf(g.run) }));
}

describe('decimate (properties)', () => {
  const series = fc
    .array(
      fc.tuple(
        fc.double({ min: 0, max: 1000, noNaN: true }),
        fc.option(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { freq: 5 }),
      ),
      {
        maxLength: 400,
      },
    )
    .map((points) => {
      const sorted = [...points].sort((a, b) => a[0] - b[0]);
      return { times: sorted.map((p) => p[0]), values: sorted.map((p) => p[1]) };
    });
  const view = fc.record({
    width: fc.integer({ min: 1, max: 300 }),
    density: fc.constantFrom(1, 1.5, 2, 3),
  });

  it("keeps every column's exact min and max, and every run's ends and gaps (line)", () => {
    fc.assert(
      fc.property(series, view, ({ times, values }, { width, density }) => {
        const x = linear(0, 1000, 10, 10 + width);
        const d = decimate(times, values, x, { density });
        const idx = kept(d);
        const column = (i: number) => Math.floor(x(times[i]) * density);
        const value = (i: number) => values[i] as number;
        const raw = groups(
          times.map((_, i) => i),
          value,
          column,
          (k) => values[k] === null,
        );
        const reduced = groups(idx, value, column, (k) => idx[k] === GAP);
        // Same (run, column) groups with the same extremes and the same first and last points.
        expect(reduced).toEqual(raw);
        // Kept points are defined, in time order, at most 4 per group, and never a gap marker at an end.
        const points = idx.filter((i) => i !== GAP);
        expect(points.every((i) => values[i] !== null)).toBe(true);
        expect(points.every((i, k) => k === 0 || i > points[k - 1])).toBe(true);
        expect(points.length).toBeLessThanOrEqual(4 * raw.length);
        expect(idx[0] !== GAP && idx[idx.length - 1] !== GAP).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it.each<'max' | 'min'>(['max', 'min'])(
    "keeps every column's exact %s and every run's ends (area edge)",
    (keep) => {
      fc.assert(
        fc.property(series, view, ({ times, values }, { width, density }) => {
          const x = linear(0, 1000, 10, 10 + width);
          const d = decimate(times, values, x, { density, keep });
          const idx = kept(d);
          const column = (i: number) => Math.floor(x(times[i]) * density);
          const value = (i: number) => values[i] as number;
          const pick = (g: ReturnType<typeof groups>[number]) => ({ run: g.run, col: g.col, v: g[keep] });
          const raw = groups(
            times.map((_, i) => i),
            value,
            column,
            (k) => values[k] === null,
          );
          const reduced = groups(idx, value, column, (k) => idx[k] === GAP);
          expect(reduced.map(pick)).toEqual(raw.map(pick));
          const ends = (gs: typeof raw) =>
            [...new Set(gs.map((g) => g.run))].map((r) => {
              const inRun = gs.filter((g) => g.run === r);
              return [inRun[0].first, inRun[inRun.length - 1].last];
            });
          expect(ends(reduced)).toEqual(ends(raw));
          expect(idx.filter((i) => i !== GAP).length).toBeLessThanOrEqual(3 * raw.length);
        }),
        { numRuns: 300 },
      );
    },
  );

  it('never breaks the line with missingAsZero, and keeps the extremes of the zero-filled series', () => {
    fc.assert(
      fc.property(series, view, ({ times, values }, { width, density }) => {
        const x = linear(0, 1000, 10, 10 + width);
        const idx = kept(decimate(times, values, x, { density, missingAsZero: true }));
        const column = (i: number) => Math.floor(x(times[i]) * density);
        const value = (i: number) => values[i] ?? 0;
        expect(idx).not.toContain(GAP);
        expect(groups(idx, value, column, () => false)).toEqual(
          groups(
            times.map((_, i) => i),
            value,
            column,
            () => false,
          ),
        );
      }),
      { numRuns: 200 },
    );
  });
});
