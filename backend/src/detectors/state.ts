/**
 * Snapshot format of detectors and their components (JSON; numbers encoded as in snapshots/codec.ts).
 *
 * A snapshot holds the whole streaming state, so a detector restored from it scores the following points
 * exactly as the original would have. It also records the configuration the state depends on (window
 * sizes, periods, k-means options): restoring checks it against what this build constructs and says
 * where it differs, rather than mixing two configurations. Bump DETECTOR_STATE_VERSION whenever the
 * meaning of a field changes.
 */
import { z } from 'zod';
import { DetectorName } from '../contract/score.js';
import { Count, EwStatsState, Num, RingState, SortedWindowState, StateError } from '../snapshots/codec.js';

/** A component's running magnitude (EW mean of |x|) and whether the series has been integer-valued. */
export const MagnitudeState = EwStatsState.extend({ integral: z.boolean() });
export type MagnitudeState = z.infer<typeof MagnitudeState>;

/**
 * 3: a level shift's delay ring holds the values its base learns (bounded during incidents).
 * 4: seasonal phase tables are Float32 and learn unclipped values; the base profile carries a binned
 *    weekly correction when a full-resolution weekly profile does not fit the history (1-minute steps);
 *    the seasonal component records the series step (detected periods snap to a day or a week).
 * 5: `auto` has a 7th component, the residual level-shift test (residual_shift).
 */
export const DETECTOR_STATE_VERSION = 5;

export const RollingMedianState = z.object({
  type: z.literal('rolling_median'),
  window: z.number().int(),
  win: SortedWindowState,
  mag: MagnitudeState,
});

export const EwmaState = z.object({
  type: z.literal('ewma'),
  halfLife: z.number(),
  mean: Num,
  variance: Num,
  n: Count,
  mag: MagnitudeState,
});

export const RateOfChangeState = z.object({
  type: z.literal('rate_of_change'),
  window: z.number().int(),
  prev: Num,
  win: SortedWindowState,
  mag: MagnitudeState,
});

export const LevelShiftState = z.object({
  type: z.literal('level_shift'),
  recent: z.number().int(),
  window: z.number().int(),
  recentWin: SortedWindowState,
  delay: RingState,
  base: SortedWindowState,
  mag: MagnitudeState,
});

export const ResidualShiftState = z.object({
  type: z.literal('residual_shift'),
  recent: z.number().int(),
  win: SortedWindowState,
  offsets: RingState,
});

export const VarianceChangeState = z.object({
  type: z.literal('variance_change'),
  recent: z.number().int(),
  window: z.number().int(),
  prev: Num,
  recentWin: SortedWindowState,
  longWin: SortedWindowState,
  mag: MagnitudeState,
});

/** The weekly correction of a profile: `table[bin * weeks + k]`, per-bin factors on the daily median. */
export const WeeklyState = z.object({
  multiple: z.number().int().min(2),
  bins: z.number().int().min(1),
  table: z.array(Num),
  /** The bin being accumulated (-1 before any), its sums of x and of the daily median, and count. */
  bin: z.number().int().min(-1),
  sumX: Num,
  sumDaily: Num,
  count: Count,
  /** The day whose weekly factor the daily table divides by, and that factor (absent: none read yet). */
  day: z.tuple([z.number().int(), Num]).optional(),
});

/** The seasonal profile: `cycles[phase * seasons + k]`, the last `seasons` values at each phase. */
export const ProfileState = z.object({
  period: z.number().int().min(1),
  cycles: z.array(Num),
  weekly: WeeklyState.nullable(),
  resid: SortedWindowState,
  offset: EwStatsState,
  error: EwStatsState,
  expected: Num,
  /** The daily median at the last predicted position (what the weekly correction learns against). */
  daily: Num,
  /** Consecutive incident points back at the phase table's level (absent before 2026-12: 0). */
  returned: Count.optional(),
});

export const SeasonalState = z.object({
  type: z.literal('seasonal'),
  /** The fixed period the component was built with (null: detected). */
  fixedPeriod: z.number().int().nullable(),
  seasons: z.number().int(),
  /** The series step in ms detected periods snap to a day or a week with (null: unknown). */
  stepMs: z.number().positive().nullable(),
  seen: Count,
  nextCheck: Count,
  /** Recent values, while period detection or a pending multiple still needs them; null once released. */
  history: RingState.nullable(),
  /** The base profile first (it carries the binned multiple, if any), then full-resolution multiples. */
  profiles: z.array(ProfileState),
  /** Multiples of the base period waiting for enough history. */
  pending: z.array(z.number().int().min(1)),
  mag: MagnitudeState,
});

