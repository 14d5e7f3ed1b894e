/**
 * Piscina worker: compiled to dist/api/scoreWorker.js and loaded by the pool executor. It imports
 * the engine at load time, so a broken build fails the pool's warm-up ping instead of a request.
 */
import { scoreSeries } from '../engine/index.js';
import { scoreBatch, type BatchResult, type WorkerTask } from './scoring.js';

export default function run(task: WorkerTask): BatchResult | 'pong' {
  if (task.kind === 'ping') return 'pong';
  return scoreBatch(scoreSeries, task.series, task.params, task.offset);
}
