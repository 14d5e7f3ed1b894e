/**
 * What the scenario table's false episodes a day undercount: an incident echoing a week later is one
 * episode, however long. At a 1-minute step the weekly correction reads the older of two stored weeks
 * (detectors/seasonal/weeklyCorrection.ts, WeeklyCorrection.binMedian); with their mean, the hours of a
 * 6-hour 40 % drop were flagged again a week later, 345–382 points on each of seeds 1–8, and a lasting 40 %
 * change paged for a day a week after it was accepted (700–2,100 points).
 */
import { findScenario } from './catalog.js';
import { scoreSeries } from '../../engine/index.js';

const DAY = 1440;

function scored(name: string, seed: number) {
  const series = findScenario(name)!.generate(seed);
  const r = scoreSeries(
    { timestamps: series.timestamps, values: series.values },
    { options: { causal: true } },
  );
  const incident = series.incidents[0];
  return {
    anomaly: r.anomaly,
    from: series.timestamps.indexOf(incident.start),
    to: series.timestamps.indexOf(incident.end),
  };
}

const flagged = (anomaly: readonly boolean[], from: number, to: number) =>
  anomaly.slice(from, to).filter(Boolean).length;

describe('a week after an incident, at a 1-minute step', () => {
  test.each([1, 2])('the hours of a 6-hour 40 %% drop are not flagged again (seed %i)', (seed) => {
    const { anomaly, from, to } = scored('drop_40pct_week_after', seed);
    expect(flagged(anomaly, from, to)).toBeGreaterThan(0.9 * (to - from));
    expect(flagged(anomaly, from + 7 * DAY - 60, to + 7 * DAY + 60)).toBe(0);
  });

  test.each([
    ['down', 1],
    ['down', 2],
    ['up', 5],
    ['up', 6],
  ])('a lasting 40 %% change (%s), once accepted, does not page a week later (seed %i)', (way, seed) => {
    const { anomaly, from, to } = scored(`level_${way}_40pct_lasting`, seed as number);
    expect(flagged(anomaly, from, to)).toBeGreaterThan(0.9 * (to - from));
    // The echo was 700–2,100 points. An isolated noise point at a clean series' rate is not one: seed 1
    // flags one on day 20 (score 1.02, 13 % below expected where its neighbours are within 4 %), where the
    // band was up to 4× wider until the score tail stopped learning an accepted incident as the series'
    // noise (engine/seriesScorer.ts; acceptedLevel.test.ts).
    expect(flagged(anomaly, to + 5 * DAY, anomaly.length)).toBeLessThanOrEqual(1);
  });
});
