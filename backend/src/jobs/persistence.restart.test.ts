/**
 * The restart test (issue 13): a job on the embedded simulator, stopped mid-run (SIGTERM: the manager's
 * stop writes the snapshot; kill -9: the manager is abandoned after its last periodic snapshot), then
 * restarted on a fake clock. After the restart its scores, bands and episodes (the open one included)
 * must be identical to those of a job that never stopped. A control job restarted without a snapshot
 * (what the service did before) shows the comparison is sharp enough to see the difference.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TrafficSimulator } from '../sources/simulator/index.js';
import type { JobConfigInput } from './config.js';
import { SIMULATOR_SPEED } from './defaults.js';
import type { JobSeriesResult } from './job.js';
import { JobManager } from './manager.js';
import { JobStateStore } from './persistence.js';
import { captureLogger, TestClock, type LogLine } from './testing/helpers.js';

const STEP = 60_000 / SIMULATOR_SPEED;
const INTERVAL = 15_000;
const SEED = 42;
const T = Date.UTC(2025, 0, 15, 12);
const align = (t: number) => Math.floor(t / STEP) * STEP;

// The restart falls inside an incident (an open episode), and the comparison ends inside it too.
const sim = new TrafficSimulator({ seed: SEED, speed: SIMULATOR_SPEED });
const incident = sim
  .incidents(T, T + (24 * 3_600_000) / SIMULATOR_SPEED)
  .find((i) => i.start > T + 3_600_000 / SIMULATOR_SPEED && i.end - i.start >= 20 * STEP)!;
const START = align(incident.start) - 30 * STEP;
const STOP_AT = align(incident.start) + 4 * STEP + 5_000;
const RESTART_AT = STOP_AT + 7 * STEP + 2_000;
const END = Math.min(align(incident.end) - STEP, RESTART_AT + 12 * STEP) + 3_000;

// Every series of the default `simulator` job's kinds but one site, to keep the test quick.
const config: JobConfigInput = {
  name: 'sim',
  source: { type: 'simulator', seed: SEED, speed: SIMULATOR_SPEED, kinds: ['traffic', 'http'] },
  interval: INTERVAL,
  step: STEP,
  fit_window: 2880 * STEP,
  retention: 2880,
  filters: [`site="${Object.values(incident.primary).includes('fra') ? 'fra' : 'ams'}"`],
};

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tl-job-state-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function managerAt(t: number, stateDir: string | null, intervalMs = 0) {
  const clock = new TestClock(t);
  const { logger, lines } = captureLogger();
  const state = stateDir ? await JobStateStore.open({ dir: stateDir, intervalMs, logger }) : null;
  const manager = new JobManager({ logger, now: clock.now, state });
  manager.addJob(config);
  return { clock, manager, lines };
}

/** Run the job at every interval from the clock's time to `until`. */
async function runUntil(m: { clock: TestClock; manager: JobManager }, until: number): Promise<void> {
  for (;;) {
    const outcome = await m.manager.runOnce('sim');
    expect(outcome).toMatchObject({ ok: true });
    if (m.clock.t + INTERVAL > until) break;
    m.clock.advance(INTERVAL);
  }
}

const results = (m: { manager: JobManager }): JobSeriesResult[] =>
  [...m.manager.seriesResults('sim')!].sort((a, b) =>
    JSON.stringify(a.labels) < JSON.stringify(b.labels) ? -1 : 1,
  );

/** Series whose retained scores or episodes differ from the reference's. */
function differing(a: JobSeriesResult[], b: JobSeriesResult[]): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) {
    if (JSON.stringify(a[i]) !== JSON.stringify(b[i])) n++;
  }
  return n;
}

function restoredLine(lines: LogLine[]): LogLine | undefined {
  return lines.find((l) => /restored \d+ series from snapshot at/.test(l.msg));
}

let reference: JobSeriesResult[];
let referenceOpen: number;
beforeAll(async () => {
  const m = await managerAt(START, null);
  await runUntil(m, END);
  reference = results(m);
  referenceOpen = m.manager.list()[0].openEpisodes;
});

describe('a restarted job continues as if it had never stopped', () => {
  test('the reference run has an episode open at the end, and a restart without a snapshot differs from it', async () => {
    expect(referenceOpen).toBeGreaterThan(0);
    expect(reference.length).toBeGreaterThan(5);
    // What the service did before: the restart backfills the fit window from scratch.
    const control = await managerAt(RESTART_AT, null);
    await runUntil(control, END);
    expect(differing(results(control), reference)).toBeGreaterThan(0);
  });

  test('SIGTERM mid-run: the snapshot written at stop restores every series; scores and open episodes identical', async () => {
    const first = await managerAt(START, dir);
    await runUntil(first, STOP_AT);
    expect(first.manager.list()[0].openEpisodes).toBeGreaterThan(0);
    const dataUntil = first.manager.list()[0].dataUntil!;
    await first.manager.stop();

    const second = await managerAt(RESTART_AT, dir);
    await runUntil(second, END);
    const line = restoredLine(second.lines);
    expect(line?.msg).toBe(
      `job sim: restored ${reference.length} series from snapshot at ${new Date(dataUntil).toISOString()}, backfilling ${(align(RESTART_AT) - dataUntil) / STEP} points`,
    );
    expect(results(second)).toEqual(reference);
    expect(second.manager.list()[0].openEpisodes).toBe(referenceOpen);
    // Only the gap and the live points were scored, not the fit window again.
    expect(second.manager.list()[0].pointsScored).toBeLessThan(reference.length * 40);
  });

  test('kill -9 mid-run: the last periodic snapshot is restored and the gap since it rescored; identical', async () => {
    const first = await managerAt(START, dir, 2 * 60_000);
    await runUntil(first, STOP_AT);
    const header = JSON.parse(readFileSync(join(dir, 'sim.state'), 'utf8').split('\n', 1)[0]) as {
      dataUntil: number;
    };
    // The process dies with points scored after its last snapshot: they are lost and must be rescored.
    expect(header.dataUntil).toBeLessThan(first.manager.list()[0].dataUntil!);

    const second = await managerAt(RESTART_AT, dir, 2 * 60_000);
    await runUntil(second, END);
    const line = restoredLine(second.lines);
    expect(line).toMatchObject({ gapPoints: (align(RESTART_AT) - header.dataUntil) / STEP });
    expect(results(second)).toEqual(reference);
    expect(second.manager.list()[0].openEpisodes).toBe(referenceOpen);
  });
});
