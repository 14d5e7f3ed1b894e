import { parseFrames } from '../frames/parse';
import { trafficLensFrame } from '../testing/frames';
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
