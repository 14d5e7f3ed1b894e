import fc from 'fast-check';
import { ArrayText, GridText, plain } from './jsonText.js';

describe('GridText', () => {
  it("writes JSON.stringify's text of a grid, again for the next grid that differs", () => {
    const text = new GridText();
    const a = Float64Array.from([1_706_659_200_000, 1_706_659_260_000, 1_706_659_320_000]);
    const b = Float64Array.from([1_706_659_200_000, 1_706_659_260_000, 1_706_659_380_000]);
    const odd = Float64Array.from([NaN, -0, Infinity, 0.1]);
    for (const grid of [a, a.slice(), b, b.slice(0, 2), a, odd, odd, new Float64Array(0)]) {
      expect(text.of(grid)).toBe(JSON.stringify(plain(grid)));
    }
  });

  it('keeps its own copy: a grid written into after it was seen is not mistaken for it', () => {
    const text = new GridText();
    const grid = Float64Array.from([1, 2, 3]);
    text.of(grid);
    grid[2] = 4;
    expect(text.of(grid)).toBe('[1,2,4]');
  });
});

describe('ArrayText', () => {
  // Any double (NaN, ±0, ±Infinity, subnormals) and scores around the flag threshold of 1.
  const doubles = fc.array(fc.oneof(fc.double(), fc.constantFrom(1, 1 - 2 ** -53, NaN, -0, 0.5, 2)), {
    maxLength: 60,
  });

  it("writes JSON.stringify's text of the arrays, whatever the arrays written before (shorter, longer)", () => {
    const text = new ArrayText();
    fc.assert(
      fc.property(fc.array(doubles, { minLength: 1, maxLength: 6 }), (series) => {
        for (const values of series) {
          const a = Float64Array.from(values);
          const direction = values.map((v, i) => (i % 3 === 0 ? null : v > 0 ? 'up' : 'down'));
          expect(text.numbers(a).text).toBe(JSON.stringify(plain(a)));
          expect(text.anomalies(a).text).toBe(JSON.stringify(values.map((v) => v >= 1)));
          expect(text.directions(direction, a).text).toBe(
            JSON.stringify(direction.map((d, i) => (values[i] >= 1 ? d : null))),
          );
        }
      }),
      { numRuns: 300 },
    );
  });
});
