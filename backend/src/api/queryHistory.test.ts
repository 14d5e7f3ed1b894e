/**
 * The history the query API fetches before a dashboard's range (sources/prometheus/promql.ts,
 * QUERY_HISTORY) decides what the range's first week looks like to the detector. A 7-day range from a
 * Monday at Grafana's usual steps for it, with a 4-hour 40 % drop on its Tuesday, scored as POST
 * /api/v1/query scores it: the whole fetched series in one batch, cut to the range. With three days of
 * history (until 2026-12) the series began on a Friday, the drop fell on a time of the week the detector
 * had not seen, and it was not flagged at 5, 10 or 15 minutes a step (covered 0.00–0.06 on these seeds).
 */
import { scoreSeries } from '../engine/index.js';
import { historyStart } from '../sources/prometheus/promql.js';
import { DEFAULT_START, MINUTE_MS, seasonalShape } from '../lab/scenarios/traffic.js';
import { createRandom } from '../lab/scenarios/random.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;
/** A Monday two weeks after the scenario suite's start. */
const RANGE_START = DEFAULT_START + 14 * DAY;
const RANGE_END = RANGE_START + 7 * DAY;
const DROP_FROM = RANGE_START + DAY + 10 * HOUR;
const DROP_TO = DROP_FROM + 4 * HOUR;

/** Share of the drop's points flagged, scoring [historyStart, end) at `stepMs` (seed: the noise). */
function coverage(stepMs: number, seed: number): number {
  const random = createRandom(seed);
  const timestamps: number[] = [];
  const values: number[] = [];
  for (let t = historyStart(RANGE_START, stepMs); t < RANGE_END; t += stepMs) {
    const drop = t >= DROP_FROM && t < DROP_TO ? 0.6 : 1;
    timestamps.push(t);
    values.push(1000 * seasonalShape(t, 0.7) * drop * (1 + 0.03 * random.normal()));
  }
  const scored = scoreSeries({ timestamps, values });
  let points = 0;
  let flagged = 0;
  timestamps.forEach((t, i) => {
    if (t < DROP_FROM || t >= DROP_TO) return;
    points++;
    if (scored.anomaly[i]) flagged++;
  });
  return flagged / points;
}

const SEEDS = [1, 2, 3, 4, 5, 6];
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

test('a 7-day dashboard at 5 minutes a step flags a 40 % drop on its Tuesday for its length', () => {
  const covered = SEEDS.map((seed) => coverage(5 * MINUTE_MS, seed));
  for (const c of covered) expect(c).toBeGreaterThanOrEqual(0.9);
});

test.each([10, 15])('at %i minutes a step it is flagged for most of its length', (minutes) => {
  expect(mean(SEEDS.map((seed) => coverage(minutes * MINUTE_MS, seed)))).toBeGreaterThanOrEqual(0.75);
});
