/**
 * Worker threads step back from the CPU so the main thread (HTTP, admission, /healthz) gets it first.
 *
 * On Linux a thread is a schedulable task with its own id (/proc/thread-self names it), and
 * setpriority on that id changes that thread only. Elsewhere there is no thread id to give, and
 * setpriority(0) would renice the whole process, the main thread included: nothing is changed there.
 *
 * A worker calls lowerThreadPriority() when its module loads and reports a failure to the pool
 * (reportThreadPriority); the pool's owner logs the first one (logThreadPriorityFailures).
 */
import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';

/** The lowest priority there is (nice 19). */
export const LOWEST_NICE = 19;

export type PriorityOutcome =
  | { ok: true; tid: number; nice: number }
  | { ok: false; reason: string }
  /** Asked not to change anything (by 0). */
  | undefined;

/** What a pool gives its workers (piscina's `workerData`). */
export interface PriorityWorkerData {
  /** How much to raise the thread's nice value above the process's; 0 leaves it alone. */
  threadNice: number;
}

/** The calling thread's id, or undefined where threads have none of their own (not Linux). */
export function currentThreadId(): number | undefined {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    return Number.isInteger(tid) && tid > 0 ? tid : undefined;
  } catch {
    return undefined;
  }
}

/** Raises the calling thread's nice value by `by` (at most to 19); never throws. */
export function lowerThreadPriority(by: number): PriorityOutcome {
  if (!(by > 0)) return undefined;
  const tid = currentThreadId();
  if (tid === undefined) return { ok: false, reason: 'no per-thread priority on this platform' };
  try {
    const nice = Math.min(LOWEST_NICE, getPriority(tid) + Math.round(by));
    setPriority(tid, nice);
    return { ok: true, tid, nice };
  } catch (err) {
    return { ok: false, reason: err instanceof Error ? err.message : String(err) };
  }
}

/** The nice increment a pool passed in `workerData`, 0 when none. */
export function threadNiceOf(data: unknown = workerData): number {
  const nice = (data as Partial<PriorityWorkerData> | null)?.threadNice;
  return typeof nice === 'number' && Number.isFinite(nice) ? nice : 0;
}

interface PriorityFailureMessage {
  threadPriorityFailed: string;
}

/** In a worker: tells the pool (piscina forwards other messages as its 'message' event) of a failure. */
export function reportThreadPriority(outcome: PriorityOutcome): void {
  if (outcome && !outcome.ok) {
    parentPort?.postMessage({ threadPriorityFailed: outcome.reason } satisfies PriorityFailureMessage);
  }
}

interface MessageSource {
  on(event: 'message', listener: (message: unknown) => void): unknown;
}

/** In the pool's owner: logs the first failure a worker reports (they all fail alike), never more. */
export function logThreadPriorityFailures(
  pool: MessageSource,
  logger: { warn(fields: object, message: string): void } | undefined,
  what: string,
): void {
  let logged = false;
  pool.on('message', (message) => {
    const reason = (message as Partial<PriorityFailureMessage> | null)?.threadPriorityFailed;
    if (logged || typeof reason !== 'string') return;
    logged = true;
    logger?.warn(
      { stage: 'startup', reason },
      `${what} threads run at the main thread's CPU priority: lowering theirs failed (${reason})`,
    );
  });
}
