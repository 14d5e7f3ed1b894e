/**
 * A job's fetch from its source, bounded by the job's timeout. The source sees one signal that aborts
 * when the timeout passes or when the caller's own signal (shutdown) aborts, whichever comes first.
 */
import type { FetchRequest, Source, SourceSeries } from '../sources/source.js';

export async function fetchWithTimeout(
  source: Source,
  request: Omit<FetchRequest, 'signal'>,
  timeoutMs: number,
  outer?: AbortSignal,
): Promise<SourceSeries[]> {
  const controller = new AbortController();
  const onOuterAbort = () => controller.abort(outer?.reason);
  if (outer?.aborted) controller.abort(outer.reason);
  outer?.addEventListener('abort', onOuterAbort, { once: true });
  const timer = setTimeout(
    () => controller.abort(new Error(`fetch from ${source.kind} timed out after ${timeoutMs} ms`)),
    timeoutMs,
  );
  // A pending timeout must not keep the process alive at shutdown.
  timer.unref?.();
  try {
    return await source.fetch({ ...request, signal: controller.signal });
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener('abort', onOuterAbort);
  }
}
