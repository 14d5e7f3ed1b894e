/**
 * Kill and resume one shard against a real Prometheus. Three built scorers (--shard 0/3, 1/3, 2/3)
 * score 300 one-second series from a Prometheus whose TSDB already holds every sample up to a few
 * minutes ahead (promtool blocks), so the data a query sees at a given instant is the same whenever and
 * by whichever process it is asked: two processes scoring the same shard must agree point for point.
 * A fourth process scores shard 1/3 uninterrupted (the reference; not part of the fleet).
 *
 * Shard 1 is killed with SIGKILL once it has scored past its last periodic snapshot, and restarted on
 * its state folder. "Identical" means: the restarted shard scores the same series as the reference,
 * says it restored every one of them from the snapshot (no backfill), and for every series and every
 * point after the snapshot's last point (the resumption point: what the restart scored itself,
 * including the points the killed process had scored and lost), the value, score, expected value,
 * band and anomaly flag equal the reference's at the same timestamp. The points up to the resumption
 * point come from the snapshot and are compared too.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  freePort,
  Proc,
  requireFleetTools,
  startBackfilledPrometheus,
  startShardScorer,
  until,
  waitReady,
  writeJobsFile,
  type NabPoint,
} from './harness.js';

const SERIES = 300;
const SHARDS = 3;
const KILLED = 1;
/** Samples before the test starts and after it (seconds, one a second). */
const PAST_S = 240;
const AHEAD_S = 480;

interface Scorer {
  name: string;
  port: number;
  stateDir: string;
  proc: Proc;
}

interface JobSeries {
  labels: Record<string, string>;
  timestamps: number[];
  values: (number | null)[];
  score: number[];
  expected: (number | null)[];
  lower: (number | null)[];
  upper: (number | null)[];
  anomaly: boolean[];
}

let dir: string;
let promUrl: string;
let prometheus: Proc | undefined;
const scorers: Scorer[] = [];

function startScorer(name: string, shard: number, port: number, stateDir: string): Scorer {
  const proc = startShardScorer({
    name,
    dir,
    jobsFile: join(dir, 'jobs.yaml'),
    shard,
    shards: SHARDS,
    port,
    promUrl,
    stateDir,
    env: { TRAFFICLENS_STATE_SNAPSHOT_INTERVAL_MS: '8000' },
  });
  const scorer = { name, port, stateDir, proc };
  scorers.push(scorer);
  return scorer;
}

async function seriesOf(s: Scorer): Promise<JobSeries[]> {
  const res = await fetch(`http://127.0.0.1:${s.port}/api/v1/jobs/links/series`);
  if (res.status !== 200) throw new Error(`${s.name}: /api/v1/jobs/links/series answered ${res.status}`);
  return ((await res.json()) as { series: JobSeries[] }).series;
}

/** The series once every one has scored a point at or after `t` (ms). */
function seriesAfter(s: Scorer, t: number): Promise<JobSeries[]> {
  return until(
    `${s.name} to score past ${new Date(t).toISOString()}`,
    async () => {
      const series = await seriesOf(s);
      const oldestNewest = Math.min(...series.map((x) => x.timestamps.at(-1) ?? -Infinity));
      return series.length > 0 && oldestNewest >= t ? series : undefined;
    },
    90_000,
    250,
  );
}

function header(stateDir: string): { dataUntil: number; series: number } {
  const text = readFileSync(join(stateDir, 'links.state'), 'utf8');
  return JSON.parse(text.split('\n', 1)[0]) as { dataUntil: number; series: number };
}

const key = (labels: Record<string, string>) => JSON.stringify(Object.entries(labels).sort());

/** Every point of `a` in (after, until] is at the same timestamp in `b` with the same fields. */
function expectSamePoints(a: JobSeries[], b: JobSeries[], after: number, upTo: number): number {
  const byKey = new Map(b.map((s) => [key(s.labels), s]));
  let compared = 0;
  for (const s of a) {
    const other = byKey.get(key(s.labels));
    expect(other).toBeDefined();
    const at = new Map(other!.timestamps.map((t, i) => [t, i]));
    for (let i = 0; i < s.timestamps.length; i++) {
      const t = s.timestamps[i];
      if (t <= after || t > upTo) continue;
      const j = at.get(t);
      const fields = ['values', 'score', 'expected', 'lower', 'upper', 'anomaly'] as const;
      expect({ labels: s.labels, t, ...Object.fromEntries(fields.map((f) => [f, s[f][i]])) }).toEqual({
        labels: s.labels,
        t,
        ...Object.fromEntries(fields.map((f) => [f, j === undefined ? 'missing' : other![f][j]])),
      });
      compared++;
    }
  }
  return compared;
}

