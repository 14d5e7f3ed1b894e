/**
 * The neural detectors (autoencoder, lstm, classifier) as streaming detectors: a trained model
 * (models/) scored point by point with the JavaScript forward pass, behind the same Detector interface
 * and the same calibration as the statistical ones. Each component's deviation is in robust σ of the
 * model's own error distribution on its training data:
 *
 *   autoencoder  reconstruction_residual  (z(t) − reconstruction of z(t) − median) / σ   signed, band
 *                reconstruction_error     (RMS window error − median) / σ, ≥ 0         shape of the window
 *   lstm         forecast_residual        (z(t) − forecast − median) / σ               signed, band = forecast
 *   classifier   anomaly_probability      P(anomalous) on the score scale: P = 0.5 is the boundary at
 *                                         the default sensitivity; the sign (direction) is the side of
 *                                         the rolling median the value is on, which also draws the band
 *
 * A detector exists only with a model: without one, scoring falls back to a statistical detector
 * (engine/seriesScorer.ts, `resolveParams`), and the response says so.
 */
import type { ExplanationKind } from '../contract/score.js';
import type { NeuralModel } from '../neural/artifacts.js';
import { inputSize, normalizeValue, fillInput } from '../neural/features.js';
import { evaluate, type Evaluation } from '../neural/residuals.js';
import { DEFAULT_SENSITIVITY, Z_FLOOR, multiplierFor } from '../contract/sensitivity.js';
import { StateError } from '../snapshots/codec.js';
import { RollingMedianComponent } from './components/rollingMedian.js';
import { emptyDeviation, type Component, type Deviation, type LearnMode } from './component.js';
import type { ComponentCalibration, Detector, DetectorStep } from './detector.js';
import type { DetectorState } from './snapshot.js';

/** |z| the classifier gives P = 0.5: exactly the boundary at the default sensitivity. */
const CLASSIFIER_Z_AT_HALF = Z_FLOOR * multiplierFor(DEFAULT_SENSITIVITY);

const notSnapshotted = (what: string) =>
  new StateError(
    what,
    'streams of neural detectors are not snapshotted yet (they are rebuilt from their model)',
  );

/** Describes a component for explanations and bands; the detector computes all of them in one step. */
class Facet implements Component {
  constructor(
    readonly feature: string,
    readonly kindUp: ExplanationKind,
    readonly kindDown: ExplanationKind,
    readonly providesBand: boolean,
    readonly affine: boolean = providesBand,
  ) {}
  step(): void {
    throw new Error(`${this.feature} is stepped by its neural detector`);
  }
  learn(): void {}
  snapshot(): never {
    throw notSnapshotted(this.feature);
  }
  restore(): void {
    throw notSnapshotted(this.feature);
  }
}

export class NeuralDetectorImpl implements Detector {
  readonly components: readonly Component[];
  readonly scoreIndependentOfBand: boolean;
  readonly warmup: number;
  private readonly devs: Deviation[];
  private readonly bandDev: Deviation | null;
  private readonly bandComponent: RollingMedianComponent | null;
  /** The last `window + 1` values (raw, NaN = missing) and their timestamps, oldest first in ring order. */
  private readonly values: Float64Array;
  private readonly times: Float64Array;
  private head = 0;
  private count = 0;
  private seen = 0;
  private readonly z: Float64Array;
  private readonly ts: Float64Array;
  private readonly input: Float64Array;
  private readonly ev: Evaluation = { expected: NaN, point: NaN, window: NaN };

  constructor(
    readonly name: 'autoencoder' | 'lstm' | 'classifier',
    readonly model: NeuralModel,
  ) {
    const d = model.metadata.detector;
    if (d !== name) throw new RangeError(`model ${model.metadata.id} is a ${d} model, not ${name}`);
    const f = model.features;
    if (d === 'autoencoder') {
      this.components = [
        new Facet('reconstruction_residual', 'spike', 'dip', true),
        new Facet(
          'reconstruction_error',
          f.period ? 'seasonal_mismatch' : 'variance_change',
          'variance_change',
          false,
        ),
      ];
    } else if (d === 'lstm') {
      this.components = [new Facet('forecast_residual', 'spike', 'dip', true)];
    } else {
      this.components = [new Facet('anomaly_probability', 'spike', 'dip', false)];
    }
    this.scoreIndependentOfBand = d === 'classifier';
    // The classifier's probability says when to flag; its band holds the level from before the incident.
    this.bandComponent = d === 'classifier' ? new RollingMedianComponent(100, 10, true) : null;
    this.bandDev = this.bandComponent ? emptyDeviation() : null;
    this.devs = this.components.map(() => emptyDeviation());
    this.values = new Float64Array(f.window + 1).fill(NaN);
    this.times = new Float64Array(f.window + 1).fill(NaN);
    this.z = new Float64Array(f.window);
    this.ts = new Float64Array(f.window);
    this.input = new Float64Array(inputSize(f));
    this.warmup = f.window + 1;
  }

