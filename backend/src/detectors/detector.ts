/**
 * The detector interface every family implements (robust, seasonal, kmeans, the `auto` ensemble,
 * and later the TensorFlow.js models). Detectors are streaming and causal: `update(x)` first scores
 * x against what was learned from earlier points, then learns from x. Fitting on history is therefore
 * just feeding it, and a batch request that may use its whole range warms the detector up first.
 *
 * A detector reports *raw* deviations, in the detector's own units; `calibration/` turns them into the
 * score contract (1.0 = anomaly boundary) for a chosen sensitivity.
 */
import type { Component, Deviation, LearnMode } from './component.js';
import type { DetectorState } from './snapshot.js';
import type { NeuralModel } from '../neural/artifacts.js';

// The layers above (calibration, engine) take the interface from here, the components' part included.
export {
  MASK_BITS,
  ZERO_FRACTION,
  componentMask,
  towardZero,
  type Component,
  type Deviation,
  type LearnMode,
} from './component.js';

export interface DetectorOptions {
  /** Fixed period in points, null to detect, or 'none' to disable seasonality. */
  period?: number | null | 'none';
  /**
   * The series step in ms, when the caller knows it: a detected period close to a day or a week snaps
   * to it. Recorded in the seasonal component's state, so a restored detector keeps it.
   */
  stepMs?: number | null;
  /** The trained model of a neural detector (autoencoder, lstm, classifier); required by them. */
  model?: NeuralModel;
  /** Points the periodic work of the detector (period detection) is shifted by; 0 by default. */
  scheduleOffset?: number;
}

export interface DetectorStep {
  /** Per-component deviations for this point, in the detector's component order. */
  deviations: readonly Deviation[];
  /** Deviation of the band-only component, when the detector has one (its scored parts have no band). */
  band: Deviation | null;
}

/**
 * How the calibrator treats one component (defaults: weight 1, half-life 2,000 points). A weight
 * below 1 asks the component to exceed its recent range by more before it counts.
 */
export interface ComponentCalibration {
  weight?: number;
  halfLife?: number;
}

export interface Detector {
  readonly name: string;
  readonly components: readonly Component[];
  /** Per-component calibration, in component order (missing entries take the defaults). */
  readonly calibration?: readonly ComponentCalibration[];
  /**
   * True when the score is the detector's own calibrated evidence rather than the value's distance from
   * the band (the supervised classifier: its probability is learnt from labelled ranges that include
   * normal-valued points), so its anomalies may lie inside the band. Every other detector: false.
   */
  readonly scoreIndependentOfBand?: boolean;
  /** Points needed before the detector's output means something (the `learning` state). */
  readonly warmup: number;
  /** Period in points the detector works with, if any. */
  period(): number | null;
  /** `timestamp` (epoch ms) is for detectors with time features (the neural ones); others ignore it. */
  update(x: number, timestamp?: number): DetectorStep;
  /**
   * Learn from the x just scored by `update`; called once after every update. `imputed` (incident mode only; NaN: none): the value the components other
   * than the primary learn instead of x, the primary's expected value while it anticipates the series.
   * `reference` (incident mode only; NaN: none): the primary's expected value wherever it anticipates the
   * series, given to the other components' level estimates in place of holding (Component.learn).
   */
  learn(x: number, mode: LearnMode, imputed?: number, reference?: number): void;
  /** The learning gate accepted an incident's level after `points` points (Component.acceptLevel). */
  acceptLevel?(points: number): void;
  /**
   * The local clock the series keeps (ScoreOptions.timezone) has just changed its offset from UTC, before
   * the point about to be stepped: its pattern comes `ms` later in UTC (an hour, 3,600,000, when clocks go
   * back; negative when they go forward). Absent: the detector has no time-of-day pattern to move.
   */
  moveClock?(ms: number): void;
  /**
   * The learning gate has just opened an incident at the point about to be learnt (LearningGate.opened).
   * The points before it that a sequential test already counted (a CUSUM's run) were learnt as normal: the
   * primary's level offset is set back to where it was when they began (Component.runStartOffset,
   * Component.restoreOffset), so an incident is held against the level from before it.
   */
  incidentOpened?(): void;
  /** The whole streaming state, JSON-safe: restoring it and feeding the same points gives the same steps. */
  snapshot(): DetectorState;
  /** Load a (schema-checked) snapshot into this freshly created detector; throws a StateError on a mismatch. */
  restore(state: DetectorState): void;
}
