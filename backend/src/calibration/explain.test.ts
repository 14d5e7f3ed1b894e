import { EwmaComponent } from '../detectors/components/ewma.js';
import { LevelShiftComponent } from '../detectors/components/levelShift.js';
import { RateOfChangeComponent } from '../detectors/components/rateOfChange.js';
import { RollingMedianComponent } from '../detectors/components/rollingMedian.js';
import { ExplanationFinder, explain, explanationOf, type ExplainInput } from './explain.js';

describe('explain', () => {
  const components = [
    new RollingMedianComponent(100),
    new RateOfChangeComponent(200),
    new RollingMedianComponent(300),
  ];

  it('names the kind, expected vs actual with the band, and the drivers by share', () => {
    const e = explain({
      components,
      componentScores: [3, 1, 0],
      driver: 0,
      direction: 'up',
      actual: 900,
      expected: 100,
      lower: 80,
      upper: 120,
    });
    expect(e.kind).toBe('spike');
    expect(e.features).toEqual([
      { name: 'level_vs_rolling_median', contribution: 0.75 },
      { name: 'rate_of_change', contribution: 0.25 },
    ]);
    expect(e.summary).toBe(
      'spike up: 900 vs expected 100 (normal 80–120); driven by level_vs_rolling_median 75%, rate_of_change 25%',
    );
  });

  it('counts components of the same feature over different windows as one driver', () => {
    const e = explain({
      components,
      componentScores: [2, 3, 1],
      driver: 1,
      direction: 'down',
      actual: 5,
      expected: 100,
      lower: 80,
      upper: 120,
    });
    expect(e.features.map((f) => f.name)).toEqual(['level_vs_rolling_median', 'rate_of_change']);
    expect(e.features[0].contribution).toBe(0.5);
    expect(e.summary).toContain('driven by level_vs_rolling_median 50%, rate_of_change 50%');
  });

  it('names at most three features with a positive share, the largest first, a tie to the first listed', () => {
    const four = [
      new EwmaComponent(10),
      new RollingMedianComponent(100),
      new RateOfChangeComponent(200),
      new LevelShiftComponent(20, 300),
    ];
    const input = (componentScores: number[]): ExplainInput => ({
      components: four,
      componentScores,
      driver: 0,
      direction: 'up',
      actual: 1,
      expected: 0,
      lower: null,
      upper: null,
    });
    const names = (scores: number[]) => explain(input(scores)).features.map((f) => f.name);
    expect(names([1, 2, 2, 2])).toEqual(['level_vs_rolling_median', 'rate_of_change', 'level_shift']);
    expect(names([2, 1, 2, 2])).toEqual(['level_vs_ewma', 'rate_of_change', 'level_shift']);
    expect(names([0, 0, 1, 3])).toEqual(['level_shift', 'rate_of_change']);
    expect(names([0, 0, 0, 0])).toEqual([]);
    // One finder, reused across calls as a scorer reuses it, gives what a new one gives.
    const finder = new ExplanationFinder();
    for (const scores of [
      [1, 2, 2, 2],
      [3, 0, 1, 0],
      [0, 0, 0, 5],
    ]) {
      expect(explanationOf(finder.find(input(scores)))).toEqual(explain(input(scores)));
    }
  });
});
