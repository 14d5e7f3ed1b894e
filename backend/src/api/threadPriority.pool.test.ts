/**
 * The worker pools lower the CPU priority of their own threads only: read from /proc (field 19 of
 * /proc/self/task/<tid>/stat is the thread's nice value), the scoring and training worker threads
 * are at the configured nice and the main thread keeps its own. Against the compiled workers in
 * backend/dist (`npm run build -w backend` first), like executor.pool.test.ts. Linux only.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createPoolExecutor, type ScoringExecutor } from './executor.js';
import { createPoolTrainer } from '../models/trainer.js';
import type { TrainJob } from '../models/registry.js';
import { LOWEST_NICE, logThreadPriorityFailures, lowerThreadPriority } from '../config/threadPriority.js';

const DIST_WORKER = new URL('../../dist/api/scoreWorker.js', import.meta.url);
const DIST_TRAIN_WORKER = new URL('../../dist/models/trainWorker.js', import.meta.url);
const linux = existsSync('/proc/self/task');
const onLinux = linux ? test : test.skip;

/** Nice value of every thread of this process, by thread id. */
function threadNices(): Map<number, number> {
  const nices = new Map<number, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    } catch {
      continue; // the thread ended meanwhile
    }
    // Fields after "(comm)" start at field 3; the command name may hold spaces, the ")" ends it.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    nices.set(Number(tid), Number(fields[19 - 3]));
  }
  return nices;
}

const mainNice = () => threadNices().get(process.pid)!;

/**
 * Nice values of the threads started since `before` (a set of thread ids). Read by thread id, not
 * by a count at one nice: a closed pool's threads (of the test before, or of another test file in
 * this jest worker) may still be leaving while a test runs, and must not count either way.
 */
const startedSince = (before: Set<number>) =>
  [...threadNices()].filter(([tid]) => !before.has(tid)).map(([, nice]) => nice);
const threadIds = () => new Set(threadNices().keys());

async function waitFor(check: () => boolean, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!check() && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
}

const open: ScoringExecutor[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((executor) => executor.close()));
});

beforeAll(() => {
  for (const file of [DIST_WORKER, DIST_TRAIN_WORKER]) {
    if (!existsSync(fileURLToPath(file))) {
      throw new Error(
        `${fileURLToPath(file)} is missing: run \`npm run build -w backend\` before these tests`,
      );
    }
  }
});

describe('worker thread priority', () => {
  onLinux('the scoring workers run at the configured nice; the main thread keeps its own', async () => {
    const base = mainNice();
    // An increment no other thread of this test process has (training threads sit at 19).
    const nice = Math.min(LOWEST_NICE - 1, base + 7);
    const before = threadIds();
    const executor = createPoolExecutor({
      threads: 2,
      inlineMaxPoints: 0,
      maxQueuedTasks: 4,
      workerFile: DIST_WORKER,
      threadNice: nice - base,
    });
    open.push(executor);
    await executor.start();
    const atNice = () => startedSince(before).filter((n) => n === nice).length;
    // Both workers load the module (and lower their priority) before they say they are ready.
    await waitFor(() => atNice() >= 2);
    expect(atNice()).toBe(2);
    expect(mainNice()).toBe(base);
  });

  onLinux('threadNice 0 leaves every thread at its priority', async () => {
    const base = mainNice();
    const before = threadIds();
    const executor = createPoolExecutor({
      threads: 2,
      inlineMaxPoints: 0,
      maxQueuedTasks: 4,
      workerFile: DIST_WORKER,
      threadNice: 0,
    });
    open.push(executor);
    await executor.start();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const started = startedSince(before);
    expect(started.length).toBeGreaterThanOrEqual(2);
    expect(started.filter((n) => n !== base)).toEqual([]);
    expect(mainNice()).toBe(base);
  });

  onLinux('the training workers run at the lowest priority; the main thread keeps its own', async () => {
    const base = mainNice();
    const before = threadIds();
    const trainer = createPoolTrainer({ threads: 1, workerFile: DIST_TRAIN_WORKER });
    try {
      // Not a valid job: the worker starts, lowers its priority as it loads, and the task fails. The
      // failure is not awaited: the worker loads TensorFlow.js for the task at the lowest priority, which on a
      // machine busy with other tests (CI runs two jest workers on two cores) took over a minute.
      // Closing the pool (finally) ends the task if it is still running.
      trainer.train({} as TrainJob, () => {}).catch(() => {});
      const atLowest = () => startedSince(before).filter((n) => n === LOWEST_NICE).length;
      await waitFor(() => atLowest() >= 1, 50_000);
      expect(atLowest()).toBe(1);
      expect(mainNice()).toBe(base);
    } finally {
      await trainer.close();
    }
  });
});

describe('lowerThreadPriority', () => {
  test('0 changes nothing', () => {
    expect(lowerThreadPriority(0)).toBeUndefined();
  });

  test('a failure reported by the workers is logged once', () => {
    const listeners: ((message: unknown) => void)[] = [];
    const warnings: string[] = [];
    logThreadPriorityFailures(
      { on: (_event, listener) => listeners.push(listener) },
      { warn: (_fields, message) => warnings.push(message) },
      'scoring worker',
    );
    for (const listener of listeners) {
      listener({ threadPriorityFailed: 'EACCES' });
      listener({ threadPriorityFailed: 'EACCES' });
      listener({ somethingElse: true });
    }
    expect(warnings).toEqual([
      "scoring worker threads run at the main thread's CPU priority: lowering theirs failed (EACCES)",
    ]);
  });
});
