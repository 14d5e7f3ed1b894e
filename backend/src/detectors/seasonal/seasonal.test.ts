import { SeasonalComponent } from './component.js';
import { periodToAdopt, snapToCalendar } from './calendar.js';
import { emptyDeviation } from '../component.js';
import { SortedWindow } from '../../stats/windows.js';
import { scoreSeries } from '../../engine/index.js';
import { DEFAULT_START, MINUTE_MS, dailyShape, seasonalShape } from '../../lab/scenarios/traffic.js';
import { createRandom } from '../../lab/scenarios/random.js';

/** Deterministic pseudo-noise in [-0.5, 0.5) so tests do not depend on Math.random. */
function noise(i: number) {
  const x = Math.sin(i * 12.9898) * 43758.5453;
  return x - Math.floor(x) - 0.5;
}

const DAY = 1440;

/** 1-minute traffic from Monday 00:00 with weekends at `weekend` of weekdays and ~3 % noise. */
function traffic(days: number, weekend: number, spikeAt06 = false): number[] {
  return Array.from({ length: days * DAY }, (_, i) => {
    const t = DEFAULT_START + i * MINUTE_MS;
    const spike = spikeAt06 && i % DAY >= 360 && i % DAY < 365 ? 3 : 1;
    return 1000 * seasonalShape(t, weekend) * spike * (1 + 0.06 * noise(i));
  });
}

/** Feed `xs` to a seasonal component (normal mode), returning the z of every point. */
function feed(c: SeasonalComponent, xs: number[]): Float64Array {
  const out = emptyDeviation();
  const z = new Float64Array(xs.length);
  for (let i = 0; i < xs.length; i++) {
    c.step(xs[i], out);
    z[i] = out.z;
    c.learn(xs[i], 'normal');
  }
  return z;
}

describe('calendar snapping', () => {
  it('snaps a detected period within 3 % of a day or a week, when the step is known', () => {
    expect(snapToCalendar(1451, MINUTE_MS)).toBe(1440);
    expect(snapToCalendar(1409, MINUTE_MS)).toBe(1440);
    expect(snapToCalendar(285, 5 * MINUTE_MS)).toBe(288);
    expect(snapToCalendar(170, 60 * MINUTE_MS)).toBe(168);
    expect(snapToCalendar(10_000, MINUTE_MS)).toBe(10_080);
    // Far from any calendar period, or no step: unchanged.
    expect(snapToCalendar(1300, MINUTE_MS)).toBe(1300);
    expect(snapToCalendar(60, MINUTE_MS)).toBe(60);
    expect(snapToCalendar(1451, null)).toBe(1451);
  });

  it('replaces a period found off the calendar by a week its history confirms, and keeps it on noise', () => {
    const hour = 60 * MINUTE_MS;
    const r = createRandom(11);
    // Four weeks of hourly values: a weekly swing (weekdays high, a weekend low) plus noise.
    const weekly = Array.from({ length: 4 * 168 }, (_, i) => {
      const weekend = i % 168 >= 120 ? -30 : 10 * Math.sin((2 * Math.PI * i) / 24);
      return 100 + weekend + 3 * r.normal();
    });
    expect(periodToAdopt(161, weekly, hour, 2100)).toBe(168);
    // Within 3 % of the week it snaps as before; without a step nothing is known of the calendar.
    expect(periodToAdopt(165, weekly, hour, 2100)).toBe(168);
    expect(periodToAdopt(161, weekly, null, 2100)).toBe(161);
    // A week longer than the detector may hold, or with fewer than two weeks in view: the period found.
    expect(periodToAdopt(161, weekly, hour, 160)).toBe(161);
    expect(periodToAdopt(161, weekly.slice(0, 300), hour, 2100)).toBe(161);
    // White noise confirms no calendar period.
    const noise = Array.from({ length: 4 * 168 }, () => 100 + 3 * r.normal());
    expect(periodToAdopt(161, noise, hour, 2100)).toBe(161);
  });

  it('keeps no weekly correction on a period off the calendar: its weeks are not seven of its cycles', () => {
    // A period of 960 ten-minute points (6⅔ days), as NAB's TravelTime_451 takes: with a correction seven
    // cycles long, no week was stored at its position for 47 days and every point read as a first week's.
    const period = 960;
    const xs = Array.from(
      { length: 3 * period },
      (_, i) => 100 + 20 * Math.sin((2 * Math.PI * i) / period) + noise(i),
    );
    const out = emptyDeviation();
    const seen = (stepMs: number | null) => {
      const c = new SeasonalComponent({ period, stepMs });
      const flags: (boolean | undefined)[] = [];
      for (const x of xs) {
        c.step(x, out);
        flags.push(out.weekSeen);
        c.learn(x, 'normal');
      }
      return flags.slice(2 * period);
    };
    expect(seen(10 * MINUTE_MS).every((w) => w === true)).toBe(true);
    // Without a known step nothing says the period is off the calendar: the correction is kept.
    expect(seen(null).some((w) => w === false)).toBe(true);
  });

  it('a 1-minute traffic series with a known step gets exactly a day', () => {
    const c = new SeasonalComponent({ stepMs: MINUTE_MS });
    feed(c, traffic(4, 1));
    expect(c.period()).toBe(DAY);
    // The step is state: a restored component still snaps.
    const restored = new SeasonalComponent();
    restored.restore(JSON.parse(JSON.stringify(c.snapshot())) as never);
    expect((restored.snapshot() as { stepMs: number | null }).stepMs).toBe(MINUTE_MS);
  });
});

describe('a day found from its step two cycles and a quarter in', () => {
  const until = (c: SeasonalComponent, xs: number[]) => {
    const out = emptyDeviation();
    for (let i = 0; i < xs.length; i++) {
      c.step(xs[i], out);
      c.learn(xs[i], 'normal');
      if (c.period() !== null) return i + 1;
    }
    return null;
  };

  it('at 3,240 points with a known 1-minute step, 760 before the ACF search finds it', () => {
    const xs = traffic(4, 1);
    expect(until(new SeasonalComponent({ stepMs: MINUTE_MS }), xs)).toBe(2 * DAY + DAY / 4 + 1);
    // No step known: the search's schedule alone (4,000 points).
    expect(until(new SeasonalComponent(), xs)).toBe(4001);
  });

  it("a job's per-series offset moves the check with the schedule's", () => {
    expect(until(new SeasonalComponent({ stepMs: MINUTE_MS, checkOffset: 37 }), traffic(4, 1))).toBe(
      2 * DAY + DAY / 4 + 37 + 1,
    );
  });

  it('an hourly series: its day checked on a week of days; a coarser one waits for the schedule', () => {
    const daily = (perDay: number) =>
      Array.from({ length: perDay * 40 }, (_, i) => 100 + 40 * Math.sin((2 * Math.PI * i) / perDay));
    expect(until(new SeasonalComponent({ stepMs: 60 * MINUTE_MS }), daily(24))).toBe(7 * 24 + 1);
    // Every 2 hours (12 points a day): no check of its own, the search's schedule (400 points).
    expect(until(new SeasonalComponent({ stepMs: 120 * MINUTE_MS }), daily(12))).toBe(401);
  });
});

