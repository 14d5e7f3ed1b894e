/**
 * Piscina worker: compiled to dist/api/scoreWorker.js and loaded by the pool executor. It imports
 * the engine at load time, so a broken build fails the pool's warm-up ping instead of a request.
 * It lowers its own thread's CPU priority first (by the pool's `threadNice`), so under load the main
 * thread's HTTP, admission and /healthz get the CPU before scoring does.
 */
import { scoreSeries } from '../engine/index.js';
import { Piscina } from 'piscina';
import { lowerThreadPriority, reportThreadPriority, threadNiceOf } from '../config/threadPriority.js';
import { scoreBody, type BodyResult } from './scoreBody.js';
import { scoreBatch, type BatchResult, type WorkerTask } from './scoring.js';
import { scoreQuery, type QueryResult } from './queryAnswers.js';
import { engineStreams, runPreview } from '../jobs/preview.js';
import type { PreviewResponse } from '../contract/settings.js';

reportThreadPriority(lowerThreadPriority(threadNiceOf()));

/** The result with its bytes moved to the main thread, not copied. */
function moving<T extends { body: Uint8Array }>(result: T): T {
  const moved = { [Piscina.transferableSymbol]: result.body.buffer, [Piscina.valueSymbol]: result };
  return Piscina.move(moved as unknown as Parameters<typeof Piscina.move>[0]) as unknown as T;
}

export default function run(
  task: WorkerTask,
): BatchResult | BodyResult | QueryResult | Promise<PreviewResponse> | 'pong' {
  if (task.kind === 'ping') return 'pong';
  if (task.kind === 'preview') return runPreview(task.task, engineStreams(task.task));
  if (task.kind === 'body') {
    const result = scoreBody(scoreSeries, task.body, task.limits, task.model, task.part);
    // The response bytes, or the request's to run again with its model.
    return result.ok || result.kind === 'model' ? moving(result) : result;
  }
  if (task.kind === 'query') {
    const result = scoreQuery(scoreSeries, task);
    return result.ok ? moving(result) : result;
  }
  return scoreBatch(scoreSeries, task.series, task.params, task.offset, task.window);
}
