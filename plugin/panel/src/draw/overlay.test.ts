import { parseFrames } from '../frames/parse';
import { forecastFrame, STEP, T0, trafficLensFrame } from '../testing/frames';
import { rowGeometry, scoreAxisLabels, SCORE_HEIGHT, type RowLayout } from './overlay';

const layout: RowLayout = {
  width: 800,
  height: 200,
  from: 0,
  to: 1,
  showBand: true,
  showExpected: true,
  showEpisodes: true,
  showScore: true,
  showTimeAxis: false,
  color: 'blue',
  formatValue: String,
};

describe('score strip', () => {
  // Peaks from none to far above the cap: the boundary must stay readable in every case.
  it.each([0.2, 1, 2, 4, 13, 400])(
    'keeps the boundary at 1 and both labels inside the strip (peak %p)',
    (peak) => {
      const frame = trafficLensFrame('x');
      const score = frame.fields.find((f) => f.name === 'score')!;
      score.values = score.values.map((v: number) => (v > 1 ? peak : v));
      const g = rowGeometry(parseFrames([frame]).series[0], layout);
      const strip = g.score!;
      expect(strip.bottom - strip.top).toBe(SCORE_HEIGHT);
      // The boundary sits at the same height whatever the peak: 45 % up the strip.
      expect(strip.y(1)).toBeCloseTo(strip.bottom - 0.45 * SCORE_HEIGHT, 6);
      expect(strip.y(0)).toBe(strip.bottom);

      const text = 12;
      const labels = scoreAxisLabels(strip, text);
      expect(labels.boundary).toBeCloseTo(strip.y(1), 6);
      expect(labels.name).toBeGreaterThanOrEqual(strip.top);
      expect(labels.boundary + text / 2).toBeLessThanOrEqual(strip.bottom);
      // "score" (top-aligned) ends before "1" (centred on the line) starts.
      expect(labels.name + text).toBeLessThanOrEqual(labels.boundary - text / 2 + 1);
    },
  );
});

describe('the forecast cone', () => {
  const withForecast = () => parseFrames([trafficLensFrame('x'), forecastFrame('x')]).series[0];
  const range = { ...layout, from: T0, to: T0 + 90 * STEP, showScore: false };

  it('makes room for the 80 % cone inside the time range, past the last point', () => {
    const without = rowGeometry(parseFrames([trafficLensFrame('x')]).series[0], range);
    const g = rowGeometry(withForecast(), range);
    // The cone's lower 80 % bound ends at 110 − 34 = 76, below the band's 90: the axis reaches down for it.
    expect(g.y.invert(g.plot.bottom)).toBeLessThanOrEqual(76);
    expect(g.y.invert(g.plot.bottom)).toBeLessThan(without.y.invert(without.plot.bottom));
  });

  it('does not stretch the axis for the part of the cone after the time range', () => {
    const without = rowGeometry(parseFrames([trafficLensFrame('x')]).series[0], range);
    // Up to step 70 the widest 80 % interval is 110 ± 15, inside the band's 90–110 and the spike's 400.
    const cut = rowGeometry(withForecast(), { ...range, to: T0 + 70 * STEP });
    expect(cut.y.invert(cut.plot.bottom)).toBe(without.y.invert(without.plot.bottom));
  });
});