describe('weekly seasonality at a 1-minute step', () => {
  it('keeps a binned weekly correction (not a 10,080-point profile) and scores weekends as normal', () => {
    const xs = traffic(21, 0.4);
    const c = new SeasonalComponent({ stepMs: MINUTE_MS });
    const z = feed(c, xs);
    const s = c.snapshot();
    if (s.type !== 'seasonal') throw new Error('not a seasonal state');
    expect(s.profiles).toHaveLength(1);
    const [p] = s.profiles;
    expect(p.period).toBe(DAY);
    expect(p.weekly).not.toBeNull();
    // 7 days × 48 bins × 3 weeks, and the daily table 1,440 × 5: no week-long table, no history ring.
    expect(p.weekly!.table).toHaveLength(7 * 48 * 3);
    expect(p.cycles).toHaveLength(DAY * 5);
    expect(s.history).toBeNull();

    // The third weekend (days 19–20) against the daily-only profile.
    const daily = new SeasonalComponent({ stepMs: MINUTE_MS, multiples: [] });
    const zDaily = feed(daily, xs);
    const big = (zs: Float64Array) => {
      let n = 0;
      for (let i = 19 * DAY; i < 21 * DAY; i++) if (Math.abs(zs[i]) > 6) n++;
      return n / (2 * DAY);
    };
    expect(big(zDaily)).toBeGreaterThan(0.2);
    expect(big(z)).toBeLessThan(0.01);
  });

  it('says whether its weekly correction has seen this time of the week (not in the first week)', () => {
    const xs = traffic(12, 0.4);
    const c = new SeasonalComponent({ stepMs: MINUTE_MS });
    const out = emptyDeviation();
    const seen: (boolean | undefined)[] = [];
    for (let i = 0; i < xs.length; i++) {
      c.step(xs[i], out);
      if (i % DAY === 12 * 60) seen.push(out.weekSeen);
      c.learn(xs[i], 'normal');
    }
    // Noon of days 0–11: no profile before its day is found (days 0–1; found 2¼ days in), then days the
    // correction has not seen: the rest of the first week. The days before the period was found are
    // learnt from the remembered history when it is (Profile.learnWeekly), so the whole second week is seen.
    expect(seen.slice(0, 2)).toEqual([undefined, undefined]);
    expect(seen.slice(2, 7)).toEqual(Array(5).fill(false));
    expect(seen.slice(7)).toEqual(Array(5).fill(true));
    // A daily profile without a weekly correction has nothing to see.
    const daily = new SeasonalComponent({ stepMs: MINUTE_MS, multiples: [] });
    for (let i = 0; i < 3 * DAY; i++) {
      daily.step(xs[i], out);
      daily.learn(xs[i], 'normal');
    }
    daily.step(xs[3 * DAY], out);
    expect(out.weekSeen).toBe(true);
  });
});

describe('a 5- or 15-minute day carries the weekly correction, not only a week-long profile two weeks in', () => {
  const STEP = 5 * MINUTE_MS;
  const PER_DAY = 288;
  /** 5-minute traffic from Monday 00:00, weekends at 40 %, ~3 % noise. */
  const xs = Array.from({ length: 14 * PER_DAY }, (_, i) => {
    return 1000 * seasonalShape(DEFAULT_START + i * STEP, 0.4) * (1 + 0.06 * noise(i));
  });
  const share = (zs: Float64Array, fromDay: number, toDay: number) => {
    let n = 0;
    for (let i = fromDay * PER_DAY; i < toDay * PER_DAY; i++) if (Math.abs(zs[i]) > 6) n++;
    return n / ((toDay - fromDay) * PER_DAY);
  };

  it('its second weekend (days 12–13) is expected, where a daily profile alone read it as a level shift', () => {
    const c = new SeasonalComponent({ stepMs: STEP });
    const z = feed(c, xs);
    const s = c.snapshot() as unknown as {
      profiles: { period: number; weekly: unknown; cycles: unknown[] }[];
    };
    expect(s.profiles[0].period).toBe(PER_DAY);
    expect(s.profiles[0].weekly).not.toBeNull();
    expect(s.profiles[0].cycles).toHaveLength(PER_DAY * 5);
    // What the component did before (correctionOf): no correction, the weekly profile pending two weeks.
    const daily = new SeasonalComponent({ stepMs: STEP, multiples: [] });
    const zDaily = feed(daily, xs);
    expect(share(zDaily, 12, 14)).toBeGreaterThan(0.2);
    expect(share(z, 12, 14)).toBeLessThan(0.01);
  });

  it('a snapshot restores with the correction it has, and refuses a multiple the detector does not track', () => {
    const c = new SeasonalComponent({ stepMs: STEP });
    feed(c, xs.slice(0, 9 * PER_DAY));
    const written = JSON.parse(JSON.stringify(c.snapshot())) as {
      profiles: { weekly: { multiple: number } }[];
    };
    const restored = new SeasonalComponent({ stepMs: STEP });
    restored.restore(written as never);
    const rest = xs.slice(9 * PER_DAY);
    expect(Array.from(feed(restored, rest))).toEqual(Array.from(feed(c, rest)));
    written.profiles[0].weekly.multiple = 9;
    expect(() => new SeasonalComponent({ stepMs: STEP }).restore(written as never)).toThrow(
      /profiles\[0\]\.weekly\.multiple.*is 9, not a multiple this detector tracks/,
    );
  });

  it('a 15-minute day (96 points) is found two cycles and a quarter in, at 216 points, with the correction', () => {
    const STEP15 = 15 * MINUTE_MS;
    const xs15 = Array.from({ length: 10 * 96 }, (_, i) => {
      return 1000 * seasonalShape(DEFAULT_START + i * STEP15, 0.4) * (1 + 0.06 * noise(i));
    });
    const c = new SeasonalComponent({ stepMs: STEP15 });
    const out = emptyDeviation();
    let foundAt = -1;
    for (let i = 0; i < xs15.length && foundAt < 0; i++) {
      c.step(xs15[i], out);
      c.learn(xs15[i], 'normal');
      if (c.period() !== null) foundAt = i + 1;
    }
    // Before, the search's first check (400 points, 4.2 days) came first.
    expect(foundAt).toBe(2 * 96 + 24 + 1);
    const s = c.snapshot() as unknown as { profiles: { period: number; weekly: unknown }[] };
    expect(s.profiles[0].period).toBe(96);
    expect(s.profiles[0].weekly).not.toBeNull();
  });

  it('an hourly day (24 points, fewer than the correction’s bins) keeps the daily profile alone', () => {
    const hourly = Array.from({ length: 20 * 24 }, (_, i) => {
      return 1000 * seasonalShape(DEFAULT_START + i * 60 * MINUTE_MS, 0.4) * (1 + 0.06 * noise(i));
    });
    const c = new SeasonalComponent({ stepMs: 60 * MINUTE_MS });
    feed(c, hourly);
    const s = c.snapshot() as unknown as { profiles: { period: number; weekly: unknown }[] };
    expect(s.profiles[0].period).toBe(24);
    expect(s.profiles[0].weekly).toBeNull();
  });

  it('an hourly series’ week joins once its day is confirmed on a week of days, so its second Tuesday is expected as its first', () => {
    const hour = 60 * MINUTE_MS;
    const hourly = Array.from({ length: 9 * 24 }, (_, i) => {
      return 1000 * seasonalShape(DEFAULT_START + i * hour, 0.4) * (1 + 0.06 * noise(i));
    });
    const c = new SeasonalComponent({ stepMs: hour });
    const z = feed(c, hourly);
    const s = c.snapshot() as unknown as { profiles: { period: number }[] };
    // The day and, in the same step, the week seeded with the week in memory (before: the day alone
    // until two weeks).
    expect(s.profiles.map((p) => p.period)).toEqual([24, 168]);
    expect(c.period()).toBe(168);
    expect(c.basePeriod()).toBe(24);
    // Day 8, the second Tuesday, against the day alone: the median of Friday, Saturday and Sunday
    // expects it at the weekend's 40 %.
    const dayOnly = feed(new SeasonalComponent({ stepMs: hour, multiples: [] }), hourly);
    const largest = (zs: Float64Array) => Math.max(...Array.from(zs.subarray(8 * 24, 9 * 24), Math.abs));
    expect(largest(z)).toBeLessThan(4);
    expect(largest(dayOnly)).toBeGreaterThan(10);
  });
});

