import { WeeklyCorrection } from './weeklyCorrection.js';

const DAY = 1440;
const WEEK = 7 * DAY;
/** Saturday noon of week `w` (day 0: a Monday). */
const saturdayNoon = (w: number) => w * WEEK + 5 * DAY + 720;

/**
 * A weekly correction fed `weeks` weeks of 1-minute traffic against a flat daily median of 100: `x(i)` at
 * position i, learnt inside an incident where `incident(i)`.
 */
function fed(weeks: number, x: (i: number) => number, incident: (i: number) => boolean): WeeklyCorrection {
  const w = new WeeklyCorrection(DAY, 7);
  for (let i = 0; i < weeks * WEEK + 1; i++) w.learn(i, x(i), 100, !incident(i));
  return w;
}

const isWeekend = (i: number) => Math.floor((i % WEEK) / DAY) >= 5;
/** Office-like weekends at 30 % of the weekdays, flagged (inside an incident) on the first two weekends. */
const weekend = (i: number) => (isWeekend(i) ? 30 : 100);
const flaggedWeekends = (i: number) => isWeekend(i) && i < 2 * WEEK;

describe('a first-week bin stored as imputed (WeeklyCorrection.settleImputed)', () => {
  it('takes its own ratio once the second week brings the same (a weekend flagged before it was known)', () => {
    const one = fed(1, weekend, flaggedWeekends);
    // The first weekend was learnt inside an incident: stored as the recent weekday factor.
    expect(one.factorOf(12)).toBeCloseTo(1, 2);
    expect(one.readsImputed(saturdayNoon(1))).toBe(true);
    const two = fed(2, weekend, flaggedWeekends);
    // The third weekend reads the older of two weeks: the first weekend's own 0.3 (before: the imputed 1,
    // and it paged all day).
    expect(two.factorOf(19)).toBeCloseTo(0.3, 2);
    expect(two.readsImputed(saturdayNoon(2))).toBe(false);
  });

  it('stays imputed where the second week differs (a one-off drop in the first week does not come back)', () => {
    // Tuesday 10:00–16:00 of the first week at 60 %, inside an incident; the weeks after at 100.
    const drop = (i: number) => i >= DAY + 600 && i < DAY + 960;
    const two = fed(2, (i) => (drop(i) ? 60 : 100), drop);
    const tuesdayNoon = 2 * WEEK + DAY + 720;
    expect(two.at(tuesdayNoon)).toBeCloseTo(1, 2);
    // Still marked until its third week is stored: the clock watch is not fed there.
    expect(two.readsImputed(tuesdayNoon)).toBe(true);
    expect(fed(3, (i) => (drop(i) ? 60 : 100), drop).readsImputed(3 * WEEK + DAY + 720)).toBe(false);
  });

  it('keeps its marks in its snapshot: restored in week 2, the third weekend is read as without a stop', () => {
    const w = new WeeklyCorrection(DAY, 7);
    const restored = new WeeklyCorrection(DAY, 7);
    for (let i = 0; i < 2 * WEEK + 1; i++) {
      w.learn(i, weekend(i), 100, !flaggedWeekends(i));
      if (i === WEEK + 3 * DAY) restored.restore(JSON.parse(JSON.stringify(w.snapshot())), 'weekly');
      if (i > WEEK + 3 * DAY) restored.learn(i, weekend(i), 100, !flaggedWeekends(i));
    }
    expect(restored.factorOf(19)).toBe(w.factorOf(19));
    expect(restored.snapshot()).toEqual(w.snapshot());
  });
});
