/**
 * The supervised classifier on NAB, honestly: it never sees the labels of a file it scores.
 *
 * The corpus is split into folds; each fold's classifier is trained on the labelled windows of the
 * *other* files (lab/evaluation/pooled.ts) and scores the fold's files causally, point by point, each file
 * normalized from its own probationary prefix (which NAB does not score). One parameter set for the
 * whole corpus.
 *
 *   halves      files sorted by path, alternately in half A and half B; A's labels train the model
 *               that scores B, and B's the one that scores A (2 trainings)
 *   categories  leave one category out: each category is scored by a model trained on all others
 *               (7 trainings on NAB v1.1)
 *
 * The run also records the `trafficlens evaluate` metrics (nab/evaluate.ts), per fold and overall.
 */
import type { EvaluationMetrics } from '../evaluation/detectionMetrics.js';
import {
  bundleFor,
  trainPooledClassifier,
  type PooledClassifier,
  type PooledOptions,
} from '../evaluation/pooled.js';
import type { NabFile } from './corpus.js';
import { NabEvaluation } from './evaluate.js';
import type { NabDetectorFn } from './runner.js';

export const CROSS_TRAIN_SCHEMES = ['halves', 'categories'] as const;
export type CrossTrainScheme = (typeof CROSS_TRAIN_SCHEMES)[number];

export interface Fold {
  name: string;
  train: NabFile[];
  score: NabFile[];
}

/** Folds whose scored files cover every file exactly once, never trained on their own labels. */
export function crossTrainFolds(files: readonly NabFile[], scheme: CrossTrainScheme): Fold[] {
  if (scheme === 'halves') {
    const sorted = [...files].sort((a, b) => (a.relPath < b.relPath ? -1 : a.relPath > b.relPath ? 1 : 0));
    const a = sorted.filter((_, i) => i % 2 === 0);
    const b = sorted.filter((_, i) => i % 2 === 1);
    return [
      { name: 'A (trained on B)', train: b, score: a },
      { name: 'B (trained on A)', train: a, score: b },
    ];
  }
  const categories = [...new Set(files.map((f) => f.category))].sort();
  return categories.map((c) => ({
    name: c,
    train: files.filter((f) => f.category !== c),
    score: files.filter((f) => f.category === c),
  }));
}

export interface CrossTrainProgress {
  onFoldStart?: (fold: Fold, index: number, total: number) => void;
  onEpoch?: (fold: Fold, epoch: number, epochs: number, loss: number) => void;
  onFoldDone?: (fold: Fold, model: PooledClassifier) => void;
}

export interface CrossTrained {
  folds: {
    name: string;
    trainFiles: number;
    /** The files this fold's model scores (relPath). */
    scored: string[];
    windows: number;
    positives: number;
    loss: number;
    ms: number;
  }[];
  /** NAB scores per file from the model of the file's fold; records the evaluate metrics as it goes. */
  detector: NabDetectorFn;
  /** The evaluate metrics of the files scored so far (all, or only `files`). */
  metrics: (delay?: number, files?: readonly string[]) => EvaluationMetrics;
}

const labelsOf = (f: NabFile) => f.windows.map((w) => ({ start: w.start, end: w.end }));

export async function crossTrain(
  files: readonly NabFile[],
  scheme: CrossTrainScheme,
  options: PooledOptions & { sensitivity?: number },
  progress: CrossTrainProgress = {},
): Promise<CrossTrained> {
  const folds = crossTrainFolds(files, scheme);
  const modelOf = new Map<string, PooledClassifier>();
  const summary: CrossTrained['folds'] = [];
  for (const [k, fold] of folds.entries()) {
    progress.onFoldStart?.(fold, k + 1, folds.length);
    const model = await trainPooledClassifier(
      fold.train.map((f) => ({
        timestamps: f.timestamps,
        values: f.values,
        labels: labelsOf(f),
        fitPoints: f.probationLength,
      })),
      { ...options, onEpoch: (e, n, loss) => progress.onEpoch?.(fold, e, n, loss) },
    );
    progress.onFoldDone?.(fold, model);
    for (const f of fold.score) modelOf.set(f.relPath, model);
    summary.push({
      name: fold.name,
      trainFiles: fold.train.length,
      scored: fold.score.map((f) => f.relPath),
      windows: model.windows,
      positives: model.positives,
      loss: model.loss,
      ms: model.durationMs,
    });
  }

  const evaluation = new NabEvaluation();
  const detector: NabDetectorFn = (timestamps, values, file) => {
    const pooled = modelOf.get(file.relPath);
    if (!pooled) throw new Error(`${file.relPath} is in no fold`);
    const model = bundleFor(pooled, 'nab', timestamps, values, file.probationLength);
    return evaluation.score(timestamps, values, file, {
      detector: 'classifier',
      sensitivity: options.sensitivity,
      model,
      options: { causal: true },
    });
  };
  return { folds: summary, detector, metrics: (delay, files) => evaluation.metrics(delay, files) };
}
