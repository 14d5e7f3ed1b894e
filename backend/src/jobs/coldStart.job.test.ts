/**
 * Cold start from similar series through a real job (the engine's `auto` detector): a link that joins a
 * site after the others have three days of history starts from the site's profile, is out of learning
 * from its first point and flags a dip two hours in; from scratch it is still learning then. A series
 * outside any group is scored exactly as in a job without groups.
 */
import { FakeSource } from '../sources/fake.js';
import { parseJobConfig } from './config.js';
import { ScoringJob } from './job.js';
import { captureLogger, points, TestClock } from './testing/helpers.js';

const MINUTE = 60_000;
const DAY = 1440 * MINUTE;
const T0 = Date.UTC(2025, 0, 13, 12);
const DIP = { start: T0 + 2 * 60 * MINUTE, end: T0 + 3 * 60 * MINUTE };

/** Deterministic noise in [-0.5, 0.5) per timestamp and salt. */
const noise = (t: number, salt: number) => {
  const x = Math.sin((t / 60_000) * 12.9898 + salt * 78.233) * 43758.5453;
  return x - Math.floor(x) - 0.5;
};
/** One site's daily curve at a link's level, 3 % noise of its own. */
const link = (level: number, salt: number) => (t: number) =>
  level * (1 + 0.4 * Math.sin((2 * Math.PI * t) / DAY)) * (1 + 0.06 * noise(t, salt));
const fresh = link(700, 9);
/** The new series: the site's curve at its own level, down to 40 % for an hour two hours in. */
const joining = (t: number) => (t >= DIP.start && t < DIP.end ? 0.4 * fresh(t) : fresh(t));

async function runJoin(groups: string[], labels: Record<string, string>, retention = 2000) {
  const source = new FakeSource();
  [900, 600, 1200, 300].forEach((level, i) =>
    source.add(
      { site: 'ams', link: `l${i}` },
      points(T0 - 3 * DAY, T0 + 4 * 60 * MINUTE, 5 * MINUTE, link(level, i)),
    ),
  );
  const spec = parseJobConfig({
    name: 'edge',
    source: { type: 'simulator' },
    detector: 'auto',
    step: '5m',
    interval: '5m',
    fit_window: '3d',
    retention,
    groups,
    network: { detector: 'none' },
  });
  const clock = new TestClock(T0);
  const log = captureLogger();
  const job = new ScoringJob(spec, { source, logger: log.logger, now: clock.now });
  expect((await job.run()).ok).toBe(true);
  // The new link appears, then the job runs every 5 minutes for four hours.
  source.add(labels, points(T0 + 5 * MINUTE, T0 + 4 * 60 * MINUTE, 5 * MINUTE, joining));
  for (let i = 1; i <= 48; i++) {
    clock.advance(5 * MINUTE);
    expect((await job.run()).ok).toBe(true);
  }
  return { job, log: log.lines, series: job.results().find((r) => r.labels.link === labels.link)! };
}

describe('cold start from the group', () => {
  test("a new link of a site starts from the site's profile: scored from its first point, its dip flagged", async () => {
    const { series } = await runJoin(['site'], { site: 'ams', link: 'new' });
    expect(series.timestamps[0]).toBe(T0 + 5 * MINUTE);
    expect(series.state).toBe('ok');
    // Scored, not learning, from the first point: no band is withheld.
    expect(series.lower[0]).not.toBeNull();
    // The dip is flagged (a drop to 40 % for an hour), and nothing else: the priming's own scoring
    // leaves no episode behind, and the series has no false one.
    expect(series.episodes.length).toBeGreaterThan(0);
    for (const e of series.episodes) {
      expect([e.start >= DIP.start && e.end < DIP.end, e.direction]).toEqual([true, 'down']);
    }
  });

  test('from scratch (no groups) the same link is still learning when its dip comes', async () => {
    const { series } = await runJoin([], { site: 'ams', link: 'new' });
    const atDip = series.timestamps.indexOf(DIP.start);
    expect(series.lower[atDip]).toBeNull();
    expect(series.episodes).toEqual([]);
  });

  test('a retention shorter than the period its siblings found is said once, and the link learns from scratch', async () => {
    // A day is 288 points at 5 minutes; priming needs 90 % of it retained (260 points).
    const { series, log } = await runJoin(['site'], { site: 'ams', link: 'new' }, 200);
    expect(series.lower[series.timestamps.indexOf(DIP.start)]).toBeNull();
    const warned = log.filter((line) => line.stage === 'cold_start');
    expect(warned).toHaveLength(1);
    expect(warned[0]).toMatchObject({
      level: 40,
      periodPoints: 288,
      retentionPoints: 200,
      neededPoints: 260,
    });
    expect(String(warned[0].msg)).toContain('raise retention');
  });

  test('a series outside every group is scored exactly as in a job without groups', async () => {
    const grouped = (await runJoin(['site'], { link: 'lonely' })).series;
    const plain = (await runJoin([], { link: 'lonely' })).series;
    expect(grouped.score).toEqual(plain.score);
    expect(grouped.expected).toEqual(plain.expected);
    expect(grouped.lower).toEqual(plain.lower);
    expect(grouped.upper).toEqual(plain.upper);
    expect(grouped.state).toBe(plain.state);
  });
});
