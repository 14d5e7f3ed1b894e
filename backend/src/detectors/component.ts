/**
 * The component interface: a feature-level model inside a detector, one signed deviation per point
 * (composite.ts builds detectors of them; calibration/ puts every component on the same score scale).
 * Each component lives in one file with the schema of its snapshot (components/, kmeans.ts; the seasonal
 * component's classes and schemas share a folder instead, seasonal/); snapshot.ts unites those schemas
 * into the detector's snapshot format.
 */
import { StateError } from '../snapshots/codec.js';
import type { ExplanationKind } from '../contract/score.js';

/**
 * How a point is learnt. `normal`: fully. `incident`: the point lies inside an open anomaly episode, so
 * spreads (MAD, residual windows, calibration ranges) do not learn it at all and levels move toward it by
 * at most INCIDENT_ADAPTATION of their scale per update (0: they hold; the documented adaptation is the
 * scorer's explicit horizon, `acceptNewLevelAfter`).
 */
export type LearnMode = 'normal' | 'incident';

/**
 * During an incident a level estimate learns the value clamped to expected ± this many of its scales.
 * 0: levels hold for as long as the incident is open, and a new level is accepted only by the explicit
 * horizon (`acceptNewLevelAfter`, LearningGate). At 0.5 (the earlier value) a seasonal profile's level
 * offset still moved half a scale's worth of pull per point, so a 4σ shift was half absorbed after ~300
 * points and its incident closed before it ended. 0.5 → 0, NAB identical on every profile and both halves
 * (69.63 / 59.84 / 75.16; A 68.30, B 71.50); scenarios (5 README seeds): slow_ramp detected 0.6 → 0.8,
 * covered 0.001 → 0.313; shift_40pct covered 0.979 → 0.993; shift_4sigma 0.322 → 0.336 (seeds 1–8: 0.122
 * → 0.212); weekly_weekend false episodes a day 0.14 → 0.10 (seeds 1–8: 0.16 → 0.14); the cost, one
 * false episode more on two rows (drop_to_zero 0.11 → 0.13, shift_40pct 0.04 → 0.06). At 0.25 and 0.1
 * NAB is identical too and slow_ramp covered 0.17 (docs/detection-quality.md).
 */
export const INCIDENT_ADAPTATION = 0;

/** A value below this fraction of expected counts as "toward zero" (a drop of 90 % or more). */
export const ZERO_FRACTION = 0.1;

/** Whether x is a drop toward zero from a positive `expected`: traffic going away never becomes normal. */
export function towardZero(x: number, expected: number): boolean {
  return expected > 0 && x < ZERO_FRACTION * expected;
}

/** x learnt by a level estimate in `mode`: clamped toward `expected` during incidents. */
export function learnable(x: number, mode: LearnMode, expected: number, scale: number): number {
  if (mode === 'normal' || Number.isNaN(expected) || !(scale > 0)) return x;
  const lim = INCIDENT_ADAPTATION * scale;
  return x > expected + lim ? expected + lim : x < expected - lim ? expected - lim : x;
}

/** One component's opinion about one point. */
export interface Deviation {
  /** Signed deviation in units of `scale` (positive = above expected). NaN = no opinion yet. */
  z: number;
  /** Value the component expected (series units). NaN when it has no such notion. */
  expected: number;
  /** Typical deviation (series units), > 0. */
  scale: number;
  /** A seasonal profile's expected value without its level offset (NaN or absent: none). */
  pattern?: number;
  /**
   * A rolling median the series is flat around (RollingMedianComponent: it holds and has not moved): its
   * expected value is the series' level, with no pattern (absent: false).
   */
  stationary?: boolean;
  /**
   * A test on the primary's residuals (Component.readsPrimary): its estimate of how far the level moved,
   * in series units (band.ts: inside an open incident its evidence flags points nearer the moved level
   * than the old one).
   */
  shift?: number;
  /**
   * The same estimate over the values as observed (`shift` and `z` read an open incident's flagged points
   * as the primary's expected values), in series units and in the test's z units (band.ts: once the test's
   * own score has fallen inside an open incident, this estimate narrows the band while it alone would
   * score above 1).
   */
  observedShift?: number;
  observedZ?: number;
  /**
   * A sequential test (a CUSUM): the points its current run has summed, so the change it reports began
   * about that many points ago (NaN or absent: no run).
   */
  runPoints?: number;
  /**
   * A seasonal profile with a weekly correction: whether that correction has seen this time of the week
   * (false in a series' first week; absent: no weekly correction, nothing to see).
   */
  weekSeen?: boolean;
}

