/**
 * An hourly series' day is confirmed on its first week of days, and its week joins in the same step
 * (SeasonalComponent.cyclesToJoin). Before, the day's table alone (the median of Friday, Saturday and
 * Sunday) expected the second Monday and Tuesday at the weekend's level: on seed 3 a 12-hour 40 % drop on
 * the second Tuesday was never flagged and the Wednesday after it paged "level shift up".
 */
import { findScenario } from './catalog.js';
import { runScenario } from './suite.js';

test('a 40 % drop in an hourly series’ second week is flagged, and the day after it does not page (seed 3)', () => {
  const { metrics } = runScenario(findScenario('drop_40pct_hourly')!, 3);
  expect(metrics.detected).toBe(1);
  expect(metrics.falseEpisodes).toBe(0);
});

/**
 * The week takes over from the day at once, and the level CUSUM counts the cycles a profile has predicted
 * in the day's period, not the week's (SeasonalComponent.basePeriod): counted in weeks it was silent for
 * two more weeks, and this drop (seed 5, the second Thursday) was flagged for 2 of its 12 hours (9 before
 * the week joined at once, 11 with both).
 */
test('the drop is held for its length once the week scores (seed 5)', () => {
  const { metrics } = runScenario(findScenario('drop_40pct_hourly')!, 5);
  expect(metrics.coverage).toBeGreaterThanOrEqual(0.9);
});

// Before, the second Saturday paged for 23 hours: "level shift down" against the day's weekday table.
test('a clean hourly series does not page in its second week (seed 1)', () => {
  const { metrics } = runScenario(findScenario('clean_gaussian_hourly')!, 1);
  expect(metrics.falseEpisodes).toBe(0);
});