describe('an incident in a series’ first week is not read as its weekday a week later', () => {
  it('a 6-hour 40 % drop on day 3, learnt as an incident, leaves the same hours of day 10 expected as normal', () => {
    const days = 11;
    const truth = Array.from(
      { length: days * DAY },
      (_, i) => 1000 * seasonalShape(DEFAULT_START + i * MINUTE_MS, 0.7),
    );
    const inDrop = (i: number) => i >= 2 * DAY + 600 && i < 2 * DAY + 960;
    const xs = truth.map((x, i) => x * (inDrop(i) ? 0.6 : 1) * (1 + 0.06 * noise(i)));
    const c = new SeasonalComponent({ stepMs: MINUTE_MS });
    const out = emptyDeviation();
    const ratios: number[] = [];
    for (let i = 0; i < xs.length; i++) {
      c.step(xs[i], out);
      // Day 10 (index 9), 10:00–16:00: what the profile expects against the truth.
      if (i >= 9 * DAY + 600 && i < 9 * DAY + 960) ratios.push(out.expected / truth[i]);
      c.learn(xs[i], inDrop(i) ? 'incident' : 'normal');
    }
    ratios.sort((a, b) => a - b);
    const median = ratios[ratios.length >> 1];
    // Stored as the drop's own ratio, the hours were expected at ~0.6 of normal.
    expect(median).toBeGreaterThan(0.93);
    expect(median).toBeLessThan(1.07);
  });
});

describe('a series begun before a weekend: its first week learnt again when the week comes round', () => {
  /** 1-minute traffic from `startDay` days after Monday 00:00, weekends at 70 %, ~3 % noise; and its truth. */
  const from = (startDay: number, days: number) => {
    const t0 = DEFAULT_START + startDay * DAY * MINUTE_MS;
    const truth = Array.from({ length: days * DAY }, (_, i) => 1000 * seasonalShape(t0 + i * MINUTE_MS, 0.7));
    return { truth, xs: truth.map((x, i) => x * (1 + 0.06 * noise(i))) };
  };

  /** The expected value at every point of `xs`, fed in order (normal mode), optionally through a snapshot at `cut`. */
  function expectedOf(xs: number[], cut?: number): Float64Array {
    let c = new SeasonalComponent({ stepMs: MINUTE_MS });
    const out = emptyDeviation();
    const expected = new Float64Array(xs.length);
    for (let i = 0; i < xs.length; i++) {
      if (i === cut) {
        const restored = new SeasonalComponent({ stepMs: MINUTE_MS });
        restored.restore(JSON.parse(JSON.stringify(c.snapshot())));
        c = restored;
      }
      c.step(xs[i], out);
      expected[i] = out.expected;
      c.learn(xs[i], 'normal');
    }
    return expected;
  }

  /** The worst median |expected ÷ truth − 1| of the 2-hour blocks of day `day`. */
  const error = (expected: Float64Array, truth: number[], day: number) => {
    let worst = 0;
    for (let from = day * DAY; from < (day + 1) * DAY; from += 120) {
      const e: number[] = [];
      for (let i = from; i < from + 120; i++) e.push(Math.abs(expected[i] / truth[i] - 1));
      worst = Math.max(worst, e.sort((a, b) => a - b)[60]);
    }
    return worst;
  };

  it('begun on a Sunday, its second Sunday is expected within 2.5 % of its level (10 % above it before)', () => {
    // Its day is found 2¼ days in, so the first Sunday was learnt against the mean of itself and a Monday:
    // a factor of 0.82 where the weekend is 0.7 of a weekday.
    const { truth, xs } = from(6, 9);
    const expected = expectedOf(xs);
    expect(error(expected, truth, 7)).toBeLessThan(0.025);
    // The Monday after it, learnt against the same two days, likewise (its night 21 % above it).
    expect(error(expected, truth, 8)).toBeLessThan(0.025);
  });

  it('begun on a Saturday, its second Saturday night within 2.5 % (4 % off before)', () => {
    const { truth, xs } = from(5, 8);
    expect(error(expectedOf(xs), truth, 7)).toBeLessThan(0.025);
  });

  it.each([
    ['Friday', 4],
    ['Saturday', 5],
  ])(
    'begun on a %s, its pattern is within 2 %% of the level at every hour of weeks 2 and 3 (4 %% off around midnights before)',
    (_, startDay) => {
      // Every first-week day's within-day shape is read again when it comes round (rereadDay), against the
      // days it is then expected from: read against the week's-end table, a Tuesday or Wednesday midnight
      // was expected 3–4 % low, a Monday midnight in the scenario suite 4–5 % high ("level shift down").
      const { truth, xs } = from(startDay, 21);
      const c = new SeasonalComponent({ stepMs: MINUTE_MS });
      const out = emptyDeviation();
      const pattern = new Float64Array(xs.length);
      for (let i = 0; i < xs.length; i++) {
        c.step(xs[i], out);
        pattern[i] = out.pattern!;
        c.learn(xs[i], 'normal');
      }
      let worst = 0;
      for (let block = 7 * DAY; block < 21 * DAY; block += 120) {
        let sum = 0;
        for (let i = block; i < block + 120; i++) sum += pattern[i] / truth[i] - 1;
        worst = Math.max(worst, Math.abs(sum / 120));
      }
      expect(worst).toBeLessThan(0.02);
    },
  );

  it('keeps the first week in its snapshot: restored mid-week, it learns the same again', () => {
    const { xs } = from(6, 8);
    const uninterrupted = expectedOf(xs);
    expect(Array.from(expectedOf(xs, 4 * DAY + 17))).toEqual(Array.from(uninterrupted));
  });

  it('keeps the days of the first week not read again yet in its snapshot: restored in week 2, the same', () => {
    const { xs } = from(4, 12);
    const uninterrupted = expectedOf(xs);
    expect(Array.from(expectedOf(xs, 9 * DAY + 17))).toEqual(Array.from(uninterrupted));
  });

  it('a snapshot from before (no first week kept) restores and goes on as before, learning nothing again', () => {
    const { truth, xs } = from(6, 9);
    const c = new SeasonalComponent({ stepMs: MINUTE_MS });
    feed(c, xs.slice(0, 4 * DAY));
    const snap = JSON.parse(JSON.stringify(c.snapshot()));
    delete snap.profiles[0].weekly.firstMeans;
    const restored = new SeasonalComponent({ stepMs: MINUTE_MS });
    restored.restore(snap);
    const out = emptyDeviation();
    const expected = new Float64Array(xs.length);
    for (let i = 4 * DAY; i < xs.length; i++) {
      restored.step(xs[i], out);
      expected[i] = out.expected;
      restored.learn(xs[i], 'normal');
    }
    expect(error(expected, truth, 7)).toBeGreaterThan(0.05);
  });
});

