/**
 * Puts every component of a detector on the score contract's scale (1.0 = anomaly boundary).
 *
 * Each component keeps the "recent normal range" of its |z|: a running maximum that decays with a
 * half-life of `halfLife` points. An incident (a run of anomalous points) can widen it at most `growth`
 * times its width before the incident (`incidentGrowth` inside an open incident, see learn), so a noisy or
 * heavy-tailed series widens its range over a few events (and stops being "always anomalous"), while one
 * incident cannot widen it so much that the next goes unseen.
 *
 *     boundary_c = LEARNING_MULTIPLIER · max(Z_FLOOR, range_c) / weight_c      score_c = |z_c| / boundary_c
 *
 * These are the scores a series learns by; the sensitivity only widens or narrows the band they give
 * (band.ts), so rescoring at another sensitivity needs no relearning.
 *
 * A detector may give a component its own weight and half-life (Detector.calibration): in `auto` the
 * fast single-point components (rate of change, EWMA) weigh 0.85, so they must exceed their range by
 * ~18 % more than the slower ones, and the long rolling median remembers its range twice as long.
 *
 * The point's score is the largest component score; that component "drives" it. The constants are
 * the one parameter set chosen on the whole NAB corpus (README, "Detection quality").
 */
import type { ComponentCalibration, Deviation, LearnMode } from '../detectors/detector.js';
import { LEARNING_MULTIPLIER, Z_FLOOR } from './sensitivity.js';
import { decArray, encArray, expectLength } from '../featurize/snapshot.js';
import type { CalibratorState } from './state.js';

export interface CalibrationOptions {
  /** Default half-life of a component's range, in points. */
  halfLife: number;
  /** Largest widening of a range by one run of high scores, outside an open incident. */
  growth: number;
  /** The same inside an open incident (LearningGate): a sustained incident widens its own band less. */
  incidentGrowth: number;
}

/**
 * incidentGrowth 2 against 4 (the same as outside incidents), NAB standard on the split halves:
 * 62.72 vs 61.43 (A), 70.98 vs 68.10 (B); also at a default multiplier of 1.5 (61.35 vs 58.67, 65.54 vs
 * 62.63), and 1.5 and 3 are worse on both halves than 2 (README, "Detection quality").
 */
export const DEFAULT_CALIBRATION: CalibrationOptions = { halfLife: 2000, growth: 4, incidentGrowth: 2 };

export interface Calibrated {
  score: number;
  /** Index of the component that drove the score (-1 when none had an opinion). */
  driver: number;
}

export class Calibrator {
  /**
   * Always LEARNING_MULTIPLIER: every learning decision (the ranges' basis here, the learning gate's
   * incidents) uses scores at this scale, so what a series learns does not depend on the sensitivity it
   * is shown at. The sensitivity widens the band afterwards (bandAndScore's `widen`).
   */
  readonly multiplier = LEARNING_MULTIPLIER;
  private readonly decay: Float64Array;
  private readonly weight: Float64Array;
  /** Per component: decaying maximum of recent |z|. */
  readonly range: Float64Array;
  /** Per component: the range's edge before the current run of anomalous points. */
  private readonly basis: Float64Array;
  /** Per component: |z| at score 1 for the last point. */
  readonly boundary: Float64Array;
  /** Per component: the range's edge used for the last point. */
  private readonly edge: Float64Array;
  readonly componentScores: Float64Array;
  constructor(
    components: number,
    private readonly opts: CalibrationOptions = DEFAULT_CALIBRATION,
    perComponent: readonly ComponentCalibration[] = [],
  ) {
    this.decay = Float64Array.from({ length: components }, (_, c) =>
      Math.pow(0.5, 1 / (perComponent[c]?.halfLife ?? opts.halfLife)),
    );
    this.weight = Float64Array.from({ length: components }, (_, c) => perComponent[c]?.weight ?? 1);
    this.range = new Float64Array(components);
    this.basis = new Float64Array(components).fill(Z_FLOOR);
    this.boundary = new Float64Array(components).fill(this.multiplier * Z_FLOOR);
    this.edge = new Float64Array(components).fill(Z_FLOOR);

    this.componentScores = new Float64Array(components);
  }

  /** Score one point's deviations against the ranges so far (componentScores, boundary). */
  calibrate(devs: readonly Deviation[]): Calibrated {
    let best = 0;
    let driver = -1;
    for (let c = 0; c < devs.length; c++) {
      this.range[c] *= this.decay[c];
      const a = Math.abs(devs[c].z);
      const edge = Math.max(Z_FLOOR, this.range[c]);
      this.edge[c] = edge;
      const b = (this.multiplier * edge) / this.weight[c];
      this.boundary[c] = b;
      if (Number.isNaN(a)) {
        this.componentScores[c] = 0;
        continue;
      }
      const s = a / b;
      this.componentScores[c] = s;
      if (s > best || driver < 0) {
        best = s;
        driver = c;
      }
    }
    return { score: best, driver };
  }

  /**
   * Learn the deviations just calibrated into the ranges, from every non-missing point: the widening by
   * an anomalous run is what keeps a noisy or heavy-tailed series from being "always anomalous".
   * Points inside an open incident (`mode`, from the learning gate) widen a range at most `incidentGrowth`
   * times its edge before the incident, points outside one `growth` times. (Keeping incidents out of the
   * ranges, or capping their widening relative to a normal-only range, was measured: NAB standard fell
   * from 63 to 30–56; README, "Detection quality".) `skip` is a component this point does not widen
   * (the primary during an outage, outage.ts), or -1.
   */
  learn(devs: readonly Deviation[], mode: LearnMode, skip = -1): void {
    const g = mode === 'incident' ? this.opts.incidentGrowth : this.opts.growth;
    for (let c = 0; c < devs.length; c++) {
      const a = Math.abs(devs[c].z);
      if (Number.isNaN(a) || c === skip) continue;
      // Growth is limited relative to the range before the current run of high scores, so a 5-point
      // run widens the range (and the band) at most `growth` times, not growth⁵ times.
      if (this.componentScores[c] < 1) this.basis[c] = this.edge[c];
      const learnt = Math.min(a, g * this.basis[c]);
      if (learnt > this.range[c]) this.range[c] = learnt;
    }
  }

  /** The learnt ranges; `boundary` and `componentScores` are rewritten by every `calibrate`. */
  snapshot(): CalibratorState {
    return { range: encArray(this.range), basis: encArray(this.basis) };
  }

  restore(s: CalibratorState, path = 'calibrator'): void {
    expectLength(
      `${path}.range`,
      s.range.length,
      this.range.length,
      `a detector with ${this.range.length} components`,
    );
    expectLength(
      `${path}.basis`,
      s.basis.length,
      this.basis.length,
      `a detector with ${this.basis.length} components`,
    );
    this.range.set(decArray(s.range));
    this.basis.set(decArray(s.basis));
  }
}