  period(): number | null {
    return this.model.features.period;
  }

  /** i-th most recent stored value (0 = the newest). */
  private at(arr: Float64Array, i: number): number {
    const n = arr.length;
    return arr[(this.head - 1 - i + 2 * n) % n];
  }

  update(x: number, timestamp?: number): DetectorStep {
    const f = this.model.features;
    const t = timestamp ?? this.seen * f.stepMs;
    this.values[this.head] = x;
    this.times[this.head] = t;
    this.head = (this.head + 1) % this.values.length;
    if (this.count < this.values.length) this.count++;
    this.seen++;
    if (this.bandComponent && this.bandDev) this.bandComponent.step(x, this.bandDev);
    for (const d of this.devs) d.z = d.expected = d.scale = NaN;

    const detector = this.model.metadata.detector;
    const w = f.window;
    // Window positions: autoencoder/classifier end at t, the forecaster's end just before it.
    const offset = detector === 'lstm' ? 1 : 0;
    if (Number.isNaN(x) || this.count < w + offset) return this.step();
    // Missing values inside the window are carried forward from the last one seen (backwards at the start).
    let last = NaN;
    for (let i = w - 1 + offset; i >= offset; i--) {
      const v = this.at(this.values, i);
      if (!Number.isNaN(v)) last = v;
      const k = w - 1 + offset - i;
      this.z[k] = normalizeValue(Number.isNaN(v) ? last : v, f);
      this.ts[k] = this.at(this.times, i);
    }
    if (Number.isNaN(last)) return this.step();
    for (let k = 0; k < w; k++) if (Number.isNaN(this.z[k])) this.z[k] = normalizeValue(last, f);
    fillInput(detector, f, this.z, this.ts, t, this.input);
    const zx = normalizeValue(x, f);
    evaluate(this.model, this.input, zx, detector === 'autoencoder' ? this.z : null, this.ev);

    const cal = this.model.metadata.calibration;
    const main = this.devs[0];
    if (detector === 'classifier') {
      const side = this.bandDev && this.bandDev.z < 0 ? -1 : 1;
      main.z = side * CLASSIFIER_Z_AT_HALF * (this.ev.point / 0.5);
      main.expected = NaN;
      main.scale = 1;
    } else {
      main.z = (this.ev.point - cal.median) / cal.sigma;
      main.expected = this.ev.expected * f.scale + f.center;
      main.scale = cal.sigma * f.scale;
    }
    if (detector === 'autoencoder' && cal.windowMedian !== undefined && cal.windowSigma !== undefined) {
      const d = this.devs[1];
      d.z = Math.max(0, (this.ev.window - cal.windowMedian) / cal.windowSigma);
      d.expected = NaN;
      d.scale = cal.windowSigma * f.scale;
    }
    return this.step();
  }

  private step(): DetectorStep {
    return { deviations: this.devs, band: this.bandDev };
  }

  /** A trained model learns only when it is retrained; the band component learns as any other. */
  learn(x: number, mode: LearnMode): void {
    this.bandComponent?.learn(x, mode);
  }

  snapshot(): DetectorState {
    throw notSnapshotted('detector');
  }

  restore(): void {
    throw notSnapshotted('detector');
  }
}

/**
 * `auto` with a trained model: auto's components and the model's, each calibrated on its own, the
 * strongest driving the score (as inside auto). Used when a request names both `auto` and a model.
 */
export class NeuralEnsemble implements Detector {
  readonly components: readonly Component[];
  readonly calibration: readonly ComponentCalibration[];
  readonly warmup: number;
  private devs: Deviation[] | null = null;

  constructor(
    readonly name: string,
    private readonly base: Detector,
    private readonly neural: NeuralDetectorImpl,
  ) {
    this.components = [...base.components, ...neural.components];
    this.calibration = [
      ...base.components.map((_, i) => base.calibration?.[i] ?? {}),
      ...neural.components.map(() => ({})),
    ];
    this.warmup = Math.max(base.warmup, neural.warmup);
  }

  period(): number | null {
    return this.base.period();
  }

  update(x: number, timestamp?: number): DetectorStep {
    const a = this.base.update(x, timestamp);
    const b = this.neural.update(x, timestamp);
    // Both detectors return the same Deviation objects on every step, so the list is built once.
    this.devs ??= [...a.deviations, ...b.deviations];
    return { deviations: this.devs, band: a.band };
  }

  learn(x: number, mode: LearnMode, imputed?: number, reference?: number): void {
    this.base.learn(x, mode, imputed, reference);
    this.neural.learn(x, mode);
  }

  acceptLevel(points: number): void {
    this.base.acceptLevel?.(points);
  }

  moveClock(ms: number): void {
    this.base.moveClock?.(ms);
  }

  incidentOpened(): void {
    this.base.incidentOpened?.();
  }

  snapshot(): DetectorState {
    throw notSnapshotted('detector');
  }

  restore(): void {
    throw notSnapshotted('detector');
  }
}
