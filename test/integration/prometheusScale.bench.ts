/**
 * Issue 15's "a real Prometheus at 20,000": one built scorer with one `auto` job over 20,000 series held by
 * a real Prometheus (an hour of one-minute history, turned into TSDB blocks by promtool), on a 60 s
 * interval as an operator would run it. It measures the backfill (the job's first run: query_range,
 * parse, score), a steady tick (the next minute, one new point a series, through Prometheus' lookback),
 * one `/metrics` scrape and the scorer's memory, and checks that every series was scored and exported.
 *
 * A benchmark, not part of `npm test` (minutes of CPU): `npm run bench:prometheus -w test`, after
 * `npm run build -w backend`. `TL_BENCH_SERIES` sets the number of series (default 20,000).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  freePort,
  requireFleetTools,
  startBackfilledPrometheus,
  startShardScorer,
  until,
  waitReady,
  writeJobsFile,
  type NabPoint,
  type Proc,
} from './harness.js';

const SERIES = Number(process.env.TL_BENCH_SERIES ?? 20_000);
const HISTORY_MINUTES = 60;
const INTERVAL_S = 60;

interface JobStatus {
  runs: number;
  series: number;
  pointsScored: number;
  lastRunDurationMs: number | null;
  health: string;
}

/** Resident and peak resident memory of a process, in MiB (Linux /proc). */
function memoryMiB(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: kib('VmRSS') / 1024, peak: kib('VmHWM') / 1024 };
}

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

let dir = '';
let prometheus: Proc | undefined;
let scorer: Proc | undefined;

afterAll(async () => {
  await scorer?.kill('SIGTERM');
  await prometheus?.kill('SIGTERM');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test(`one scorer keeps ${fmt(SERIES)} series of a real Prometheus on a ${INTERVAL_S} s interval`, async () => {
  requireFleetTools();
  dir = mkdtempSync(join(tmpdir(), 'trafficlens-prom-scale-'));
  const log = (line: string) => process.stdout.write(`[prometheus scale] ${line}\n`);

  // An hour of one-minute history a series, ending on the current minute: a daily-shaped level per
  // series plus a little deterministic noise (the values only need to be plausible traffic).
  const end = Math.floor(Date.now() / 60_000) * 60;
  const series = Array.from({ length: SERIES }, (_, i) => ({
    labels: { site: `site-${i % 100}`, link: `link-${i}`, direction: i % 2 ? 'in' : 'out' },
    points: Array.from({ length: HISTORY_MINUTES }, (_, k): NabPoint => {
      const t = end - (HISTORY_MINUTES - 1 - k) * 60;
      const daily = 1 + 0.5 * Math.sin((2 * Math.PI * (t % 86_400)) / 86_400);
      return { t, v: Math.round(1000 * (1 + (i % 13) / 10) * daily + ((i * 7 + k * 13) % 17)) };
    }),
  }));
  let t0 = performance.now();
  const promPort = await freePort();
  const port = await freePort();
  const started = await startBackfilledPrometheus({
    dir,
    port: promPort,
    families: [{ name: 'tl_scale_bytes', series }],
    config: 'global: {scrape_interval: 15s}\nscrape_configs: []\n',
  });
  prometheus = started.proc;
  log(
    `${fmt(SERIES)} series × ${HISTORY_MINUTES} points into a real Prometheus (promtool blocks, start): ${fmt((performance.now() - t0) / 1000, 1)} s`,
  );

  const jobsFile = join(dir, 'jobs.yaml');
  writeJobsFile(jobsFile, {
    name: 'links',
    expr: 'tl_scale_bytes',
    step: '1m',
    interval: `${INTERVAL_S}s`,
    fit_window: `${HISTORY_MINUTES}m`,
    max_series: SERIES,
  });
  const url = `http://127.0.0.1:${port}`;
  t0 = performance.now();
  scorer = startShardScorer({
    name: 'scorer',
    dir,
    jobsFile,
    shard: 0,
    shards: 1,
    port,
    promUrl: started.url,
    stateDir: join(dir, 'state'),
  });
  const proc = scorer;
  await waitReady(proc, `${url}/readyz`, 600_000);
  const status = async () => (await (await fetch(`${url}/api/v1/jobs/links`)).json()) as JobStatus;
  // Progress every 30 s while the backfill runs; on a timeout, the scorer's last words.
  let lastProgress = performance.now();
  const first = await until(
    'the job to backfill every series',
    async () => {
      const s = await status();
      if (performance.now() - lastProgress > 30_000) {
        lastProgress = performance.now();
        log(
          `  … ${fmt((lastProgress - t0) / 1000)} s: ${JSON.stringify(s)}; RSS ${fmt(memoryMiB(proc.child.pid!).rss)} MiB`,
        );
      }
      return s.runs >= 1 && s.series === SERIES ? s : undefined;
    },
    600_000,
    500,
  ).catch((err: unknown) => {
    throw new Error(`${String(err)}\nscorer output (tail):\n${proc.output.slice(-3000)}`);
  });
  const backfillS = (performance.now() - t0) / 1000;
  const afterBackfill = memoryMiB(proc.child.pid!);
  log(
    `backfill: ${fmt(first.pointsScored)} points of ${fmt(first.series)} series, first run ${fmt((first.lastRunDurationMs ?? NaN) / 1000, 1)} s (${fmt(backfillS, 1)} s from start to ready); RSS ${fmt(afterBackfill.rss)} MiB`,
  );
  expect(first.series).toBe(SERIES);
  expect(first.pointsScored).toBeGreaterThanOrEqual(SERIES * (HISTORY_MINUTES - 1));

  // The next tick: one more minute, one new point a series (Prometheus answers it from its lookback).
  const tick = await until(
    'a tick with one new point a series',
    async () => {
      const s = await status();
      return s.runs >= 2 && s.pointsScored >= first.pointsScored + SERIES ? s : undefined;
    },
    (INTERVAL_S + 120) * 1000,
    500,
  );
  const tickS = (tick.lastRunDurationMs ?? NaN) / 1000;

  t0 = performance.now();
  const text = await (await fetch(`${url}/metrics`)).text();
  const scrapeS = (performance.now() - t0) / 1000;
  const exported = new Set(
    text
      .split('\n')
      .filter((l) => l.startsWith('trafficlens_anomaly_score{') && l.includes('job="links"'))
      .map((l) => /link="([^"]+)"/.exec(l)?.[1]),
  );
  const memory = memoryMiB(proc.child.pid!);
  log(
    `tick: ${fmt(tick.pointsScored - first.pointsScored)} new points in ${fmt(tickS, 2)} s; /metrics ${fmt(text.length / 1e6, 1)} MB in ${fmt(scrapeS, 2)} s; ` +
      `tick + scrape ${fmt((100 * (tickS + scrapeS)) / INTERVAL_S, 1)} % of the ${INTERVAL_S} s interval; RSS ${fmt(memory.rss)} MiB, peak ${fmt(memory.peak)} MiB (${fmt((memory.rss * 1024) / SERIES, 1)} KiB a series)`,
  );
  expect(tick.health).toBe('ok');
  expect(exported.size).toBe(SERIES);
}, 1_800_000);
