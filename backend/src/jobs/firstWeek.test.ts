/**
 * A continuous job scores causally: its default backfill (fit_window, defaultFitWindowMs) decides whether
 * its first live week is one the detector has seen. A job started on a Monday at a 5-minute step, with a
 * 4-hour 40 % drop on its first Tuesday: with two days of backfill (the default until 2026-12) its series
 * began on a Saturday and the drop was not flagged (covered 0.00–0.02 on these seeds).
 */
import { createStream } from '../engine/index.js';
import { defaultFitWindowMs } from './config.js';
import { DEFAULT_START, MINUTE_MS, seasonalShape } from '../lab/scenarios/traffic.js';
import { createRandom } from '../lab/scenarios/random.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const STEP = 5 * MINUTE_MS;
/** The job's first live point: a Monday two weeks after the scenario suite's start. */
const LIVE = DEFAULT_START + 14 * DAY;
const DROP_FROM = LIVE + DAY + 10 * HOUR;
const DROP_TO = DROP_FROM + 4 * HOUR;

/** Share of the drop's points flagged by a stream fed [LIVE − backfill, the drop's end). */
function coverage(backfillMs: number, seed: number): number {
  const random = createRandom(seed);
  const stream = createStream({ stepMs: STEP });
  let points = 0;
  let flagged = 0;
  for (let t = LIVE - backfillMs; t < DROP_TO; t += STEP) {
    const inDrop = t >= DROP_FROM;
    const p = stream.push(
      t,
      1000 * seasonalShape(t, 0.7) * (inDrop ? 0.6 : 1) * (1 + 0.03 * random.normal()),
    );
    if (!inDrop) continue;
    points++;
    if (p?.anomaly) flagged++;
  }
  return flagged / points;
}

test('the default backfill at 5 minutes a step is 9¼ days; at 1 minute, 2 days', () => {
  expect(defaultFitWindowMs(STEP)).toBe(9.25 * DAY);
  expect(defaultFitWindowMs(MINUTE_MS)).toBe(2 * DAY);
  expect(defaultFitWindowMs(2 * MINUTE_MS)).toBe(4 * DAY);
  expect(defaultFitWindowMs(HOUR)).toBe(9.25 * DAY);
});

test('a 5-minute job flags a 40 % drop on its first Tuesday for its length', () => {
  for (const seed of [1, 2, 3, 4, 5, 6])
    expect(coverage(defaultFitWindowMs(STEP), seed)).toBeGreaterThanOrEqual(0.9);
});
