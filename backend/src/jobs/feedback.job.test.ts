/**
 * Feedback applied by a job with the real engine, over a fake source with a daily curve and noise:
 * a spike at 02:00 UTC alerts; after a false positive on that first spike, the next identical one at
 * 02:00 does not (not anomalous in the served series, no episode, trafficlens_anomaly 0, its score below
 * 1 and the band widened to hold it), while a spike down at 02:00, one up at 14:00 and one three times as
 * large at 02:00 still do; after undo the 02:00 spike alerts again. The control (no feedback) alerts on
 * every spike. A true incident marked while its episode is open holds the points that follow (scored,
 * not learnt) until it closes, and not after undo.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { createStream, type PushOptions, type ScoringStream } from '../engine/index.js';
import { FakeSource } from '../sources/fake.js';
import { seriesKey } from '../contract/labels.js';
import { FeedbackTable, isFeedbackRefusal, Store, type FeedbackRecord } from '../store/index.js';
import { assertBandRule } from '../calibration/testing/bandRule.js';
import { toleranceFor } from './feedback.js';
import { JobManager } from './manager.js';
import { captureLogger, TestClock } from './testing/helpers.js';
import type { JobSeriesResult } from './job.js';

const STEP = 5 * 60_000;
const H = 3_600_000;
const DAY = 24 * H;
/** Monday 2025-01-13 00:00 UTC: the history is days 0–2, the spikes come after. */
const D0 = Date.UTC(2025, 0, 13);
const SERIES = { site: 'ams', link: 'transit-1' };

interface Spike {
  at: number;
  /** Multiplies the value for 3 steps. */
  factor: number;
}

/** A daily curve with ±2 % deterministic noise, and the spikes. */
function value(t: number, spikes: readonly Spike[]): number {
  const tod = (t % DAY) / DAY;
  const noise = (Math.sin((t / STEP) * 12.9898) * 43758.5453) % 1;
  let v = 1000 * (1 + 0.3 * Math.sin(2 * Math.PI * tod)) * (1 + 0.02 * noise);
  for (const s of spikes) if (t >= s.at && t < s.at + 3 * STEP) v *= s.factor;
  return v;
}

const FIRST: Spike = { at: D0 + 3 * DAY + 2 * H, factor: 1.6 };
/** The next day's event, one job each (a series learns what recurs daily: the tolerance must act first). */
const NEXT: Record<string, Spike> = {
  same: { at: D0 + 4 * DAY + 2 * H, factor: 1.6 },
  otherTime: { at: D0 + 4 * DAY + 14 * H, factor: 1.6 },
  down: { at: D0 + 4 * DAY + 2 * H, factor: 0.4 },
  larger: { at: D0 + 4 * DAY + 2 * H, factor: 2.8 },
};

let dir: string;
let store: Store;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tl-feedback-job-'));
  store = Store.open({ path: join(dir, 'trafficlens.db') });
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A job over the series, backfilled with days 0–2; `until` runs it one step at a time. */
async function setup(spikes: readonly Spike[], hold: number[] = []) {
  const source = new FakeSource();
  const points: [number, number][] = [];
  for (let t = D0; t <= D0 + 5 * DAY; t += STEP) points.push([t, value(t, spikes)]);
  source.add(SERIES, points);
  const clock = new TestClock(D0 + 3 * DAY - STEP);
  const registry = new Registry();
  const table = new FeedbackTable(store);
  const { logger, lines } = captureLogger();
  const manager = new JobManager({
    logger,
    registry,
    now: clock.now,
    feedback: table,
    // The engine's stream, recording which points were pushed held.
    createStream: (params) => {
      const inner = createStream(params);
      const spy: ScoringStream = {
        push: (t: number, v: number | null, options?: PushOptions) => {
          if (options?.hold) hold.push(t);
          return inner.push(t, v, options);
        },
        episodes: () => inner.episodes(),
        state: () => inner.state(),
        period: () => inner.period?.() ?? null,
        sensitivity: () => inner.sensitivity(),
        setSensitivity: (s) => inner.setSensitivity(s),
        snapshot: () => inner.snapshot(),
      };
      return spy;
    },
  });
  const job = manager.addJob(
    {
      name: 'edge',
      source: { type: 'simulator' },
      step: STEP,
      interval: STEP,
      fit_window: 3 * DAY,
      retention: 3000,
    },
    source,
  );
  expect(await manager.runOnce('edge')).toMatchObject({ ok: true });
  /** Run step by step up to t; the /metrics anomaly flag of every point on the way. */
  const until = async (t: number) => {
    const flags = new Map<number, number>();
    while (clock.t < t) {
      clock.advance(STEP);
      expect(await manager.runOnce('edge')).toMatchObject({ ok: true });
      const text = await registry.metrics();
      const m = /^trafficlens_anomaly\{[^}]*\} (\S+)$/m.exec(text);
      flags.set(job.latest()[0].point.timestamp, Number(m?.[1]));
    }
    return flags;
  };
  const series = (from: number, to: number): JobSeriesResult => job.results(from, to)[0];
  return { manager, job, table, clock, until, series, lines };
}

/** Whether the spike alerted: on /metrics while it happened, and as a served anomaly and episode. */
function alerted(spike: Spike, flags: Map<number, number>, served: JobSeriesResult): boolean {
  const during = [0, 1, 2].map((k) => flags.get(spike.at + k * STEP));
  const metrics = during.some((f) => f === 1);
  const points = served.timestamps.some(
    (t, i) => t >= spike.at && t < spike.at + 3 * STEP && served.anomaly[i],
  );
  const episode = served.episodes.some((e) => e.start >= spike.at && e.start < spike.at + 3 * STEP);
  // The three views agree, whichever way.
  expect([metrics, points, episode]).toEqual([metrics, metrics, metrics]);
  return metrics;
}