describe("a series' first weekend, once the week is seen", () => {
  it("leaves no level offset behind: the second Monday is expected at a weekday's level", () => {
    // Weekends at 40 %: through the unseen first weekend the level offset carries the gap additively.
    const z = feed(new SeasonalComponent({ stepMs: MINUTE_MS }), traffic(8, 0.4));
    let worst = 0;
    for (let i = 7 * DAY; i < 7 * DAY + 120; i++) worst = Math.max(worst, Math.abs(z[i]));
    expect(worst).toBeLessThan(4);
  });
});

describe('weekly correction within the week', () => {
  it('a burst in one 30-minute bin does not move the expected value of the next bin (earlier weeks only)', () => {
    const clean = traffic(11, 1);
    const burst = clean.slice();
    const from = 10 * DAY + 600; // day 10 (a Thursday) 10:00, the start of a bin
    for (let i = from; i < from + 30; i++) burst[i] *= 5;
    const expectedAfter = (xs: number[]) => {
      const c = new SeasonalComponent({ stepMs: MINUTE_MS });
      const out = emptyDeviation();
      const e: number[] = [];
      for (let i = 0; i < from + 45; i++) {
        c.step(xs[i], out);
        if (i >= from + 30) e.push(out.expected);
        // The burst is learnt as the scorer learns an open incident.
        c.learn(xs[i], i >= from && i < from + 30 ? 'incident' : 'normal');
      }
      return e;
    };
    const a = expectedAfter(clean);
    const b = expectedAfter(burst);
    // 10:30–10:44, the first half of the next bin, reads the previous bin for its interpolation.
    for (let k = 0; k < a.length; k++) expect(Math.abs(b[k] / a[k] - 1)).toBeLessThan(0.02);
  });
});

describe('recurring patterns', () => {
  it('a daily 5-minute spike is no longer flagged from its 4th day', () => {
    const days = 6;
    const values = Array.from({ length: days * DAY }, (_, i) => {
      const h = (i % DAY) / 60;
      const spike = i % DAY >= 360 && i % DAY < 365 ? 3 : 1;
      return 1000 * dailyShape(h) * spike * (1 + 0.06 * noise(i));
    });
    const timestamps = values.map((_, i) => DEFAULT_START + i * MINUTE_MS);
    const r = scoreSeries({ timestamps, values }, { options: { causal: true } });
    expect(r.model.period).toBe(DAY);
    const flagged = (day: number) => r.anomaly.slice(day * DAY + 360, day * DAY + 365).some(Boolean);
    expect([3, 4, 5].map(flagged)).toEqual([false, false, false]);
  });

  describe('a learnt peak carries noise in proportion to its height', () => {
    const days = 14;
    /** 1-minute daily traffic with 3 % Gaussian noise on the level, a 5-minute spike at 06:00 (× `height(day)`). */
    function series(height: (day: number) => number) {
      const r = createRandom(7);
      const values = Array.from({ length: days * DAY }, (_, i) => {
        const spike = i % DAY >= 360 && i % DAY < 365 ? height(Math.floor(i / DAY)) : 1;
        return 1000 * dailyShape((i % DAY) / 60) * spike * (1 + 0.03 * r.normal());
      });
      const timestamps = values.map((_, i) => DEFAULT_START + i * MINUTE_MS);
      return scoreSeries({ timestamps, values }, { options: { causal: true } });
    }
    const peak = (r: ReturnType<typeof series>, day: number) =>
      Math.max(...r.score.slice(day * DAY + 360, day * DAY + 365));

    it('its 3× noise is not scored as anomalous, day after day (before: peaks up to 1.1 here)', () => {
      const r = series(() => 3);
      const peaks = Array.from({ length: days - 4 }, (_, k) => peak(r, k + 4));
      expect(Math.max(...peaks)).toBeLessThan(0.6);
      // The band is wider at the peak than 15 minutes before it, by about the peak's height.
      const at = (i: number) => r.upper[i]! - r.lower[i]!;
      expect(at(10 * DAY + 362) / at(10 * DAY + 345)).toBeGreaterThan(2);
    });

    it('a peak twice its learnt height, or missing, is still flagged', () => {
      const r = series((day) => (day === 10 ? 6 : day === 12 ? 1 : 3));
      expect(r.anomaly.slice(10 * DAY + 360, 10 * DAY + 365).some(Boolean)).toBe(true);
      expect(r.anomaly.slice(12 * DAY + 360, 12 * DAY + 365).some(Boolean)).toBe(true);
    });
  });
});

describe('the level offset after an absorbed change', () => {
  const P = 400;
  /** A 400-point cycle around 1000 at `level` × its usual height, without noise. */
  const clean = (i: number, level: number) => level * (1000 + 200 * Math.sin((2 * Math.PI * i) / P));
  /** The same with ~1 % noise. */
  const at = (i: number, level: number) => clean(i, level) * (1 + 0.02 * noise(i));

  /**
   * A profile that learnt 5 cycles at level 1, then a slow move to 0.7 over 200 points: its phase table
   * still holds level 1, its level offset has absorbed the move (a ramp down). No weekly multiple by
   * default, so every time of the week counts as seen (Deviation.weekSeen) and the offset, winsorized at
   * the noise scale, takes 600 points to absorb it; with a weekly correction not yet seen (a first week,
   * whose scale is read from the level), 300.
   */
  function absorbed(multiples: number[] = []): { c: SeasonalComponent; i: number } {
    const c = new SeasonalComponent({ period: P, multiples });
    const out = emptyDeviation();
    const points = 5 * P + (multiples.length ? 300 : 600);
    let i = 0;
    for (; i < points; i++) {
      const k = i - 5 * P;
      const x = at(i, k < 0 ? 1 : Math.max(0.7, 1 - (0.3 * k) / 200));
      c.step(x, out);
      c.learn(x, 'normal');
    }
    return { c, i };
  }
  const ratio = (c: SeasonalComponent, i: number, x: number, level: number) => {
    const out = emptyDeviation();
    c.step(x, out);
    return out.expected / clean(i, level);
  };

  it('one point back at the phase table’s level inside an incident (a heavy-tailed outlier) does not restart it', () => {
    const { c, i } = absorbed();
    expect(ratio(c, i, at(i, 1), 0.7)).toBeCloseTo(1, 1);
    c.learn(at(i, 1), 'incident');
    // Still the absorbed level: the next ordinary point is not a 30 % drop (before: expected back at 1).
    expect(ratio(c, i + 1, at(i + 1, 0.7), 0.7)).toBeCloseTo(1, 1);
  });

  it('two consecutive points back at that level (the change has ended) restart it there', () => {
    const { c, i } = absorbed();
    for (let k = 0; k < 2; k++) {
      ratio(c, i + k, at(i + k, 1), 1);
      c.learn(at(i + k, 1), 'incident');
    }
    expect(ratio(c, i + 2, at(i + 2, 1), 1)).toBeCloseTo(1, 1);
  });

  it('where the weekly correction has not seen the time of the week, a point at the table’s level is not such a return', () => {
    // A binned weekly correction seven cycles long, 5¾ cycles in: the table is not yet the series' level
    // at this time of the week and the offset carries the difference (a series begun on a Friday, its
    // weekend in the table), so a drop to the table's level is held against the absorbed level, not
    // taken as the end of a change (before: restarted at the table's level after two points).
    const { c, i } = absorbed([7]);
    for (let k = 0; k < 4; k++) {
      ratio(c, i + k, at(i + k, 1), 0.7);
      c.learn(at(i + k, 1), 'incident');
    }
    expect(ratio(c, i + 4, at(i + 4, 1), 0.7)).toBeCloseTo(1, 1);
  });
});

