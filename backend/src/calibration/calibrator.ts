/**
 * Puts every component of a detector on the score contract's scale (1.0 = anomaly boundary).
 * See `sensitivity.ts` for the boundary; this class keeps each component's recent |z| distribution.
 */
import type { Deviation } from '../detectors/detector.js';
import { SortedWindow } from '../featurize/windows.js';
import { boundariesFor, type Boundaries } from './sensitivity.js';

export interface CalibrationOptions {
  /** Points of |z| history kept per component. */
  history: number;
  /** Multiplier on the history quantile. */
  margin: number;
  /** Per-component weights (score multipliers); default 1. */
  weights?: readonly number[];
}

export const DEFAULT_CALIBRATION: CalibrationOptions = { history: 2000, margin: 1.0 };

export interface Calibrated {
  score: number;
  /** Index of the component that drove the score (-1 when none had an opinion). */
  driver: number;
}

export class Calibrator {
  readonly bounds: Boundaries;
  private readonly hist: SortedWindow[];
  readonly boundary: Float64Array;
  readonly componentScores: Float64Array;
  private readonly weights: readonly number[];
  constructor(
    components: number,
    sensitivity: number,
    private readonly opts: CalibrationOptions = DEFAULT_CALIBRATION,
  ) {
    this.bounds = boundariesFor(sensitivity);
    this.hist = Array.from({ length: components }, () => new SortedWindow(opts.history));
    this.boundary = new Float64Array(components).fill(this.bounds.zFloor);
    this.componentScores = new Float64Array(components);
    this.weights = opts.weights ?? Array.from({ length: components }, () => 1);
  }

  /** Score one point's deviations against the history so far, then add them to it. */
  calibrate(devs: readonly Deviation[], learn = true): Calibrated {
    let best = 0;
    let driver = -1;
    for (let c = 0; c < devs.length; c++) {
      const a = Math.abs(devs[c].z);
      const h = this.hist[c];
      const q = h.count >= 50 ? this.opts.margin * h.quantile(this.bounds.quantile) : 0;
      const b = Math.max(this.bounds.zFloor, q);
      this.boundary[c] = b;
      if (Number.isNaN(a)) {
        this.componentScores[c] = 0;
        continue;
      }
      const s = (this.weights[c] * a) / b;
      this.componentScores[c] = s;
      if (s > best || driver < 0) {
        best = s;
        driver = c;
      }
      if (learn) h.push(a);
    }
    return { score: best, driver };
  }
}
