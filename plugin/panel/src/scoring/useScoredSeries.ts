import { useEffect, useMemo, useState } from 'react';
import type { DataSourceRef } from '@grafana/schema';
import { parseFrames, type PanelSeries } from '../frames/parse';
import type { PanelOptions } from '../types';
import { mergeScored, planBatch, type BatchLimits, DEFAULT_LIMITS, type ScoreBatch } from './batch';
import { describeScoringError, getScorer, isAbort, ScoringProblem } from './scorer';

export type ScoringStatus =
  /** nothing to score, or no scoring datasource chosen */
  | { kind: 'off' }
  | { kind: 'scoring'; count: number }
  | { kind: 'done'; scorer: string; count: number }
  | { kind: 'error'; problem: ScoringProblem };

export interface ScoredSeries {
  series: PanelSeries[];
  status: ScoringStatus;
  /** plain series left unscored because one request may not hold them all */
  skipped: number;
  limits: BatchLimits;
}

interface Answer {
  scorer: string;
  /** the sent series as scored, in request order */
  scored: PanelSeries[];
}

/**
 * Answers by input: panels re-render and remount often (resize, edit mode, dashboard refresh with
 * unchanged data) and the same input scores the same. Only answers are kept, not requests in flight, so
 * one panel cancelling its stale request never cancels another's.
 */
const CACHE_SIZE = 32;
const cache = new Map<string, Answer>();

function remember(key: string, answer: Answer) {
  cache.delete(key);
  cache.set(key, answer);
  while (cache.size > CACHE_SIZE) {
    cache.delete(cache.keys().next().value as string);
  }
}

/** For tests: forget every answer. */
export function clearScoreCache() {
  cache.clear();
}

/**
 * Plain series → the same series scored through the TrafficLens datasource chosen under "Score with".
 * A new input cancels the request for the previous one; while a request runs, the last scored series
 * stay on screen (a refresh does not flash back to unscored).
 */
export function useScoredSeries(
  series: PanelSeries[],
  options: Pick<PanelOptions, 'scoreWith' | 'detector' | 'sensitivity' | 'timezone'>,
  limits: BatchLimits = DEFAULT_LIMITS,
): ScoredSeries {
  const ref = options.scoreWith?.uid ? options.scoreWith : null;
  const detector = options.detector?.trim() || undefined;
  const timezone = options.timezone?.trim() || undefined;
  const sensitivity =
    typeof options.sensitivity === 'number' && !Number.isNaN(options.sensitivity)
      ? options.sensitivity
      : undefined;
  const batch = useMemo(() => (ref ? planBatch(series, limits) : null), [series, ref, limits]);
  const key =
    ref && batch && batch.indexes.length > 0
      ? JSON.stringify([ref.uid, detector ?? null, sensitivity ?? null, timezone ?? null, batch.key])
      : null;

  const [answer, setAnswer] = useState<{ key: string; answer?: Answer; problem?: ScoringProblem }>();
  // The request of the current key, replaced only when the key changes (set while rendering, as React
  // recommends for state that follows props): a re-render with equal input — new arrays of the same
  // data — neither restarts nor cancels it.
  const [request, setRequest] = useState<Request | null>(null);
  if ((request?.key ?? null) !== key) {
    setRequest(key && ref && batch ? { key, ref, batch, detector, sensitivity, timezone } : null);
  }
  const cached = key ? cache.get(key) : undefined;
  const settled = useMemo(() => (cached && key ? { key, answer: cached } : answer), [cached, key, answer]);

  useEffect(() => {
    if (!request || cache.has(request.key)) {
      return;
    }
    const { key, ref, batch, detector, sensitivity, timezone } = request;
    const controller = new AbortController();
    let scorerName = `“${ref.uid}”`;
    (async () => {
      try {
        const scorer = await getScorer(ref);
        scorerName = scorer.name;
        if (controller.signal.aborted) {
          return;
        }
        const frames = await scorer.scoreSeries(batch.input, {
          detector,
          sensitivity,
          ...(timezone ? { timezone } : {}),
          refId: 'score',
          signal: controller.signal,
        });
        const parsed = parseFrames(Array.isArray(frames) ? frames : []);
        if (parsed.series.length !== batch.indexes.length || !parsed.scored) {
          const why = parsed.problems.length ? ` (${parsed.problems.join('; ')})` : '';
          throw new ScoringProblem(
            `Unexpected answer from ${scorer.name}`,
            `${batch.indexes.length} series sent, ${parsed.series.length} scored series received${why}`,
          );
        }
        const result = { scorer: scorer.name, scored: parsed.series };
        remember(key, result);
        if (!controller.signal.aborted) {
          setAnswer({ key, answer: result });
        }
      } catch (err) {
        if (!controller.signal.aborted && !isAbort(err)) {
          setAnswer({ key, problem: describeScoringError(err, scorerName) });
        }
      }
    })();
    return () => controller.abort();
  }, [request]);

  // Memoised so the drawings (keyed on the series array) redraw only when something changed.
  const settledResult = useMemo((): ScoredSeries | null => {
    const skipped = batch?.skipped ?? 0;
    if (!key || !batch) {
      return { series, status: { kind: 'off' }, skipped, limits };
    }
    if (settled?.key === key && settled.problem) {
      return { series, status: { kind: 'error', problem: settled.problem }, skipped, limits };
    }
    if (settled?.key === key && settled.answer) {
      return {
        series: mergeScored(series, batch, settled.answer.scored),
        status: { kind: 'done', scorer: settled.answer.scorer, count: batch.indexes.length },
        skipped,
        limits,
      };
    }
    return null;
  }, [series, batch, key, settled, limits]);

  // The last scored series shown, kept on screen while the next answer is on its way (updated while
  // rendering, as state that follows props).
  const [shown, setShown] = useState<PanelSeries[] | null>(null);
  const nowShown =
    settledResult?.status.kind === 'done'
      ? settledResult.series
      : settledResult?.status.kind === 'off'
        ? null
        : shown;
  if (nowShown !== shown) {
    setShown(nowShown);
  }
  const scoring = useMemo(
    (): ScoredSeries => ({
      series: shown ?? series,
      status: { kind: 'scoring', count: batch?.indexes.length ?? 0 },
      skipped: batch?.skipped ?? 0,
      limits,
    }),
    [shown, series, batch, limits],
  );
  return settledResult ?? scoring;
}

interface Request {
  key: string;
  ref: DataSourceRef;
  batch: ScoreBatch;
  detector?: string;
  sensitivity?: number;
  timezone?: string;
}