describe('the level offset inside an open incident', () => {
  const P = 400;
  /** A 400-point cycle around 1000 with ~1 % noise, moved up by `shift`. */
  const at = (i: number, shift: number) =>
    (1000 + 200 * Math.sin((2 * Math.PI * i) / P)) * (1 + 0.02 * noise(i)) + shift;

  it('holds through 300 points of a +120 shift (~12 scales): the shift is not absorbed while the incident is open', () => {
    const c = new SeasonalComponent({ period: P });
    const out = emptyDeviation();
    let i = 0;
    for (; i < 5 * P; i++) {
      c.step(at(i, 0), out);
      c.learn(at(i, 0), 'normal');
    }
    const z: number[] = [];
    for (let k = 0; k < 300; k++, i++) {
      c.step(at(i, 120), out);
      z.push(out.z);
      c.learn(at(i, 120), 'incident');
    }
    // As far from expected at the end as at the start (before: the offset moved half a scale's pull a
    // point, and the last 50 points' z was 0.8 of the first 50's; 0.94 now: the phase table still learns).
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(z.slice(-50))).toBeGreaterThan(0.9 * mean(z.slice(0, 50)));
  });
});

describe('the noise scale', () => {
  const P = 400;
  /** A 400-point cycle around 1000 with ~1 % noise, moved up by `shift`. */
  const at = (i: number, shift: number) =>
    (1000 + 200 * Math.sin((2 * Math.PI * i) / P)) * (1 + 0.02 * noise(i)) + shift;
  /** Five learnt cycles; also the last 100 residuals, as a snapshot from before 2026-12 held them. */
  function learnt(): { c: SeasonalComponent; i: number; scale: number; residuals: SortedWindow } {
    // No weekly multiple: a profile whose week is not yet seen keeps the residuals' own spread (below).
    const c = new SeasonalComponent({ period: P, multiples: [] });
    const out = emptyDeviation();
    const residuals = new SortedWindow(100);
    let i = 0;
    for (; i < 5 * P; i++) {
      c.step(at(i, 0), out);
      if (!Number.isNaN(out.expected)) residuals.push(at(i, 0) - out.expected);
      c.learn(at(i, 0), 'normal');
    }
    return { c, i, scale: out.scale, residuals };
  }

  it('is not widened by a sustained shift of 4 scales that is learnt as normal (before: doubled within 60 points)', () => {
    const { c, i: start, scale } = learnt();
    const out = emptyDeviation();
    let i = start;
    for (let k = 0; k < 60; k++, i++) {
      c.step(at(i, 4 * scale), out);
      c.learn(at(i, 4 * scale), 'normal');
    }
    c.step(at(i, 4 * scale), out);
    expect(out.scale / scale).toBeLessThan(1.2);
  });

  it('inside an incident follows the pattern by the square root of how far it moved (the window is held)', () => {
    // ~3 % noise, well above the scale's floor of 1 % of the magnitude.
    const loud = (k: number, shift: number) =>
      (1000 + 200 * Math.sin((2 * Math.PI * k) / P)) * (1 + 0.1 * noise(k)) + shift;
    const c = new SeasonalComponent({ period: P, multiples: [] });
    const out = emptyDeviation();
    let i = 0;
    // Five cycles, then normal up to 0.3 of the next (the sine past its peak), then an incident while it
    // falls to 0.7.
    for (; i < 5.3 * P; i++) {
      c.step(loud(i, 0), out);
      c.learn(loud(i, 0), 'normal');
    }
    const before = { scale: out.scale, pattern: out.pattern! };
    let restored: SeasonalComponent | null = null;
    for (; i < 5.7 * P; i++) {
      c.step(loud(i, 100), out);
      c.learn(loud(i, 100), 'incident');
      if (i === 5.5 * P) {
        restored = new SeasonalComponent({ period: P, multiples: [] });
        restored.restore(JSON.parse(JSON.stringify(c.snapshot())));
      }
    }
    // The pattern fell by ~30 %: the scale by its square root (before 2026-12 it stayed where it was).
    const fell = out.pattern! / before.pattern;
    expect(fell).toBeLessThan(0.75);
    expect(Math.abs(out.scale / before.scale / Math.sqrt(fell) - 1)).toBeLessThan(0.03);
    // Through a snapshot taken inside the incident, the same.
    const b = emptyDeviation();
    for (let k = 5.5 * P + 1; k < i; k++) {
      restored!.step(loud(k, 100), b);
      restored!.learn(loud(k, 100), 'incident');
    }
    expect(b.scale).toBe(out.scale);
  });

  it('on a morning ramp is the morning’s noise learnt on the days before, inside an incident too (NoiseProfile)', () => {
    // Office-like days: 100 at night, 1,000 from 08:30 to 18:00 (30-minute ramps), 3 % noise: σ 3 at
    // night, 30 by day. A week learnt, then the eighth morning's ramp opens an incident at 08:01.
    const level = (phase: number) =>
      100 + 900 * Math.max(0, Math.min(1, (phase - 480) / 30, (1080 - phase) / 30));
    const r = createRandom(3);
    const xs = Array.from({ length: 8 * DAY }, (_, i) => level(i % DAY) * (1 + 0.03 * r.normal()));
    const c = new SeasonalComponent({ period: DAY, multiples: [] });
    const out = emptyDeviation();
    const morning = 7 * DAY + 481;
    let night = NaN;
    for (let i = 0; i < morning + 40; i++) {
      c.step(xs[i], out);
      if (i === morning - 60) night = out.scale;
      c.learn(xs[i], i >= morning ? 'incident' : 'normal');
    }
    // The scale at 07:01 is the night's; at 08:40, 39 points into the incident, the day's (before: 10.7,
    // the night's window held by the incident and followed by the square root of the ramp).
    expect(night).toBeLessThan(6);
    expect(out.scale).toBeGreaterThan(0.75 * 30);
    expect(out.scale).toBeLessThan(1.5 * 30);
  });

  it("at its first ready point is the spread of the changes, not of the first residual (before 2026-12: the scale's floor)", () => {
    // ~3 % noise; the first point a profile predicts lies exactly on it (residual 0), the rest do not.
    const x = (k: number) =>
      (1000 + 200 * Math.sin((2 * Math.PI * k) / P)) * (1 + 0.1 * noise(k === P ? 0 : k));
    const c = new SeasonalComponent({ period: P, multiples: [] });
    const out = emptyDeviation();
    const scales: number[] = [];
    for (let k = 0; k < 2 * P; k++) {
      c.step(x(k), out);
      if (!Number.isNaN(out.z)) scales.push(out.scale);
      c.learn(x(k), 'normal');
    }
    // Ready once 20 residuals are learnt: from the second cycle's 21st point.
    expect(2 * P - scales.length).toBe(P + 20);
    // The first ready point's scale is the next points' (before: 0.24 of it, the scale's floor).
    expect(scales[0] / scales[5]).toBeGreaterThan(0.8);
    expect(scales[0] / scales[5]).toBeLessThan(1.25);
  });

  it('lags a rising pattern by the square root of its rise over the window (noiseLag), never below 1', () => {
    const { c, i: start } = learnt();
    const out = emptyDeviation();
    const b = emptyDeviation();
    const rising: number[] = [];
    const falling: number[] = [];
    let restored: SeasonalComponent | null = null;
    // One cycle and the rise of the next, which the restored component scores too.
    for (let i = start; i < start + P + P / 8; i++) {
      c.step(at(i, 0), out);
      restored?.step(at(i, 0), b);
      // Through a snapshot taken on the fall (the level over the window is kept), the same lag.
      if (restored) expect(restored.noiseLag).toBe(c.noiseLag);
      // Rising past its mean (phase 0 to P / 8), and falling past it (P / 2 to 2P / 3): the level its
      // window saw is below the pattern in the first, above it in the second.
      const phase = i % P;
      if (phase < P / 8) rising.push(c.noiseLag);
      if (phase >= P / 2 && phase < (2 * P) / 3) falling.push(c.noiseLag);
      c.learn(at(i, 0), 'normal');
      restored?.learn(at(i, 0), 'normal');
      if (i === start + P / 2) {
        restored = new SeasonalComponent({ period: P, multiples: [] });
        restored.restore(JSON.parse(JSON.stringify(c.snapshot())));
      }
    }
    expect(falling.every((lag) => lag === 1)).toBe(true);
    // ±20 % around 1000, the window's level trailing by a half-life of 50 points: 1.05–1.08 here.
    expect(Math.min(...rising)).toBeGreaterThan(1.03);
    expect(Math.max(...rising)).toBeLessThan(1.1);
  });

  it('restores a snapshot from before it was kept (`resid`, no `steps`) from the residual window', () => {
    const { c, i, residuals } = learnt();
    const snap = c.snapshot();
    const older = {
      ...snap,
      profiles: snap.profiles.map(({ steps: _s, lastResid: _r, lastLearnt: _l, ...p }) => ({
        ...p,
        resid: residuals.snapshot(),
      })),
    };
    const restored = new SeasonalComponent({ period: P, multiples: [] });
    restored.restore(older);
    const a = emptyDeviation();
    const b = emptyDeviation();
    c.step(at(i, 0), a);
    restored.step(at(i, 0), b);
    expect(b.expected).toBe(a.expected);
    expect(b.scale).toBeCloseTo(a.scale, 6);
  });

  it('refuses a snapshot with neither the changes nor the residuals, naming the field', () => {
    const { c } = learnt();
    const snap = c.snapshot();
    const broken = {
      ...snap,
      profiles: snap.profiles.map(({ steps: _s, ...p }) => p),
    };
    expect(() => new SeasonalComponent({ period: P, multiples: [] }).restore(broken)).toThrow(/steps/);
  });

  it('keeps the residuals’ spread where the weekly correction has not seen this time of the week', () => {
    // A slow wobble the phase table does not hold: the residuals' level varies far more than their steps.
    const wobbly = (i: number) => at(i, 30 * Math.sin((2 * Math.PI * i) / 137));
    const c = new SeasonalComponent({ period: P });
    const out = emptyDeviation();
    for (let i = 0; i < 5 * P; i++) {
      c.step(wobbly(i), out);
      c.learn(wobbly(i), 'normal');
    }
    expect(out.weekSeen).toBe(false);
    const meanAbs = Number(c.snapshot().profiles[0].error.mean);
    expect(out.scale).toBeGreaterThanOrEqual(0.99 * Math.sqrt(Math.PI / 2) * meanAbs);
  });
});

