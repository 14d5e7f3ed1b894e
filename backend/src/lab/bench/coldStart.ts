/**
 * Cold start from similar series (issue 16): how soon a new link of a group gives useful scores when
 * its stream is primed with the group's normalized profile (jobs/coldStart.ts), against learning from
 * scratch.
 *
 * Why the inputs look this way: links of one site share a daily curve (peak in the evening) at their own
 * levels (0.2–1 GB/s) with 3 % noise of their own, at 5-minute steps; the siblings have two weeks of
 * history when the new link appears. The new link is then scored causally for three days with a dip to
 * 40 % of its level for an hour every 6 hours (the first 3 hours after it appears): a dip on a link that
 * nobody has seen before is what an operator needs flagged. Primed as a job primes it (jobs/seriesTable.ts:
 * the first batch of a series new in a live run, here its first point), its level is read against the
 * group's shape and it is scored from its first point.
 *
 * Time to first useful score: from the link's first point to the first dip it flags with no false
 * episode before it (a score that only cries wolf is not useful), and the time until its state leaves
 * `learning`.
 */
import { createStream } from '../../engine/index.js';
import { groupProfile, levelAgainst, primingPoints } from '../../jobs/coldStart.js';
import { gaussian } from '../../sources/simulator/prng.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export interface ColdStartBenchOptions {
  siblings: number;
  stepMs: number;
  /** days of sibling history before the new link appears */
  historyDays: number;
  /** days the new link is scored */
  days: number;
  /** a dip every this often, the first this long after the link appears */
  dipEveryMs: number;
  firstDipMs: number;
  /** cycles (days) of the group's profile the primed stream is fed */
  primingCycles: number;
  /** points of the new link its level is read from before priming (a live job: its first batch) */
  levelPoints: number;
  seed: number;
}

export const COLD_START_FULL: ColdStartBenchOptions = {
  siblings: 8,
  stepMs: 5 * MINUTE,
  historyDays: 14,
  days: 3,
  dipEveryMs: 6 * HOUR,
  firstDipMs: 3 * HOUR,
  primingCycles: 3,
  levelPoints: 1,
  seed: 7,
};

export interface ColdStartRow {
  mode: 'from scratch' | 'group profile';
  /** hours from the link's first point to its first point out of `learning` (null: never) */
  hoursToOk: number | null;
  /** hours from the link's first point to the first dip flagged with no false episode before it */
  hoursToUsefulScore: number | null;
  dips: number;
  dipsFound: number;
  dipsFoundFirstDay: number;
  falseEpisodes: number;
}

export interface ColdStartBenchResult {
  options: ColdStartBenchOptions;
  rows: ColdStartRow[];
}

/** The site's daily curve: low at night, peak at 20:00 UTC, a shoulder at noon. */
const curve = (t: number) => {
  const h = ((t % DAY) / DAY) * 2 * Math.PI;
  return 1 + 0.45 * Math.sin(h - (14 / 24) * 2 * Math.PI) + 0.12 * Math.sin(2 * h);
};

function link(o: ColdStartBenchOptions, index: number, from: number, to: number) {
  const level = 2e8 + 8e8 * ((index * 0.618) % 1);
  const timestamps: number[] = [];
  const values: number[] = [];
  for (let t = from; t < to; t += o.stepMs) {
    timestamps.push(t);
    values.push(level * curve(t) * (1 + 0.03 * gaussian(o.seed, index, t)));
  }
  return { timestamps, values };
}

interface Span {
  start: number;
  end: number;
}

function judge(
  o: ColdStartBenchOptions,
  mode: ColdStartRow['mode'],
  start: number,
  dips: Span[],
  episodes: Span[],
  okAt: number | null,
): ColdStartRow {
  const overlaps = (e: Span, d: Span) => e.start <= d.end + o.stepMs && e.end >= d.start;
  const found = dips.filter((d) => episodes.some((e) => overlaps(e, d)));
  const falses = episodes.filter((e) => !dips.some((d) => overlaps(e, d)));
  const firstFalse = Math.min(...falses.map((e) => e.start));
  const useful = found.find((d) => d.start < firstFalse);
  return {
    mode,
    hoursToOk: okAt === null ? null : (okAt - start) / HOUR,
    hoursToUsefulScore: useful ? (useful.start - start) / HOUR : null,
    dips: dips.length,
    dipsFound: found.length,
    dipsFoundFirstDay: found.filter((d) => d.start < start + DAY).length,
    falseEpisodes: falses.length,
  };
}

export function measureColdStart(o: ColdStartBenchOptions = COLD_START_FULL): ColdStartBenchResult {
  const t0 = Date.UTC(2026, 0, 5);
  const start = t0 + o.historyDays * DAY;
  const siblings = Array.from({ length: o.siblings }, (_, i) => link(o, i, t0, start));
  const fresh = link(o, o.siblings, start, start + o.days * DAY);
  const dips: Span[] = [];
  for (let d = start + o.firstDipMs; d + HOUR <= start + o.days * DAY; d += o.dipEveryMs) {
    dips.push({ start: d, end: d + HOUR - o.stepMs });
  }
  fresh.values = fresh.values.map((v, i) =>
    dips.some((d) => fresh.timestamps[i] >= d.start && fresh.timestamps[i] <= d.end) ? v * 0.4 : v,
  );

  const score = (primed: boolean): ColdStartRow => {
    const stream = createStream({ detector: 'auto', options: { causal: true }, stepMs: o.stepMs });
    if (primed) {
      const profile = groupProfile(siblings, DAY, o.stepMs);
      if (!profile) throw new Error('the siblings do not cover a day');
      const first = {
        timestamps: fresh.timestamps.slice(0, o.levelPoints),
        values: fresh.values.slice(0, o.levelPoints),
      };
      const level = levelAgainst(profile, first.timestamps, first.values);
      const priming = primingPoints(profile, level, {
        cycles: o.primingCycles,
        firstTimestamp: start,
        seed: o.seed,
      });
      priming.timestamps.forEach((t, i) => stream.push(t, priming.values[i]));
    }
    let okAt: number | null = null;
    fresh.timestamps.forEach((t, i) => {
      const p = stream.push(t, fresh.values[i]);
      // Primed, the first points wait for the level read from them: not scored before that.
      const scoredAt = primed
        ? Math.max(t, fresh.timestamps[Math.min(o.levelPoints, fresh.timestamps.length) - 1])
        : t;
      if (okAt === null && p && p.state === 'ok') okAt = scoredAt;
    });
    const episodes = stream.episodes().filter((e) => e.start >= start);
    return judge(o, primed ? 'group profile' : 'from scratch', start, dips, episodes, okAt);
  };
  return { options: o, rows: [score(false), score(true)] };
}

export function formatColdStartReport(r: ColdStartBenchResult): string {
  const o = r.options;
  const hours = (h: number | null) => (h === null ? 'never' : `${h.toFixed(1)} h`);
  const lines = [
    `cold start: a new link joining ${o.siblings} links with ${o.historyDays} days of history (${o.stepMs / MINUTE}-minute steps), ` +
      `scored ${o.days} days, a 1-hour dip to 40 % every ${o.dipEveryMs / HOUR} h`,
    '| start | out of learning after | first useful score after | dips found | found on day 1 | false episodes |',
    '|---|---|---|---|---|---|',
    ...r.rows.map(
      (row) =>
        `| ${row.mode} | ${hours(row.hoursToOk)} | ${hours(row.hoursToUsefulScore)} | ${row.dipsFound}/${row.dips} | ${row.dipsFoundFirstDay} | ${row.falseEpisodes} |`,
    ),
  ];
  return lines.join('\n');
}