/** A feature-level model inside a detector: one signed deviation per point; `S` is its snapshot. */
export interface Component<S extends TaggedState = TaggedState> {
  /** Feature name shown in explanations, e.g. `level_vs_rolling_median`. */
  readonly feature: string;
  /** What a large deviation of this component means, by direction. */
  readonly kindUp: ExplanationKind;
  readonly kindDown: ExplanationKind;
  /** Whether `expected`/`scale` are in the series' own units (usable for the band). */
  readonly providesBand: boolean;
  /**
   * Whether z is (x − centre) / scale for a centre known before x (a level or a change): the component's
   * normal range is then an interval of x that narrows the band. Other components (level-shift tests,
   * shape distances) are evidence: they narrow the band on their side by their score (calibration/band.ts).
   */
  readonly affine: boolean;
  /**
   * Whether the expected value anticipates changes from learnt history (a seasonal profile long enough
   * to hold a time-of-day pattern): then components that see the anticipated change as a jump do not
   * narrow the band past it (calibration/band.ts). Absent = false.
   */
  readonly anticipates?: boolean;
  /**
   * Whether its expected value can be trusted to hold a sustained incident (SeriesScorer): it anticipates
   * the series, or the series is stationary around it (a rolling median that has not moved). Absent =
   * `anticipates`.
   */
  readonly holds?: boolean;
  /**
   * How far its noise scale lags the level it scores at, as of the last step (≥ 1; absent = 1): a seasonal
   * profile's scale learnt over a window that ramped up (Profile.noiseLag). Outside an incident the scorer
   * widens the shown band by it (display only).
   */
  readonly noiseLag?: number;
  /**
   * Points a value stays in this component's measurement (the recent window of a level-shift test).
   * Its deviation builds up over that many points after a change, so its calibration range learns each
   * deviation only that many points later (Calibrator.learn). Absent = 1 (the point itself).
   */
  readonly measurementPoints?: number;
  /**
   * Whether `step` is also given the primary component's deviation for the point: a test on the
   * primary's residuals, whose evidence is the primary's own (its flagged points count as the primary's
   * when the calibrator decides whether an incident is sustained). Absent = false.
   */
  readonly readsPrimary?: boolean;
  /**
   * Whether its evidence narrows the band on its side no further than half its own `shift` estimate (a
   * quarter inside an open incident), by its score or not (a CUSUM: its sum rises far past its boundary on
   * a small shift, so its score is no measure of where the level is; calibration/band.ts,
   * INCIDENT_SHIFT_FLOOR). Absent = false.
   */
  readonly narrowsToShift?: boolean;
  /**
   * Whether its evidence is that the noise grew, not the level (components/spread.ts): inside an open
   * incident it narrows both sides of the band by its score, to SPREAD_FLOOR of the primary's half-width
   * at the least (calibration/band.ts), and its score ≥ 1 holds the incident open (calibration/gate.ts).
   * Absent = false.
   */
  readonly spread?: boolean;
  /**
   * Score x (NaN = missing) against the state so far, writing into `out`. It may record x as a
   * measurement (a recent window), but baselines learn only in `learn`, called once after every step.
   */
  step(x: number, out: Deviation, primary?: Deviation): void;
  /**
   * Learn from the x just stepped (NaN = missing), fully or bounded (see LearnMode). `reference` (incident
   * mode only; NaN or absent: none): what a primary that anticipates the series (a learnt seasonal
   * profile) expected at this point. A level estimate that would hold still during the incident learns it
   * instead, so it follows the series' daily pattern through a long incident (Detector.learn).
   */
  learn(x: number, mode: LearnMode, reference?: number): void;
  /**
   * The learning gate has just accepted an incident's level as the new normal (acceptNewLevelAfter), the
   * incident having lasted `points` points before the point about to be stepped. A component that holds a
   * level across cycles moves it to the new one here. Absent: nothing to do.
   */
  acceptLevel?(points: number): void;
  /**
   * The series' clock has just moved (Detector.moveClock): its daily pattern now comes `ms` later in UTC
   * (earlier where negative). A component that holds a time-of-day pattern moves it. Absent: nothing to do.
   */
  moveClock?(ms: number): void;
  /**
   * A sequential test on a seasonal profile's residuals (a CUSUM): the profile's level offset when its
   * current run began; NaN (or absent) while no run is open or where it reads no profile
   * (Detector.incidentOpened).
   */
  readonly runStartOffset?: number;
  /**
   * An incident has just opened (Detector.incidentOpened): a primary with a level offset sets it back to
   * `offset`, where it was when the evidence for the incident began. Absent: nothing to do.
   */
  restoreOffset?(offset: number): void;
  /** The whole streaming state, JSON-safe: the component's own snapshot schema, beside its class. */
  snapshot(): S;
  /**
   * Load a snapshot into this freshly constructed component; throws a StateError naming `path` when it
   * is not a snapshot of a component built like this one.
   */
  restore(state: TaggedState, path?: string): void;
}