describe('a long incident on a weekday, after three weeks', () => {
  it('does not echo at the same hour on the next weekdays (the daily table holds weekday equivalents)', () => {
    // 28 days from Monday; a 6-hour 40 % drop on Tuesday of the 4th week (day 22), 10:00–16:00.
    const xs = traffic(28, 0.7).map((x, i) => (i >= 22 * DAY + 600 && i < 22 * DAY + 960 ? 0.6 * x : x));
    const c = new SeasonalComponent({ stepMs: MINUTE_MS });
    const z = feed(c, xs);
    // Wednesday and Thursday at those hours. Before: the daily median of 5 days (2 of them weekend days)
    // fell to the weekend level after the drop, and both days read ~+40 % (|z| up to ~20).
    let worst = 0;
    for (const day of [23, 24]) {
      for (let i = day * DAY + 600; i < day * DAY + 960; i++) worst = Math.max(worst, Math.abs(z[i]));
    }
    expect(worst).toBeLessThan(6);
  });
});

describe("a series' first weekend, before the weekly correction knew weekends", () => {
  // 14 days from Monday; a 6-hour 40 % drop on Tuesday of the 2nd week (day 8), 10:00–16:00.
  const xs = traffic(14, 0.7).map((x, i) => (i >= 8 * DAY + 600 && i < 8 * DAY + 960 ? 0.6 * x : x));

  it('enters the daily table as weekday equivalents once its days are over: a drop on the next Tuesday does not echo', () => {
    const z = feed(new SeasonalComponent({ stepMs: MINUTE_MS }), xs);
    // Before: the first Saturday and Sunday stayed in the daily table at 70 %, the drop made 3 low values
    // of 5, and Wednesday and Thursday read ~+40 % at those hours.
    let worst = 0;
    for (const day of [9, 10]) {
      for (let i = day * DAY + 600; i < day * DAY + 960; i++) worst = Math.max(worst, Math.abs(z[i]));
    }
    expect(worst).toBeLessThan(6);
  });

  it('expects a daily spike that scales with the traffic at the weekend’s height, not the weekdays’', () => {
    // 3× at 06:00 every day; the first Saturday and Sunday (days 5, 6) run at 70 %, unseen by the
    // weekly correction. Before: expected at the weekday spike's height, 29 % above the values.
    const spiky = traffic(8, 0.7, true);
    const c = new SeasonalComponent({ stepMs: MINUTE_MS });
    const out = emptyDeviation();
    let worst = 0;
    for (let i = 0; i < spiky.length; i++) {
      c.step(spiky[i], out);
      const day = Math.floor(i / DAY);
      if ((day === 5 || day === 6) && i % DAY >= 360 && i % DAY < 365) {
        expect(out.weekSeen).toBe(false);
        worst = Math.max(worst, Math.abs(out.expected / spiky[i] - 1));
      }
      c.learn(spiky[i], 'normal');
    }
    expect(worst).toBeLessThan(0.1);
  });

  it('keeps what it must finish that day in its snapshot: restored mid-weekend, it scores as if never stopped', () => {
    const cut = 5 * DAY + 700; // Saturday, 11:40, with a gap that morning
    const gappy = xs.map((x, i) => (i >= 5 * DAY + 300 && i < 5 * DAY + 320 ? NaN : x));
    const a = new SeasonalComponent({ stepMs: MINUTE_MS });
    const first = feed(a, gappy.slice(0, cut));
    const b = new SeasonalComponent({ stepMs: MINUTE_MS });
    b.restore(JSON.parse(JSON.stringify(a.snapshot())));
    const rest = feed(b, gappy.slice(cut));
    const straight = feed(new SeasonalComponent({ stepMs: MINUTE_MS }), gappy);
    expect([...first, ...rest]).toEqual([...straight]);
  });
});

