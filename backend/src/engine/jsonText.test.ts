import { GridText, plain } from './jsonText.js';

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