/** Components a componentMask describes: bits 0 … 29, so a mask stays a small integer. */
export const MASK_BITS = 30;

/**
 * Bit i set where `has(components[i])`, for the first MASK_BITS components: a fixed property of each
 * component read once, where reading it at every point was a lookup across the component classes.
 */
export function componentMask(components: readonly Component[], has: (c: Component) => boolean): number {
  let mask = 0;
  for (let i = 0; i < components.length && i < MASK_BITS; i++) if (has(components[i])) mask |= 1 << i;
  return mask;
}

/**
 * A Deviation with the two optional fields most components set present from the start, at the value
 * their readers take for "absent" (`stationary` false, read as `=== true`; the three-state `weekSeen`
 * undefined). The fallback and the rolling median added them on their first step, so an `auto`
 * detector's ten deviations had five hidden classes, one past the four V8 keeps a load polymorphic for:
 * every `devs[c].z` in Calibrator.calibrate and .learn was a megamorphic load that boxed its double, 20
 * heap numbers a point (18 of the 59 MB a worker allocated for half of the bench's dashboard request;
 * with three classes left, the residual shift tests' and the CUSUM's, 41 MB, minor GCs 74 → 55 over 16
 * half-requests; issue 15). Every optional field present (one class) allocates the same and costs each
 * live stream 0.9 KiB more (16.0 → 16.9 KiB of heap objects: a boxed double per numeric field).
 */
export function emptyDeviation(): Deviation {
  return { z: NaN, expected: NaN, scale: NaN, pattern: NaN, stationary: false, weekSeen: undefined };
}

/**
 * `n` empty deviations in an array pushed one by one, so its elements stay PACKED however the caller is
 * compiled. `components.map(() => emptyDeviation())` made a PACKED array while the constructor ran in the
 * interpreter and a HOLEY one once TurboFan had inlined the map (after ~850 detectors, the 18th
 * half-request of the bench's dashboard body in a worker): every optimized function that indexes the
 * deviations (CompositeDetector.update, Calibrator.calibrate and .learn, bandAndScore, and
 * SeriesScorer.advance, which inlines them) then failed its map check and deoptimized at once, and that
 * request took ~50–100 ms more (its workers' time 232–283 ms against a median of ~175; issue 15).
 */
export function emptyDeviations(n: number): Deviation[] {
  const devs: Deviation[] = [];
  for (let i = 0; i < n; i++) devs.push(emptyDeviation());
  return devs;
}

/** What every component snapshot has: its component type, the tag of the union in snapshot.ts. */
export interface TaggedState {
  readonly type: string;
}

/**
 * `state` as the snapshot of a `type` component, or a StateError saying which component the snapshot has
 * there instead. The snapshot was parsed by the union in snapshot.ts, so its tag says its shape.
 */
export function stateOfType<S extends TaggedState>(state: TaggedState, type: S['type'], path: string): S {
  if (state.type !== type)
    throw new StateError(`${path}.type`, `is "${state.type}", this detector has a ${type} component here`);
  return state as S;
}

/** Whether a component's expected value can hold a sustained incident (`holds`, else `anticipates`). */
export function holdsIncidents(c: Pick<Component, 'holds' | 'anticipates'> | undefined): boolean {
  return (c?.holds ?? c?.anticipates) === true;
}
