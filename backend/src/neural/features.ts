/**
 * The inputs of the neural detectors, built the same way for training (models/train.ts, on arrays)
 * and for scoring (detectors/neural.ts, point by point): normalized sliding windows, plus the sine
 * and cosine of the seasonal phase (the seasonal context) when the training data had a period.
 *
 *   autoencoder  [z(t-w+1) … z(t), sin, cos]        → reconstructs [z(t-w+1) … z(t)]
 *   lstm         [[z(t-w), sin, cos] … [z(t-1), …]] → forecasts z(t)   (phase of each step)
 *   classifier   [z(t-w+1) … z(t), sin, cos]        → P(t is anomalous)
 *
 * z = (x − center) / scale, clipped to ±clip so one huge spike cannot saturate the network; targets
 * and residuals use the unclipped value, so the spike still shows in full in the deviation.
 */
import type { FeatureParams, NeuralDetector } from '../contract/models.js';
import { detectPeriod, interpolateGaps } from '../stats/period.js';
import { medianInPlace } from '../stats/median.js';

export const DEFAULT_WINDOW: Record<NeuralDetector, number> = { autoencoder: 32, lstm: 24, classifier: 32 };
export const CLIP = 20;

const MAD_TO_SIGMA = 1.4826;

/** Median of the values that are not NaN (NaN when none is). */
function medianOfObserved(xs: ArrayLike<number>): number {
  return medianInPlace(Array.from(xs).filter((x) => !Number.isNaN(x)));
}

/** Median and a robust σ (MAD, floored by a fraction of the standard deviation and by `floor`). */
export function robustStats(xs: ArrayLike<number>, floor: number): { median: number; sigma: number } {
  const m = medianOfObserved(xs);
  const dev = Array.from(xs, (x) => Math.abs(x - m));
  let mean = 0;
  let n = 0;
  for (let i = 0; i < xs.length; i++) {
    if (Number.isNaN(xs[i])) continue;
    mean += xs[i];
    n++;
  }
  mean /= Math.max(1, n);
  let v = 0;
  for (let i = 0; i < xs.length; i++) if (!Number.isNaN(xs[i])) v += (xs[i] - mean) ** 2;
  const sd = Math.sqrt(v / Math.max(1, n));
  const sigma = Math.max(MAD_TO_SIGMA * medianOfObserved(dev), 0.25 * sd, floor);
  return { median: Number.isFinite(m) ? m : 0, sigma: Number.isFinite(sigma) ? sigma : floor };
}

export function normalizeValue(x: number, f: Pick<FeatureParams, 'center' | 'scale'>): number {
  return (x - f.center) / f.scale;
}

export function clipValue(z: number, clip: number): number {
  return z > clip ? clip : z < -clip ? -clip : z;
}

/** sin/cos of the phase of timestamp t within the period (absolute, so any later range lines up). */
export function phaseOf(t: number, f: Pick<FeatureParams, 'period' | 'stepMs'>): [number, number] {
  if (!f.period) return [0, 0];
  const periodMs = f.period * f.stepMs;
  const a = (2 * Math.PI * (((t % periodMs) + periodMs) % periodMs)) / periodMs;
  return [Math.sin(a), Math.cos(a)];
}

/** Normalization and seasonal context fitted on training data (NaN = missing). */
export function fitFeatures(
  detector: NeuralDetector,
  values: ArrayLike<number>,
  stepMs: number,
  window: number,
): FeatureParams {
  const { median: center, sigma } = robustStats(values, 1e-9);
  const mag = Math.abs(center);
  const scale = Math.max(sigma, mag * 1e-6, 1e-9);
  const filled = interpolateGaps(values);
  const found = filled.length >= 24 ? detectPeriod(filled, { minPeriod: 4 }) : null;
  const period = found && found.period >= 4 ? found.period : null;
  const phase = period !== null;
  const extra = phase ? 2 : 0;
  const inputShape = detector === 'lstm' ? [window, 1 + extra] : [window + extra];
  return { window, center, scale, clip: CLIP, period, stepMs, phase, inputShape };
}

/** Length of the input vector (flattened). */
export function inputSize(f: FeatureParams): number {
  return f.inputShape.reduce((a, b) => a * b, 1);
}

/**
 * Fills `out` with the model input for the window of normalized values `z` (oldest first) whose
 * last point (autoencoder, classifier) or next point (lstm) is at time `t`.
 */
export function fillInput(
  detector: NeuralDetector,
  f: FeatureParams,
  z: ArrayLike<number>,
  times: ArrayLike<number>,
  t: number,
  out: Float64Array,
): void {
  const w = f.window;
  if (detector === 'lstm') {
    const c = f.phase ? 3 : 1;
    for (let i = 0; i < w; i++) {
      out[i * c] = clipValue(z[i], f.clip);
      if (f.phase) {
        const [s, co] = phaseOf(times[i], f);
        out[i * c + 1] = s;
        out[i * c + 2] = co;
      }
    }
    return;
  }
  for (let i = 0; i < w; i++) out[i] = clipValue(z[i], f.clip);
  if (f.phase) {
    const [s, co] = phaseOf(t, f);
    out[w] = s;
    out[w + 1] = co;
  }
}
