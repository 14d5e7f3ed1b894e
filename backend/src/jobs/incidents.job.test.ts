/**
 * A site-wide outage through a real job (the engine's `auto` detector on every series): one incident
 * listing the site's links, not one per link, and nothing for the site that stayed up.
 */
import { FakeSource } from '../sources/fake.js';
import { parseJobConfig } from './config.js';
import { ScoringJob } from './job.js';
import { captureLogger, points, TestClock } from './testing/helpers.js';

const MINUTE = 60_000;
const DAY = 1440 * MINUTE;
const T0 = Date.UTC(2025, 0, 13, 12);
const OUTAGE = T0 - 30 * MINUTE;

/** A deterministic daily curve with a little noise, different per link. */
function traffic(level: number, seed: number) {
  return (t: number) => {
    const day = Math.sin((2 * Math.PI * t) / DAY);
    const noise = Math.sin(t / 7_919 + seed * 17) * 0.02;
    return level * (1 + 0.3 * day + noise);
  };
}

const LINKS = [
  { site: 'ams', link: 'transit-1', level: 900 },
  { site: 'ams', link: 'transit-2', level: 600 },
  { site: 'ams', link: 'ix', level: 1200 },
  { site: 'ams', link: 'peering', level: 300 },
  { site: 'fra', link: 'transit-1', level: 750 },
  { site: 'fra', link: 'ix', level: 500 },
];

async function runOutage(groups: string[]) {
  const source = new FakeSource();
  LINKS.forEach(({ site, link, level }, i) => {
    const normal = traffic(level, i);
    // The ams links go down one step apart, transit-1 first.
    const down = OUTAGE + i * 5 * MINUTE;
    const value = (t: number) => (site === 'ams' && t >= down ? normal(t) * 0.02 : normal(t));
    source.add({ site, link }, points(T0 - 3 * DAY, T0, 5 * MINUTE, value));
  });
  const spec = parseJobConfig({
    name: 'edge',
    source: { type: 'simulator' },
    detector: 'auto',
    step: '5m',
    interval: '1m',
    fit_window: '3d',
    retention: 1000,
    groups,
  });
  const job = new ScoringJob(spec, {
    source,
    logger: captureLogger().logger,
    now: new TestClock(T0).now,
  });
  const outcome = await job.run();
  expect(outcome.ok).toBe(true);
  return job;
}

/** Deterministic noise in [-0.5, 0.5) per timestamp and salt. */
const noise = (t: number, salt: number) => {
  const x = Math.sin((t / 60_000) * 12.9898 + salt * 78.233) * 43758.5453;
  return x - Math.floor(x) - 0.5;
};

/** Traffic of four ams links on one shared curve; from MOVE, 8% of transit-1's moves to ix. */
async function runMove(network: 'pca' | 'none') {
  const source = new FakeSource();
  const shares = { 'transit-1': 900, 'transit-2': 600, ix: 1200, peering: 300 };
  const MOVE = T0 - 60 * MINUTE;
  // One common curve (daily swing and common noise, ±6%) and a little noise of each link's own (±0.5%).
  const common = (t: number) => 1 + 0.3 * Math.sin((2 * Math.PI * t) / DAY) + 0.12 * noise(t, 0);
  const own = (t: number, i: number) => 0.01 * noise(t, i + 1);
  Object.entries(shares).forEach(([link, level], i) => {
    const value = (t: number) => {
      const moved = t >= MOVE ? 0.08 * shares['transit-1'] * common(t) : 0;
      const delta = link === 'transit-1' ? -moved : link === 'ix' ? moved : 0;
      return level * (common(t) + own(t, i)) + delta;
    };
    source.add({ site: 'ams', link }, points(T0 - 3 * DAY, T0, 5 * MINUTE, value));
  });
  const spec = parseJobConfig({
    name: 'edge',
    source: { type: 'simulator' },
    detector: 'auto',
    step: '5m',
    interval: '1m',
    fit_window: '3d',
    retention: 1000,
    groups: ['site'],
    network: { detector: network },
  });
  const job = new ScoringJob(spec, { source, logger: captureLogger().logger, now: new TestClock(T0).now });
  expect((await job.run()).ok).toBe(true);
  return { job, MOVE };
}

describe('incidents of a job', () => {
  test('traffic moving between links: a "network" incident naming them, where no link is anomalous alone', async () => {
    const { job, MOVE } = await runMove('pca');
    const anomalousAlone = job.results().filter((s) => s.episodes.some((e) => e.end >= MOVE));
    expect(anomalousAlone.map((s) => s.labels.link)).toEqual([]);
    // The only incident of the three days scored (the detector learnt from the first hours on).
    const incidents = job.incidents();
    expect(incidents).toHaveLength(1);
    const [incident] = incidents;
    expect(incident).toMatchObject({ kind: 'network', group: { site: 'ams' }, members: [], open: true });
    expect(incident.start).toBe(MOVE);
    const top = incident.network!.contributions.slice(0, 2).map((c) => c.labels.link);
    expect([...top].sort()).toEqual(['ix', 'transit-1']);
    expect(incident.origin).toEqual({ site: 'ams', link: top[0] });
    expect(incident.summary).toMatch(
      /^the series at site=ams abnormal as a whole since 11:00 UTC \(network residual [\d.]+× its boundary, driven by link=transit-1 55%, link=ix 44%\)$/,
    );
    // Without the network detector, nothing.
    const without = await runMove('none');
    expect(without.job.incidents(MOVE, T0)).toEqual([]);
  });

  test('a site-wide outage is one incident listing its links, the first one down as origin', async () => {
    const job = await runOutage(['site']);
    const open = job.results().filter((s) => s.episodes.some((e) => e.open));
    // Each ams link alone is anomalous (what would be four alerts)...
    expect(open.map((s) => s.labels.link).sort()).toEqual(['ix', 'peering', 'transit-1', 'transit-2']);
    // ...and they are one incident.
    const incidents = job.incidents().filter((i) => i.open);
    expect(incidents).toHaveLength(1);
    const [incident] = incidents;
    expect(incident).toMatchObject({ kind: 'series', group: { site: 'ams' }, groupSize: 4, open: true });
    expect(incident.members.map((m) => m.labels.link)).toEqual(['transit-1', 'transit-2', 'ix', 'peering']);
    expect(incident.origin).toEqual({ site: 'ams', link: 'transit-1' });
    expect(incident.start).toBe(OUTAGE);
    expect(incident.summary).toMatch(
      /^4 of 4 series at site=ams anomalous, first link=transit-1 at 11:30 UTC/,
    );
    expect(job.incidents(T0 - 10 * MINUTE, T0).map((i) => i.id)).toContain(incident.id);
  });

  test('a job without groups has no incidents', async () => {
    const job = await runOutage([]);
    expect(job.incidents()).toEqual([]);
  });
});
