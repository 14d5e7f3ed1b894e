/**
 * Business-hours traffic (flat nights, ×2.7 within the hour from 07:00): a seasonal profile's noise scale,
 * the spread of its last 100 residual changes, still holds much of the night's smaller noise on the ramp,
 * and single points there paged. The bar for opening an episode is raised by that lag since
 * (Profile.noiseLag): seed 1's false episodes 5 → 1 (the first morning, before a period is known).
 */
import { findScenario } from './catalog.js';
import { runScenario } from './suite.js';

test('business-hours mornings do not page on their ramps (seed 1)', () => {
  const { metrics } = runScenario(findScenario('clean_sharp_mornings')!, 1);
  expect(metrics.falseEpisodes).toBeLessThanOrEqual(2);
});
