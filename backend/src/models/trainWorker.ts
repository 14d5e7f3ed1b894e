/**
 * Piscina worker for training: compiled to dist/models/trainWorker.js and loaded by the pool trainer.
 * It lowers its own thread's CPU priority first (by the pool's `threadNice`, the lowest by default:
 * config/threadPriority.ts), so a training job takes the CPU the main thread and scoring leave idle.
 */
import { lowerThreadPriority, reportThreadPriority, threadNiceOf } from '../config/threadPriority.js';
import { loadTf } from './runtime.js';
import { runTrainJob, type TrainTask } from './trainer.js';

reportThreadPriority(lowerThreadPriority(threadNiceOf()));

export default async function run(task: TrainTask) {
  const { port } = task;
  const rt = await loadTf();
  port.postMessage({ backend: rt.backend });
  try {
    return await runTrainJob(task.job, (epoch, epochs, loss) => port.postMessage({ epoch, epochs, loss }));
  } finally {
    port.close();
  }
}
