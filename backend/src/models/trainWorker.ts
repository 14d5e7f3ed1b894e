/**
 * Piscina worker for training: compiled to dist/models/trainWorker.js and loaded by the pool trainer.
 * It lowers its own thread's scheduling priority first (Linux: a thread is a schedulable task with
 * its own id, /proc/thread-self names it), so a training job takes the CPU scoring leaves idle.
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { loadTf } from './runtime.js';
import { runTrainJob, type TrainTask } from './trainer.js';

let niced = false;
function lowerPriority(): void {
  if (niced) return;
  niced = true;
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, 19);
  } catch {
    // Not Linux, or not allowed: train at normal priority.
  }
}

export default async function run(task: TrainTask) {
  lowerPriority();
  const { port } = task;
  const rt = await loadTf();
  port.postMessage({ backend: rt.backend });
  try {
    return await runTrainJob(task.job, (epoch, epochs, loss) => port.postMessage({ epoch, epochs, loss }));
  } finally {
    port.close();
  }
}
