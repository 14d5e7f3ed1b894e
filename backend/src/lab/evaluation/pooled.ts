/**
 * One classifier trained on the labelled windows of many series, then scoring series it has never
 * seen (the classifier's NAB protocol, lab/nab/crossTrain.ts). A per-series model would need labels on
 * the very series it scores; a pooled one learns what anomalies look like elsewhere.
 *
 * Each series is normalized with its own median and robust σ, fitted on its own first `fitPoints`
 * points, in training exactly as in scoring, so a series contributes windows in its own units and a
 * scored series is normalized causally (from a prefix it has already seen). The seasonal phase inputs
 * are always present (zero when a series has no period) so one network fits every series.
 */
import {
  MODEL_FORMAT_VERSION,
  type FeatureParams,
  type LabelRange,
  type ModelMetadata,
} from '../../contract/models.js';
import { interpolateGaps } from '../../stats/period.js';
import { seededPermutation } from '../../stats/random.js';
import { cleanSeries } from '../../series/clean.js';
import { decodeWeights, joinWeightData, sha256, type ModelBundle } from '../../neural/artifacts.js';
import { DEFAULT_WINDOW, fitFeatures, inputSize, normalizeValue } from '../../neural/features.js';
import type { LayerWeights } from '../../neural/forward.js';
import { windowInput } from '../../neural/residuals.js';
import { loadTf } from '../../models/runtime.js';
import { artifactsOf, build, TrainingError } from '../../models/train.js';

export interface LabelledSeries {
  timestamps: number[];
  values: number[];
  labels: readonly LabelRange[];
  /** Rows (from the start) the normalization is fitted on. */
  fitPoints: number;
}

export interface PooledOptions {
  window?: number;
  epochs?: number;
  batchSize?: number;
  seed?: number;
  onEpoch?: (epoch: number, epochs: number, loss: number) => void;
}

export interface PooledClassifier {
  topology: unknown;
  weights: LayerWeights;
  window: number;
  series: number;
  windows: number;
  positives: number;
  epochs: number;
  loss: number;
  backend: string;
  tfjsVersion: string;
  durationMs: number;
}

/** Defaults for training on a whole corpus half (~10⁵ windows): fewer, larger passes than one series. */
export const POOLED_DEFAULTS = { epochs: 6, batchSize: 256 } as const;

/** The features a series is scored with: normalization of its first `fitPoints` rows, phase always in. */
export function pooledFeatures(
  timestamps: number[],
  values: number[],
  fitPoints: number,
  window: number,
): FeatureParams {
  const prefix = cleanSeries(timestamps.slice(0, fitPoints), values.slice(0, fitPoints), { counter: 'auto' });
  const f = fitFeatures('classifier', prefix.values, prefix.report.stepMs, window);
  return { ...f, phase: true, inputShape: [window + 2] };
}

function inRanges(t: number, ranges: readonly LabelRange[]): boolean {
  for (const r of ranges) if (t >= r.start && t <= r.end) return true;
  return false;
}