describe('a level accepted after a day-long incident (the gate’s acceptNewLevelAfter)', () => {
  const P = 400;
  /** A 400-point cycle whose peak is 3× its trough (a day's traffic), at `level`, with ~1 % noise. */
  const clean = (i: number, level: number) => level * (1000 + 500 * Math.sin((2 * Math.PI * i) / P));
  const at = (i: number, level: number) => clean(i, level) * (1 + 0.02 * noise(i));

  /**
   * Five cycles at level 1, then one cycle at 0.6 that began at phase 150, learnt in incident mode; then,
   * if `accept`, the level accepted and `after` more points at `level` learnt normally.
   */
  function afterIncident(accept: boolean, after = 0, level = 0.6): { c: SeasonalComponent; i: number } {
    // The phase table alone: no weekly correction (a 400-point "day" would get one for its 7-day "week").
    const c = new SeasonalComponent({ period: P, multiples: [] });
    const out = emptyDeviation();
    const onset = 5 * P + 150;
    let i = 0;
    for (; i < onset + P; i++) {
      const x = at(i, i < onset ? 1 : 0.6);
      c.step(x, out);
      c.learn(x, i < onset ? 'normal' : 'incident');
    }
    if (accept) c.acceptLevel(P);
    for (const end = i + after; i < end; i++) {
      c.step(at(i, level), out);
      c.learn(at(i, level), 'normal');
    }
    return { c, i };
  }
  const accepted = (after: number, level: number) => afterIncident(true, after, level);
  /** The next cycle at `level` from `from`, each point learnt normally: expected ÷ the clean value. */
  const expectedRatios = (c: SeasonalComponent, from: number, level: number) => {
    const out = emptyDeviation();
    const ratios: number[] = [];
    for (let i = from; i < from + P; i++) {
      c.step(at(i, level), out);
      ratios.push(out.expected / clean(i, level));
      c.learn(at(i, level), 'normal');
    }
    return ratios;
  };
  const nextCycle = (accept: boolean) => {
    const { c, i } = afterIncident(accept);
    return expectedRatios(c, i, 0.6);
  };
  const worst = (ratios: number[]) => Math.max(...ratios.map((r) => Math.abs(r - 1)));

  it('expects the new level at every phase of the next cycle', () => {
    expect(worst(nextCycle(true))).toBeLessThan(0.06);
  });

  it('control: without it the next cycle is expected more than 20 % off (the table still holds the old level)', () => {
    expect(worst(nextCycle(false))).toBeGreaterThan(0.2);
  });

  it('back at the earlier level for two points, it expects the earlier level again (a recovery, not a change)', () => {
    const { c, i } = accepted(0, 1);
    // Its first two points are expected at the accepted level; every later one at the earlier level.
    expect(worst(expectedRatios(c, i, 1).slice(2))).toBeLessThan(0.06);
  });

  it('one point back at the earlier level (an outlier) is not a recovery', () => {
    const { c, i } = accepted(50, 0.6);
    const out = emptyDeviation();
    c.step(at(i, 1), out);
    c.learn(at(i, 1), 'incident');
    expect(worst(expectedRatios(c, i + 1, 0.6))).toBeLessThan(0.06);
  });

  it('keeps an acceptance in its snapshot: restored, a recovery still scales the table back', () => {
    const { c, i } = accepted(0, 0.6);
    const restored = new SeasonalComponent({ period: P, multiples: [] });
    restored.restore(JSON.parse(JSON.stringify(c.snapshot())));
    const ratios = expectedRatios(restored, i, 1);
    expect(ratios).toEqual(expectedRatios(c, i, 1));
    expect(worst(ratios.slice(2))).toBeLessThan(0.06);
  });
});

describe("a trend through a series' first week (Profile.alignFirstWeek)", () => {
  /** 1-minute traffic with weekends at 70 %, changing by `perDay` (in log) a day. */
  const trending = (perDay: number, days: number) =>
    traffic(days, 0.7).map((x, i) => x * Math.exp((perDay * i) / DAY));

  /** The weekly table (one value per bin: a single week is stored) just before and after day 7 begins. */
  function weeklyAroundDay7(xs: number[]): { before: number[]; after: number[] } {
    const c = new SeasonalComponent({ stepMs: MINUTE_MS });
    feed(c, xs.slice(0, 7 * DAY));
    const table = () => {
      const s = c.snapshot();
      if (s.type !== 'seasonal') throw new Error('not a seasonal state');
      // Three weeks per bin, the newest last: the first week is the last stored one.
      const t = s.profiles[0].weekly!.table.map((v) => (v === null ? NaN : Number(v)));
      return Array.from({ length: t.length / 3 }, (_, b) => t[3 * b + 2]);
    };
    const before = table();
    feed(c, xs.slice(7 * DAY, 7 * DAY + 1));
    return { before, after: table() };
  }
  const ratios = (w: { before: number[]; after: number[] }, fromBin: number, toBin: number) =>
    w.before.slice(fromBin, toBin).map((b, k) => w.after[fromBin + k] / b);

  it('puts the first days’ factors on a live factor’s age: Tuesday’s, learnt 2.5–3 days younger, by the trend over those days', () => {
    // The series' first Tuesday was learnt against the seeded table (its day is found 2¼ days in: days
    // 0–2 until 06:00, so its own day at 00:00–06:00 and half a day before it later), a live factor
    // against 5 days (3 days before it): under −1 % a day it is ~2.5–3 % too high. The trend is read from
    // the factors themselves (a Theil–Sen slope by age): here up to 25 % above the true one. (Monday's
    // are read again against the week's table: see the week boundary's tests below.)
    for (const perDay of [-0.01, 0.01]) {
      const ages = ratios(weeklyAroundDay7(trending(perDay, 8)), 48, 96).map((r) => Math.log(r) / perDay);
      const early = ages.slice(0, 12);
      const late = ages.slice(12);
      for (const a of early) expect(a).toBeCloseTo(early[0], 1);
      for (const a of late) expect(a).toBeCloseTo(late[0], 1);
      // Half a day apart in age, each by the same trend: 3 ÷ 2.5.
      expect(early[0] / late[0]).toBeCloseTo(3 / 2.5, 2);
      expect(early[0] / 3).toBeGreaterThan(1);
      expect(early[0] / 3).toBeLessThan(1.25);
    }
  });

  it('moves nothing by more than 0.3 % without a trend (but the first day, read again against the week’s table)', () => {
    const w = weeklyAroundDay7(trending(0, 8));
    for (const r of ratios(w, 48, 7 * 48))
      if (Number.isFinite(r)) expect(Math.abs(r - 1)).toBeLessThan(0.003);
  });

  // Before, the pattern (the expected value without the level offset, what the residual tests read) was
  // 6–8 % off on both Mondays; now 3–4 %, as on every later day (the daily table's weekday equivalents
  // are divided by factors that carry the trend too; the level offset carries that much).
  it.each([-0.01, 0.01])(
    'expects the second and third Mondays within 4.5 % of their level under a trend of %d a day',
    (perDay) => {
      const xs = trending(perDay, 15);
      const c = new SeasonalComponent({ stepMs: MINUTE_MS });
      const out = emptyDeviation();
      const worstDay = [0, 0];
      const sums = new Map<number, [number, number]>();
      for (let i = 0; i < xs.length; i++) {
        c.step(xs[i], out);
        const day = Math.floor(i / DAY);
        if (day === 7 || day === 14) {
          // The pattern (the expected value without the level offset) is what the residual tests read.
          const [s, n] = sums.get(day) ?? [0, 0];
          sums.set(day, [s + out.pattern! / xs[i], n + 1]);
        }
        c.learn(xs[i], 'normal');
      }
      for (const [day, [s, n]] of sums) worstDay[day === 7 ? 0 : 1] = Math.abs(s / n - 1);
      expect(Math.max(...worstDay)).toBeLessThan(0.045);
    },
  );
});