beforeAll(async () => {
  requireFleetTools();
  dir = mkdtempSync(join(tmpdir(), 'trafficlens-shard-resume-'));

  // One sample a second from PAST_S before now to AHEAD_S after: queries see the samples up to
  // their own instant, so the "live" data arrives as time passes, the same for every process.
  const now = Math.floor(Date.now() / 1000);
  const series = Array.from({ length: SERIES }, (_, i) => ({
    labels: { site: `site-${i % 30}`, link: `link-${i}` },
    points: Array.from({ length: PAST_S + AHEAD_S }, (_, k): NabPoint => {
      const t = now - PAST_S + k;
      // A daily-ish wave, a little noise from a hash, and a burst per series now and then.
      const wave = 100 + (i % 7) + 10 * Math.sin((t + i) / 40);
      const noise = ((t * 7919 + i * 104729) % 13) / 13;
      const burst = (t + 11 * i) % 97 < 3 ? 40 : 0;
      return { t, v: wave + noise + burst };
    }),
  }));
  const started = await startBackfilledPrometheus({
    dir,
    port: await freePort(),
    families: [{ name: 'tl_resume_bytes', series }],
    config: 'global: {scrape_interval: 15s}\n',
  });
  prometheus = started.proc;
  promUrl = started.url;

  // fit_window reaches past the first sample, so every process backfills from the same first point.
  writeJobsFile(join(dir, 'jobs.yaml'), {
    name: 'links',
    expr: 'tl_resume_bytes',
    detector: 'robust',
    step: '1s',
    interval: '1s',
    fit_window: '1h',
    max_series: 1000,
  });
  const ports = await Promise.all(Array.from({ length: SHARDS + 1 }, () => freePort()));
  for (let i = 0; i < SHARDS; i++) startScorer(`shard ${i}`, i, ports[i], join(dir, `state-${i}`));
  startScorer('reference', KILLED, ports[SHARDS], join(dir, 'state-reference'));
  for (const s of scorers) await waitReady(s.proc, `http://127.0.0.1:${s.port}/readyz`);
}, 180_000);

afterAll(async () => {
  for (const s of scorers) await s.proc.kill('SIGTERM');
  await prometheus?.kill('SIGTERM');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('a shard killed with SIGKILL resumes from its snapshot and scores exactly as an uninterrupted run', async () => {
  const killed = scorers[KILLED];
  const reference = scorers[SHARDS];
  const started = Date.now();
  // The killed shard has written a periodic snapshot of live points and scored past it.
  const snapshot = await until(
    'a periodic snapshot after the backfill',
    async () => {
      if (!existsSync(join(killed.stateDir, 'links.state'))) return undefined;
      const h = header(killed.stateDir);
      return h.dataUntil >= started ? h : undefined;
    },
    60_000,
    200,
  );
  const beforeKill = await seriesAfter(killed, snapshot.dataUntil + 2000);
  killed.proc.child.kill('SIGKILL');
  await killed.proc.exited;
  const atKill = header(killed.stateDir);
  const lostFrom = atKill.dataUntil;
  const newestBeforeKill = Math.max(...beforeKill.map((s) => s.timestamps.at(-1)!));
  // Points were scored after the snapshot the restart resumes from, and lost with the process.
  expect(newestBeforeKill).toBeGreaterThan(lostFrom);
  expect(atKill.series).toBe(beforeKill.length);

  // Restarted on its state folder: it restores every series and scores only the gap.
  const restarted = startScorer(`shard ${KILLED} restarted`, KILLED, killed.port, killed.stateDir);
  await waitReady(restarted.proc, `http://127.0.0.1:${restarted.port}/readyz`);
  await until(
    'the restore log line',
    async () => restarted.proc.jsonLines().find((l) => /restored \d+ series from snapshot at/.test(l.msg)),
    30_000,
    100,
  );
  const restoredLine = restarted.proc
    .jsonLines()
    .find((l) => /restored \d+ series from snapshot at/.test(l.msg))!;
  expect(restoredLine.msg).toMatch(
    new RegExp(
      `^job links: restored ${atKill.series} series from snapshot at ${new Date(lostFrom).toISOString()}`,
    ),
  );
  expect(restarted.proc.jsonLines().some((l) => /backfill scored/.test(l.msg))).toBe(false);

  // Compared up to a point both have scored, well after the restart.
  const horizon = Math.floor((Date.now() + 4000) / 1000) * 1000;
  const resumed = await seriesAfter(restarted, horizon);
  const uninterrupted = await seriesAfter(reference, horizon);
  expect(resumed.map((s) => key(s.labels)).sort()).toEqual(uninterrupted.map((s) => key(s.labels)).sort());
  expect(resumed.length).toBe(atKill.series);
  expect(resumed.length).toBeGreaterThan(SERIES / SHARDS - 40);

  // After the resumption point: every point the restart scored, the same as the reference's.
  const afterResume = expectSamePoints(resumed, uninterrupted, lostFrom, horizon);
  expect(afterResume).toBeGreaterThanOrEqual(resumed.length * ((horizon - lostFrom) / 1000));
  // The points the killed process scored after its snapshot were scored again, the same.
  expect(expectSamePoints(beforeKill, resumed, lostFrom, newestBeforeKill)).toBeGreaterThan(0);
  // And the points up to the resumption point, restored from the snapshot.
  expect(expectSamePoints(resumed, uninterrupted, -Infinity, lostFrom)).toBeGreaterThan(resumed.length * 60);
}, 240_000);
