/**
 * A 2σ shift on a flat KPI: the fallback median it is read against absorbs a shift within half its
 * window, and no single point of it passes the band narrowed by the CUSUM's capped score, so the CUSUM's
 * established run has to open the incident first (calibration/band.ts, FLAT_ESTABLISHED_RUN). Seeds 3
 * and 101 are two it was missed or let go on: covered 0 and 0.006 before the rule, 0.561 and 0.647 since.
 */
import { findScenario } from './catalog.js';
import { runScenario } from './suite.js';
import { scoreSeries } from '../../engine/index.js';

test.each([3, 101])('a 2σ shift on a flat series is held for most of its six hours (seed %i)', (seed) => {
  const series = findScenario('kpi_shift_2sigma')!.generate(seed);
  const { anomaly } = scoreSeries(
    { timestamps: series.timestamps, values: series.values },
    { options: { causal: true } },
  );
  const { start, end } = series.incidents[0];
  const inside = series.timestamps.flatMap((t, i) => (t >= start && t < end ? [anomaly[i]] : []));
  expect(inside.length).toBe(360);
  expect(inside.filter(Boolean).length / inside.length).toBeGreaterThan(0.5);
});

test('after a 2σ shift held and let go a few times, the band is as wide as without it', () => {
  // README seed 1770203325. Its short incidents reopened within CHAIN_MS of each other; learnt by the
  // score tail as the series' own noise, they widened the isolated point's band 2.6× for the day after
  // (band/twin 3.07; calibration/tail.ts).
  const { metrics } = runScenario(findScenario('kpi_shift_2sigma')!, 1770203325);
  expect(metrics.detected).toBe(1);
  expect(metrics.bandTwin).toBeLessThan(1.5);
});

test('a 2σ shift the CUSUM opens an incident on is held while its run goes on (seed 1770203325)', () => {
  // Its incident opened at point 51 and closed at 80, three points inside the band in a row; the median
  // then learnt the shift and the test fell silent: covered 0.017. The run holds it since
  // (calibration/shiftHold.ts): 0.475.
  const { metrics } = runScenario(findScenario('kpi_shift_2sigma')!, 1770203325);
  expect(metrics.coverage).toBeGreaterThan(0.4);
});