describe("a trend across the series' week boundary (WeeklyCorrection.rereadDay)", () => {
  // The series' first Monday was learnt against the seeded table (Monday to Wednesday as they were); the
  // second is expected against Wednesday to Sunday, each divided by its day's factor, where Saturday's
  // and Sunday's values around midnight (weekend ramps divided by a weekend day's factor) move the median
  // to another day. Under −1 % a day the pattern over Monday 00:00–03:00 was 4.2 % high in week 2 and
  // 3.9 % above Sunday night's in week 3 (now 2.7 % and 2.4 %; under +1 % a day 1.2 % and 0.5 % low
  // before, 2.7 % and 1.9 % now); in the scenario suite, with its noise, 6–8 %, and the residual tests
  // paged a level shift for up to two hours (clean_decline).
  it.each([-0.01, 0.01])(
    'keeps the pattern at Monday 00:00–03:00 near its level under %d a day',
    (perDay) => {
      const xs = traffic(15, 0.7).map((x, i) => x * Math.exp((perDay * i) / DAY));
      const c = new SeasonalComponent({ stepMs: MINUTE_MS });
      const out = emptyDeviation();
      const sums = new Map<string, [number, number]>();
      for (let i = 0; i < xs.length; i++) {
        c.step(xs[i], out);
        const day = Math.floor(i / DAY);
        const minute = i % DAY;
        const key =
          (day === 7 || day === 14) && minute < 180
            ? `${day}`
            : (day === 6 || day === 13) && minute >= DAY - 180
              ? `${day + 1}-before`
              : null;
        if (key) {
          const [s, n] = sums.get(key) ?? [0, 0];
          sums.set(key, [s + out.pattern! / xs[i], n + 1]);
        }
        c.learn(xs[i], 'normal');
      }
      const mean = (k: string) => sums.get(k)![0] / sums.get(k)![1];
      // Week 2's Sunday night had no week stored (its pattern is the daily table's): the level itself.
      expect(Math.abs(mean('7') - 1)).toBeLessThan(0.035);
      expect(Math.abs(mean('14') / mean('14-before') - 1)).toBeLessThan(0.03);
    },
  );

  it('leaves the first day as learnt where a bin averages fewer than 30 points (a 5-minute step)', () => {
    // One day's mean of a 6-point bin is too noisy to stand alone (REREAD_MIN_BIN_POINTS): at a 5-minute
    // step the re-read factors paged their own noise on the second Monday's morning.
    const step = 5;
    const xs = traffic(8, 0.7).filter((_, i) => i % step === 0);
    const day = DAY / step;
    const c = new SeasonalComponent({ stepMs: step * MINUTE_MS });
    const mondayBins = () => {
      const s = c.snapshot();
      if (s.type !== 'seasonal') throw new Error('not a seasonal state');
      const t = s.profiles[0].weekly!.table.map((v) => (v === null ? NaN : Number(v)));
      return Array.from({ length: 48 }, (_, b) => t[3 * b + 2]);
    };
    feed(c, xs.slice(0, 7 * day));
    const before = mondayBins();
    feed(c, xs.slice(7 * day, 7 * day + 1));
    const after = mondayBins();
    const moved = before.map((b, k) => after[k] / b).filter(Number.isFinite);
    expect(moved.length).toBeGreaterThan(40);
    for (const r of moved) expect(Math.abs(r - 1)).toBeLessThan(0.003);
  });
});

describe('the level offset set back when an incident opens (Component.restoreOffset)', () => {
  const P = 400;
  const at = (i: number) => (1000 + 200 * Math.sin((2 * Math.PI * i) / P)) * (1 + 0.02 * noise(i));

  /**
   * A component fed `cycles` periods of normal points; at the next point the level offset is set 40 above
   * its own and the point learnt as an incident's. Returns the offset set and that point's week seen.
   */
  function held(cycles: number) {
    const c = new SeasonalComponent({ period: P });
    const out = emptyDeviation();
    let i = 0;
    for (; i < cycles * P; i++) {
      c.step(at(i), out);
      c.learn(at(i), 'normal');
    }
    c.step(at(i), out);
    const offset = out.expected - out.pattern! + 40;
    c.restoreOffset(offset);
    c.learn(at(i), 'incident');
    return { c, out, i, offset, weekSeen: out.weekSeen };
  }
  const profileState = (c: SeasonalComponent) => {
    const s = c.snapshot();
    if (s.type !== 'seasonal') throw new Error('not a seasonal state');
    return s.profiles[0];
  };

  it('moves the expected value by the offset given, from the next point on', () => {
    // Eight cycles: the weekly correction (seven cycles of a period off the calendar) has seen the week.
    const { c, out, i, offset, weekSeen } = held(8);
    expect(weekSeen).toBe(true);
    c.step(at(i + 1), out);
    // Held inside the incident: the offset is the one set, not the one before it.
    expect(out.expected - out.pattern!).toBeCloseTo(offset, 6);
  });

  it('in a series’ first week, a held offset follows the day’s level (Profile.followDay)', () => {
    const { c, out, i, offset, weekSeen } = held(5);
    expect(weekSeen).toBe(false);
    const levelBefore = Number(profileState(c).smoothDaily);
    c.step(at(i + 1), out);
    const ratio = Number(profileState(c).smoothDaily) / levelBefore;
    expect(Math.abs(ratio - 1)).toBeGreaterThan(1e-4);
    expect(out.expected - out.pattern!).toBeCloseTo(offset * ratio, 6);
    // Learnt as normal, the offset learns the point instead: the next point's offset is not scaled.
    c.learn(at(i + 1), 'normal');
    const learnt = Number(profileState(c).offset.mean);
    c.step(at(i + 2), out);
    expect(out.expected - out.pattern!).toBeCloseTo(learnt, 6);
  });

  it('a held offset is not scaled while the level rises from zero (Profile.followDay)', () => {
    // Business hours: 0 for the first half of each cycle, 1,000 (with noise) for the second.
    const onOff = (i: number) => ((i % P) * 2 < P ? 0 : 1000 * (1 + 0.02 * noise(i)));
    const c = new SeasonalComponent({ period: P });
    const out = emptyDeviation();
    let i = 0;
    for (; i < 5 * P + P / 4; i++) {
      c.step(onOff(i), out);
      c.learn(onOff(i), 'normal');
    }
    // A night point in the first week; a small offset held from here through the morning.
    c.step(onOff(i), out);
    expect(out.weekSeen).toBe(false);
    c.restoreOffset(0.5);
    c.learn(onOff(i), 'incident');
    for (i++; i < 6 * P; i++) {
      c.step(onOff(i), out);
      // Scaled only once the level is substantial, the night's 0.5 stays about as it was (0.46 at most;
      // scaled from zero it reached 178).
      expect(Math.abs(out.expected - out.pattern!)).toBeLessThan(1);
      c.learn(onOff(i), 'incident');
    }
  });
});