async function markFalsePositive(
  job: Awaited<ReturnType<typeof setup>>['job'],
  table: FeedbackTable,
  spike: Spike,
  now: number,
): Promise<FeedbackRecord> {
  const target = job.seriesForFeedback(SERIES)!;
  const episode = target.episodes.find((e) => e.start >= spike.at && e.start < spike.at + 3 * STEP)!;
  expect(episode).toMatchObject({ open: false, direction: 'up' });
  // The series is seasonal: its detector found the day, so the tolerance is bound to the time of day.
  expect(target.periodMs).toBe(DAY);
  const taught = toleranceFor(episode, target.points, target.periodMs);
  if ('problem' in taught) throw new Error(taught.problem);
  const created = table.create(
    {
      job: 'edge',
      seriesKey: seriesKey(SERIES),
      labels: SERIES,
      episodeStart: episode.start,
      episodeEnd: episode.end,
      verdict: 'false_positive',
      direction: 'up',
      note: 'nightly backup',
      author: 'noc',
      peakDeviation: taught.peakDeviation,
      tolerance: taught.tolerance,
    },
    now,
  );
  if (isFeedbackRefusal(created)) throw new Error('refused');
  return created;
}

/**
 * The first spike, then (`feedback`) a false positive on it, undone again for 'undone', then the next
 * event: whether each alerted.
 */
async function scenario(next: Spike, feedback: 'none' | 'false_positive' | 'undone') {
  const { job, table, clock, until, series, lines } = await setup([FIRST, next]);
  let flags = await until(FIRST.at + 12 * STEP);
  const first = alerted(FIRST, flags, series(FIRST.at - STEP, FIRST.at + 12 * STEP));
  if (feedback !== 'none') {
    const record = await markFalsePositive(job, table, FIRST, clock.t);
    if (feedback === 'undone') table.undo(record.id, clock.t);
  }
  flags = await until(next.at + 12 * STEP);
  const served = series(next.at - STEP, next.at + 12 * STEP);
  // Tolerated or not, the band shown is the boundary that alerts, on every retained point.
  assertBandRule(job.results()[0], `edge after ${feedback}`);
  // How the log told of the next event: a warning (an alert) or an info line (tolerated).
  const told = lines
    .filter((l) => typeof l.start === 'string' && Date.parse(l.start) >= next.at)
    .map((l) => (l.tolerated ? 'tolerated' : l.level === 40 ? 'alert' : 'other'));
  return { first, next: alerted(next, flags, served), served, told };
}

describe('control, no feedback: every spike alerts', () => {
  test.each(Object.entries(NEXT))('%s', async (_name, next) => {
    const out = await scenario(next, 'none');
    expect(out).toMatchObject({ first: true, next: true });
    expect(out.told).toContain('alert');
  });
});

test('a false positive on the first spike: the same spike at the same time the next day does not alert', async () => {
  const { first, next, served, told } = await scenario(NEXT.same, 'false_positive');
  expect([first, next]).toEqual([true, false]);
  expect(told).toEqual(['tolerated']);
  // Still scored and shown: below 1, inside a band widened to hold it, and marked as tolerated.
  const at = NEXT.same.at;
  const i = served.timestamps.indexOf(at);
  expect(served.tolerated).toContain(at);
  expect(served.score[i]).toBeGreaterThan(0.3);
  expect(served.score[i]).toBeLessThan(1);
  expect(served.values[i]!).toBeLessThanOrEqual(served.upper[i]!);
});

describe('after a false positive, a different spike still alerts', () => {
  test.each([
    ['at another time of day', NEXT.otherTime],
    ['in the other direction', NEXT.down],
    ['clearly larger', NEXT.larger],
  ])('%s', async (_name, next) => {
    expect(await scenario(next, 'false_positive')).toMatchObject({ first: true, next: true });
  });
});

test('a false positive undone: the same spike alerts again', async () => {
  expect(await scenario(NEXT.same, 'undone')).toMatchObject({ first: true, next: true });
});

test('a true incident marked while open: the points that follow are held until it closes, not after undo', async () => {
  const hold: number[] = [];
  const { job, table, until } = await setup([FIRST, NEXT.same], hold);
  const spike = FIRST;
  await until(spike.at);
  const open = job.seriesForFeedback(SERIES)!.episodes.at(-1)!;
  expect(open).toMatchObject({ open: true, start: spike.at });
  const created = table.create(
    {
      job: 'edge',
      seriesKey: seriesKey(SERIES),
      labels: SERIES,
      episodeStart: open.start,
      episodeEnd: null,
      verdict: 'true_incident',
      direction: 'up',
      note: 'DDoS',
      author: 'noc',
      peakDeviation: null,
      tolerance: null,
    },
    spike.at,
  );
  if (isFeedbackRefusal(created)) throw new Error('refused');
  expect(hold).toEqual([]);
  await until(spike.at + 40 * STEP);
  // The rest of the spike was held, and the points after it until the episode closed; then no more.
  const closed = job.seriesForFeedback(SERIES)!.episodes.find((e) => e.start === spike.at)!;
  expect(closed.open).toBe(false);
  expect(hold[0]).toBe(spike.at + STEP);
  expect(hold.at(-1)).toBeLessThanOrEqual(closed.end + 30 * STEP);
  expect(hold.at(-1)).toBeLessThan(spike.at + 40 * STEP);
  // Its end was recorded, so a refit holds exactly the episode.
  expect(table.get(created.id)?.episodeEnd).toBe(closed.end);

  // Undone: the next incident's points are learnt again.
  table.undo(created.id, spike.at + 40 * STEP);
  const before = hold.length;
  await until(NEXT.same.at + 5 * STEP);
  expect(hold.length).toBe(before);
});