export async function trainPooledClassifier(
  all: readonly LabelledSeries[],
  opts: PooledOptions = {},
): Promise<PooledClassifier> {
  const started = performance.now();
  const window = opts.window ?? DEFAULT_WINDOW.classifier;
  const epochs = opts.epochs ?? POOLED_DEFAULTS.epochs;
  const lag = window - 1;
  const size = window + 2;
  const parts: { xs: Float32Array; ys: Float32Array }[] = [];
  let windows = 0;
  let positives = 0;
  for (const s of all) {
    const f = pooledFeatures(s.timestamps, s.values, s.fitPoints, window);
    const clean = cleanSeries(s.timestamps, s.values, { counter: 'auto' });
    const n = clean.values.length - lag;
    if (n <= 0) continue;
    const z = Float64Array.from(interpolateGaps(clean.values), (x) => normalizeValue(x, f));
    const xs = new Float32Array(n * size);
    const ys = new Float32Array(n);
    const row = new Float64Array(inputSize(f));
    for (let k = 0; k < n; k++) {
      windowInput('classifier', f, z, clean.timestamps, k + lag, row);
      xs.set(row, k * size);
      if (inRanges(clean.timestamps[k + lag], s.labels)) {
        ys[k] = 1;
        positives++;
      }
    }
    parts.push({ xs, ys });
    windows += n;
  }
  if (positives === 0 || positives === windows) {
    throw new TrainingError(
      `classifier needs labels with both classes: ${positives} of ${windows} training windows are labelled anomalous`,
    );
  }
  // Windows in a seeded random order, and TF.js' own (unseeded) shuffling off: the same corpus gives
  // the same model, so the protocol's number is reproducible.
  const order = seededPermutation(windows, opts.seed ?? 42);
  const xs = new Float32Array(windows * size);
  const ys = new Float32Array(windows);
  let at = 0;
  for (const p of parts) {
    for (let k = 0; k < p.ys.length; k++, at++) {
      const to = order[at];
      xs.set(p.xs.subarray(k * size, (k + 1) * size), to * size);
      ys[to] = p.ys[k];
    }
  }

  const { tf, backend } = await loadTf();
  const features = { inputShape: [size], window } as FeatureParams;
  const model = build(tf, 'classifier', features, opts.seed ?? 42, 'lstm');
  const x = tf.tensor(xs, [windows, size]);
  const y = tf.tensor(ys, [windows, 1]);
  let loss = NaN;
  try {
    await model.fit(x, y, {
      epochs,
      batchSize: opts.batchSize ?? POOLED_DEFAULTS.batchSize,
      shuffle: false,
      verbose: 0,
      // As for one series: the rare class weighs as much as the common one in total, up to 50×.
      classWeight: { 0: 1, 1: Math.min(50, (windows - positives) / positives) },
      callbacks: {
        onEpochEnd: async (epoch, logs) => {
          loss = Number(logs?.loss ?? NaN);
          opts.onEpoch?.(epoch + 1, epochs, loss);
        },
      },
    });
  } finally {
    x.dispose();
    y.dispose();
  }
  const artifacts = await artifactsOf(tf, model);
  model.dispose();
  const bytes = artifacts.weightData ? joinWeightData(artifacts.weightData) : new Uint8Array();
  return {
    topology: artifacts.modelTopology,
    weights: decodeWeights(artifacts.weightSpecs ?? [], bytes),
    window,
    series: all.length,
    windows,
    positives,
    epochs,
    loss,
    backend,
    tfjsVersion: tf.version_core,
    durationMs: performance.now() - started,
  };
}

/** The pooled network as a model of one series, normalized by that series' first `fitPoints` rows. */
export function bundleFor(
  pooled: PooledClassifier,
  id: string,
  timestamps: number[],
  values: number[],
  fitPoints: number,
): ModelBundle {
  const features = pooledFeatures(timestamps, values, fitPoints, pooled.window);
  const weightBytes = Object.values(pooled.weights).reduce((a, w) => a + w.values.byteLength, 0);
  const metadata: ModelMetadata = {
    format: 'trafficlens-model',
    formatVersion: MODEL_FORMAT_VERSION,
    id,
    version: 1,
    detector: 'classifier',
    createdAt: new Date().toISOString(),
    trafficlensVersion: 'pooled',
    training: {
      from: timestamps[0],
      to: timestamps[Math.max(0, fitPoints - 1)],
      points: fitPoints,
      windows: pooled.windows,
      dataHash: sha256(`pooled:${pooled.series}:${pooled.windows}:${pooled.positives}`),
      epochs: pooled.epochs,
      labelRanges: 0,
      positives: pooled.positives,
      durationMs: pooled.durationMs,
    },
    features,
    // Unused by the classifier (its probability is the score); present for the schema.
    calibration: { median: 0, sigma: 1 },
    metrics: { loss: pooled.loss, valLoss: null },
    source: null,
    tfjs: { backend: pooled.backend, version: pooled.tfjsVersion },
    weights: { sha256: '', bytes: weightBytes },
  };
  return { metadata, topology: pooled.topology, weights: pooled.weights };
}
