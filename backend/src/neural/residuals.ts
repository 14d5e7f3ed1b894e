/**
 * One evaluation of a neural model at one point, shared by training (to learn the error
 * distribution) and scoring (detectors/neural.ts), so both measure exactly the same thing.
 */
import type { FeatureParams, NeuralDetector } from '../contract/models.js';
import type { NeuralModel } from './artifacts.js';
import { fillInput, inputSize } from './features.js';
import { forward } from './forward.js';

/** Values at the window positions for the point at index t of normalized series z. */
export function windowInput(
  detector: NeuralDetector,
  f: FeatureParams,
  z: ArrayLike<number>,
  times: ArrayLike<number>,
  t: number,
  out: Float64Array,
): void {
  const w = f.window;
  const from = detector === 'lstm' ? t - w : t - w + 1;
  const zs = Array.prototype.slice.call(z, from, from + w) as number[];
  const ts = Array.prototype.slice.call(times, from, from + w) as number[];
  fillInput(detector, f, zs, ts, times[t], out);
}

export interface Evaluation {
  /** autoencoder, lstm: the model's value for the point (normalized units); classifier: NaN. */
  expected: number;
  /** autoencoder, lstm: z − expected; classifier: P(anomalous). */
  point: number;
  /** autoencoder: RMS reconstruction error of the window; else NaN. */
  window: number;
}

/**
 * Evaluates the model on a prepared input. `zLast` is the unclipped normalized value of the point
 * scored; `zWindow` the unclipped window (autoencoder) for its whole-window error.
 */
export function evaluate(
  model: NeuralModel,
  input: Float64Array,
  zLast: number,
  zWindow: ArrayLike<number> | null,
  out: Evaluation,
): Evaluation {
  const y = forward(model.layers, input, model.features.inputShape);
  const d = model.metadata.detector;
  if (d === 'classifier') {
    out.expected = NaN;
    out.point = y[0];
    out.window = NaN;
  } else if (d === 'lstm') {
    out.expected = y[0];
    out.point = zLast - y[0];
    out.window = NaN;
  } else {
    const w = model.features.window;
    out.expected = y[w - 1];
    out.point = zLast - y[w - 1];
    let s = 0;
    for (let i = 0; i < w; i++) {
      const zi = zWindow ? zWindow[i] : input[i];
      const c = Math.max(-model.features.clip, Math.min(model.features.clip, zi));
      s += (c - y[i]) ** 2;
    }
    out.window = Math.sqrt(s / w);
  }
  return out;
}

/** Residuals of the model on every full window of a normalized series (training calibration). */
export function residualsOf(
  model: NeuralModel,
  z: Float64Array,
  times: ArrayLike<number>,
): { point: Float64Array; window: Float64Array } {
  const f = model.features;
  const d = model.metadata.detector;
  const lag = d === 'lstm' ? f.window : f.window - 1;
  const n = Math.max(0, z.length - lag);
  const point = new Float64Array(n);
  const window = new Float64Array(n);
  const input = new Float64Array(inputSize(f));
  const e: Evaluation = { expected: NaN, point: NaN, window: NaN };
  for (let k = 0; k < n; k++) {
    const t = k + lag;
    windowInput(d, f, z, times, t, input);
    evaluate(model, input, z[t], d === 'autoencoder' ? z.subarray(t - f.window + 1, t + 1) : null, e);
    point[k] = e.point;
    window[k] = e.window;
  }
  return { point, window };
}
