/**
 * The restart test with real processes (`node backend/dist/main.js`; needs `npm run build -w backend`,
 * fails rather than skips without it): a service scoring a simulator job is stopped with SIGTERM, the
 * next one with kill -9, and each restarted service must say it restored the snapshot and serve, for
 * every point the previous process had served, exactly the same scores and bands.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JobSeriesResponse } from '../contract/jobs.js';
import { MAIN, ServiceProcess } from '../api/testing/serviceProcess.js';

/** One service process running the `sim` job. */
class Service extends ServiceProcess {
  url = '';

  async get<T>(path: string): Promise<T> {
    const res = await fetch(`${this.url}${path}`);
    expect(res.status).toBe(200);
    return (await res.json()) as T;
  }

  /** Wait until the job has scored points after `after` (ms), and return its series. */
  async seriesAfter(after: number): Promise<JobSeriesResponse['series']> {
    return this.until(`points after ${after}`, async () => {
      const { series } = await this.get<JobSeriesResponse>('/api/v1/jobs/sim/series');
      const newest = Math.min(...series.map((s) => s.timestamps.at(-1) ?? -Infinity));
      return series.length > 0 && newest > after ? series : undefined;
    });
  }
}

let dir: string;
const services: Service[] = [];

beforeAll(() => {
  if (!existsSync(MAIN))
    throw new Error(`${MAIN} is missing: run \`npm run build -w backend\` before these tests`);
  dir = mkdtempSync(join(tmpdir(), 'tl-restart-'));
  // One simulated minute a second, one point a second: the job is live within a second of starting.
  writeFileSync(
    join(dir, 'jobs.yaml'),
    [
      'jobs:',
      '  - name: sim',
      '    source: {type: simulator, seed: 7, speed: 60, kinds: [traffic, http]}',
      '    interval: 1s',
      '    step: 1s',
      '    fit_window: 15m',
      // Every point served before a restart is still retained after it (the default, 720, is 12 minutes here).
      '    retention: 1h',
      '',
    ].join('\n'),
  );
});
afterAll(() => {
  for (const s of services) if (s.child.exitCode === null) s.child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

async function startService(stateDir = join(dir, 'state')): Promise<Service> {
  const service = new Service(
    {
      PORT: '0',
      TRAFFICLENS_WORKER_THREADS: '0',
      TRAFFICLENS_MODELS_DIR: join(dir, 'models'),
      TRAFFICLENS_STATE_DIR: stateDir,
      TRAFFICLENS_STATE_SNAPSHOT_INTERVAL_MS: '5000',
    },
    ['--config', join(dir, 'jobs.yaml'), '--no-simulator'],
  );
  services.push(service);
  service.url = String((await service.line(/^listening on /)).url);
  return service;
}

/** The snapshot's header, as written by the last process. */
function header(): { dataUntil: number; series: number } {
  return JSON.parse(readFileSync(join(dir, 'state', 'sim.state'), 'utf8').split('\n', 1)[0]) as {
    dataUntil: number;
    series: number;
  };
}

/** Every point `before` served is served by `after` with the same score, band and flags. */
function expectSameScores(before: JobSeriesResponse['series'], after: JobSeriesResponse['series']) {
  expect(after.length).toBe(before.length);
  let compared = 0;
  for (const b of before) {
    const a = after.find((s) => JSON.stringify(s.labels) === JSON.stringify(b.labels))!;
    expect(a).toBeDefined();
    const from = a.timestamps.indexOf(b.timestamps[0]);
    expect(from).toBeGreaterThanOrEqual(0);
    const n = b.timestamps.length;
    for (const field of ['timestamps', 'values', 'score', 'expected', 'lower', 'upper', 'anomaly'] as const) {
      expect({ labels: a.labels, [field]: a[field].slice(from, from + n) }).toEqual({
        labels: b.labels,
        [field]: b[field],
      });
    }
    const closedBefore = b.episodes.filter((e) => !e.open);
    // An episode still open before the restart may close after it with an end inside `before`'s range
    // (its last anomalous point): it is compared by the scores above, not as a closed episode.
    const openBefore = new Set(b.episodes.filter((e) => e.open).map((e) => e.start));
    expect(
      a.episodes.filter((e) => !e.open && e.end <= b.timestamps[n - 1] && !openBefore.has(e.start)),
    ).toEqual(closedBefore);
    compared += n;
  }
  return compared;
}

test('SIGTERM, then kill -9: each restart restores the snapshot and serves the same scores', async () => {
  // First process: backfills, runs live, SIGTERM writes the snapshot.
  const first = await startService();
  await first.line(/backfill scored/);
  const served1 = await first.seriesAfter(Date.now() - 500);
  first.child.kill('SIGTERM');
  expect((await first.exited).code).toBe(0);
  expect(first.lines.some((l) => l.msg === 'shutdown complete')).toBe(true);
  const atStop = header();
  expect(atStop.series).toBe(served1.length);

  // Second: restores it, scores only the gap, serves the first process's points unchanged.
  const second = await startService();
  const restored = await second.line(/restored \d+ series from snapshot at/);
  expect(restored.msg).toBe(
    `job sim: restored ${atStop.series} series from snapshot at ${new Date(atStop.dataUntil).toISOString()}, backfilling ${String(restored.gapPoints)} points`,
  );
  expect(second.lines.some((l) => /backfill scored/.test(l.msg))).toBe(false);
  const served2 = await second.seriesAfter(atStop.dataUntil);
  expect(expectSameScores(served1, served2)).toBeGreaterThan(served1.length * 900);
  expect((await second.get<{ jobState: unknown }>('/healthz')).jobState).toMatchObject({ state: 'ok' });

  // kill -9 once the second process has served points after its last periodic snapshot, checked right
  // before the kill: a snapshot lands every 5 s, and under load (CI) fetching the series took longer
  // than that, so a snapshot taken between the fetch and the kill left no point after it to compare.
  const served2b = await second.until('points served after the last periodic snapshot', async () => {
    const h = header();
    if (!(h.dataUntil > atStop.dataUntil)) return undefined;
    const { series } = await second.get<JobSeriesResponse>('/api/v1/jobs/sim/series');
    const newest = Math.min(...series.map((s) => s.timestamps.at(-1) ?? -Infinity));
    if (header().dataUntil !== h.dataUntil || !(newest > h.dataUntil)) return undefined;
    second.child.kill('SIGKILL');
    return series;
  });
  await second.exited;
  const atKill = header();
  const newest = Math.min(...served2b.map((s) => s.timestamps.at(-1)!));
  expect(atKill.dataUntil).toBeLessThan(newest);

  // Third: restores the periodic snapshot; the points the killed process scored after it are rescored
  // from it, identically.
  const third = await startService();
  const restored3 = await third.line(/restored \d+ series from snapshot at/);
  expect(restored3).toMatchObject({ dataUntil: new Date(atKill.dataUntil).toISOString() });
  const served3 = await third.seriesAfter(newest);
  expectSameScores(served2b, served3);
  third.child.kill('SIGTERM');
  expect((await third.exited).code).toBe(0);
}, 60_000);

test('a state folder that is a regular file: the service starts, logs it, reports it in /healthz, and its job runs', async () => {
  const notAFolder = join(dir, 'jobs.yaml');
  const service = await startService(notAFolder);
  expect((await service.line(/job state folder .* is unusable/)).msg).toBe(
    `job state folder ${notAFolder} is unusable (exists and is not a directory (EEXIST)): jobs run without persistence and backfill after every restart`,
  );
  expect((await service.get<{ jobState: unknown }>('/healthz')).jobState).toEqual({
    state: 'unusable',
    problem: 'exists and is not a directory (EEXIST)',
    lastSnapshotAt: null,
  });
  await service.line(/backfill scored/);
  service.child.kill('SIGTERM');
  expect((await service.exited).code).toBe(0);
  expect(readFileSync(notAFolder, 'utf8')).toMatch(/^jobs:/);
}, 30_000);