export const KMeansState = z.object({
  type: z.literal('kmeans'),
  options: z.object({
    k: z.number(),
    smooth: z.number(),
    lag: z.number(),
    trainSize: z.number(),
    minTrain: z.number(),
    refitEvery: z.number(),
    refQuantile: z.number(),
  }),
  raw: RingState,
  diffs: RingState,
  prevSmooth: Num,
  /** Training vectors in storage order, `trainCount × (lag + 1)` values; the next one goes to `trainHead`. */
  train: z.array(Num),
  trainCount: Count,
  trainHead: Count,
  sinceFit: Count,
  centroids: z.array(z.array(Num)),
  refDistance: Num,
  stepScale: EwStatsState,
});

const LEAF_TYPES = [
  'rolling_median',
  'ewma',
  'rate_of_change',
  'level_shift',
  'residual_shift',
  'variance_change',
  'seasonal',
  'kmeans',
];

export const LeafComponentState = z.discriminatedUnion(
  'type',
  [
    RollingMedianState,
    EwmaState,
    RateOfChangeState,
    LevelShiftState,
    ResidualShiftState,
    VarianceChangeState,
    SeasonalState,
    KMeansState,
  ],
  {
    error: (iss) =>
      iss.code === 'invalid_union'
        ? `unknown component type, expected one of ${LEAF_TYPES.join(', ')}`
        : undefined,
  },
);

export const FallbackState = z.object({
  type: z.literal('fallback'),
  usingPrimary: z.boolean(),
  primary: LeafComponentState,
  fallback: LeafComponentState,
});

export const ComponentState = z.discriminatedUnion(
  'type',
  [
    RollingMedianState,
    EwmaState,
    RateOfChangeState,
    LevelShiftState,
    ResidualShiftState,
    VarianceChangeState,
    SeasonalState,
    KMeansState,
    FallbackState,
  ],
  {
    error: (iss) =>
      iss.code === 'invalid_union'
        ? `unknown component type, expected one of ${[...LEAF_TYPES, 'fallback'].join(', ')}`
        : undefined,
  },
);

export const DetectorPeriodOption = z.union([z.number().int().min(2), z.null(), z.literal('none')]);

export const DetectorState = z.object({
  detector: DetectorName,
  version: z.literal(DETECTOR_STATE_VERSION),
  /** The `period` option the detector was created with: fixed points, null (detect) or "none". */
  period: DetectorPeriodOption,
  /** Points fed so far, missing ones included. */
  seen: Count,
  components: z.array(ComponentState),
  /** The band-only component, for detectors that have one. */
  band: LeafComponentState.nullable(),
});

export type RollingMedianState = z.infer<typeof RollingMedianState>;
export type EwmaState = z.infer<typeof EwmaState>;
export type RateOfChangeState = z.infer<typeof RateOfChangeState>;
export type LevelShiftState = z.infer<typeof LevelShiftState>;
export type VarianceChangeState = z.infer<typeof VarianceChangeState>;
export type ResidualShiftState = z.infer<typeof ResidualShiftState>;
export type WeeklyState = z.infer<typeof WeeklyState>;
export type ProfileState = z.infer<typeof ProfileState>;
export type SeasonalState = z.infer<typeof SeasonalState>;
export type KMeansState = z.infer<typeof KMeansState>;
export type LeafComponentState = z.infer<typeof LeafComponentState>;
export type FallbackState = z.infer<typeof FallbackState>;
export type ComponentState = z.infer<typeof ComponentState>;
export type DetectorState = z.infer<typeof DetectorState>;

/** The state of component `type`, or a StateError saying which component the snapshot has there instead. */
export function stateOfType<T extends ComponentState['type']>(
  s: ComponentState,
  type: T,
  path: string,
): Extract<ComponentState, { type: T }> {
  if (s.type !== type)
    throw new StateError(`${path}.type`, `is "${s.type}", this detector has a ${type} component here`);
  return s as Extract<ComponentState, { type: T }>;
}
