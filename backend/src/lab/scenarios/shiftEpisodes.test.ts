/**
 * A shift whose points flicker in and out of the band is one episode or a few, not one for each flicker:
 * the episodes read a sequential test's established run as holding an open episode (EpisodePoint.holds,
 * calibration/shiftHold.ts), on a flat series as the learning gate does, on a seasonal one for display
 * only.
 */
import { findScenario } from './catalog.js';
import { scoreSeries } from '../../engine/index.js';

/** Episodes of a scenario's series (causal, defaults) that overlap its first incident. */
function episodesDuring(scenario: string, seed: number): number {
  const series = findScenario(scenario)!.generate(seed);
  const { episodes } = scoreSeries(
    { timestamps: series.timestamps, values: series.values },
    { options: { causal: true } },
  );
  const { start, end } = series.incidents[0];
  return episodes.filter((e) => e.start < end && e.end >= start).length;
}

test('a 2σ shift on a flat series that the run holds (README seed 1770203325)', () => {
  // 8 episodes before, 4 since.
  expect(episodesDuring('kpi_shift_2sigma', 1770203325)).toBeLessThanOrEqual(4);
});

test('a 2σ shift on a seasonal series (README seed 919699473)', () => {
  // 3 episodes before, 2 since.
  expect(episodesDuring('shift_2sigma', 919699473)).toBeLessThanOrEqual(2);
});
