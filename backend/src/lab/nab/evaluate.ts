/**
 * The `trafficlens evaluate` metrics of a NAB run: each file is scored once more by the engine (the
 * same causal request whose NAB scores the run records), its flags and scores compared with NAB's
 * windows over the rows NAB scores (after the probationary prefix), and the files pooled
 * (lab/evaluation/detectionMetrics.ts, evaluatePooled). They put the NAB number next to the point-wise ones a user of
 * `evaluate` sees: precision, recall, F1, ROC-AUC, point-adjusted F1.
 */
import { scoreSeries, type ScoreParams } from '../../engine/index.js';
import { nabAnomalyScores } from './anomalyScores.js';
import { evaluatePooled, type EvaluationMetrics } from '../evaluation/detectionMetrics.js';
import type { NabFile } from './corpus.js';

interface Part {
  scores: Float64Array;
  flags: boolean[];
  labels: boolean[];
}

export class NabEvaluation {
  private readonly parts = new Map<string, Part>();

  /** Scores the file with `params` (causal), records its metrics, and returns its NAB scores. */
  score(timestamps: number[], values: number[], file: NabFile, params: ScoreParams): Float64Array {
    const scored = scoreSeries(
      { timestamps, values },
      { ...params, options: { ...params.options, causal: true } },
    );
    const firstScored = [...timestamps].sort((a, b) => a - b)[file.probationLength] ?? Infinity;
    const part: Part = { scores: new Float64Array(0), flags: [], labels: [] };
    const scores: number[] = [];
    scored.timestamps.forEach((t, i) => {
      if (t < firstScored) return;
      scores.push(scored.score[i] ?? 0);
      part.flags.push(scored.anomaly[i]);
      part.labels.push(file.windows.some((w) => t >= w.start && t <= w.end));
    });
    part.scores = Float64Array.from(scores);
    this.parts.set(file.relPath, part);
    return nabAnomalyScores(timestamps, values, params);
  }

  /** Metrics of the files recorded so far (all, or only `files`), delay k for the point adjustment. */
  metrics(delay = 7, files?: readonly string[]): EvaluationMetrics {
    const parts = files ? files.flatMap((f) => this.parts.get(f) ?? []) : [...this.parts.values()];
    return evaluatePooled(parts, delay);
  }
}

const f3 = (x: number) => (Number.isNaN(x) ? 'n/a' : x.toFixed(3));

/** The metrics as the report's lines. */
export function formatNabEvaluation(m: EvaluationMetrics): string[] {
  return [
    `evaluate metrics over every file's scored part (${m.points} points, ${m.labelled} in ${m.segments} NAB windows):`,
    `  precision ${f3(m.precision)}, recall ${f3(m.recall)}, F1 ${f3(m.f1)}, ROC-AUC ${f3(m.rocAuc)}`,
    `  point-adjusted (delay k=${m.delay}): F1 ${f3(m.pointAdjusted.f1)}, precision ${f3(m.pointAdjusted.precision)}, recall ${f3(m.pointAdjusted.recall)}; ${m.segmentsDetected}/${m.segments} windows detected`,
    `    (detected here: flagged, score >= 1, within a window's first k+1 = ${m.delay + 1} points; stricter than "windows hit"`,
    `    above, which counts a detection anywhere in the window: NAB's windows open long before their event)`,
  ];
}
