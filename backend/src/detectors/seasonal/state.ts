/**
 * Snapshot schemas of the seasonal component and their types: the weekly correction (WeeklyState), a
 * profile (ProfileState) and the component (SeasonalState).
 */
import { z } from 'zod';
import { Count, EwStatsState, Num, RingState, SortedWindowState } from '../../snapshots/codec.js';
import { ClockWatchState } from '../clockWatch.js';
import { MagnitudeState } from '../scale.js';
import { NoiseState } from './noiseProfile.js';

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
  /** Whether that day's factor was read with none of its bins stored (absent before 2026-12: false). */
  dayUnseen: z.boolean().optional(),
  /**
   * The factor of the last bin mostly learnt outside incidents (WeeklyCorrection.recent), and the current
   * bin's sums of x and of the daily median over such points, and their count (absent before 2026-12: none).
   */
  recent: z.tuple([Num, Num, Num, Count]).optional(),
  /**
   * The first week's mean value per bin (null: no point, or its day already read again in week 2), kept
   * until week 2 has read each day again (WeeklyCorrection.rereadDay; absent: not kept, as in snapshots
   * from before 2026-12).
   */
  firstMeans: z.array(Num).optional(),
  /**
   * Per bin, the own ratio of a first-week bin stored as imputed, until a later week settles it (null: none;
   * WeeklyCorrection.settleImputed; absent: none left, or a snapshot from before 2026-12-08).
   */
  imputed: z.array(Num).optional(),
});
export type WeeklyState = z.infer<typeof WeeklyState>;

/** The seasonal profile: `cycles[phase * seasons + k]`, the last `seasons` values at each phase. */
export const ProfileState = z.object({
  period: z.number().int().min(1),
  cycles: z.array(Num),
  weekly: WeeklyState.nullable(),
  /** The residuals themselves: snapshots from before 2026-12 only (see `steps`). */
  resid: SortedWindowState.optional(),
  offset: EwStatsState,
  error: EwStatsState,
  expected: Num,
  /** The daily median at the last predicted position (what the weekly correction learns against). */
  daily: Num,
  /** Its exponential average over about a weekly bin (absent before 2026-12: none yet). */
  smoothDaily: Num.optional(),
  /** Consecutive incident points back at the phase table's level (absent before 2026-12: 0). */
  returned: Count.optional(),
  /**
   * Point-to-point changes of the residual (the noise scale, Profile.scale), the last residual and whether
   * it was learnt. Absent before 2026-12: rebuilt from `resid`'s consecutive values (one of the two is set).
   */
  steps: SortedWindowState.optional(),
  lastResid: Num.optional(),
  lastLearnt: z.boolean().optional(),
  /** The pattern at the last point whose change was learnt (Profile.scale; absent before 2026-12: none). */
  learntPattern: Num.optional(),
  /** The pattern's level over the noise scale's window (Profile.noiseLag; absent before 2026-12-07: none yet). */
  seenPattern: Num.optional(),
  /** The noise of each part of the day (Profile.scale, NoiseProfile; absent: none, or from before 2026-12-08). */
  noise: NoiseState.optional(),
  /** Phases of the current day with no value stored (gaps; absent before 2026-12: none). */
  skipped: z.array(z.number().int().min(0)).optional(),
  day: z.number().int().optional(),
  /** Whether the weekly correction had seen the last predicted time of the week (absent before 2026-12: true). */
  weekSeen: z.boolean().optional(),
  /**
   * The last accepted level while the table still holds cycles from before it (Profile.acceptLevel): the
   * ratio those cycles were scaled by, the incident's first position, and consecutive points back at the
   * level before it. Absent: none (and in snapshots from before 2026-12).
   */
  accepted: z.tuple([Num, z.number().int(), Count]).optional(),
  /**
   * The position of the table's first cycle and where its seeding from remembered history ended (what
   * alignFirstWeek reads). Absent: unknown (snapshots from before 2026-12), the first week is not aligned.
   */
  seeded: z.tuple([z.number().int(), z.number().int()]).optional(),
  /**
   * The clock watch (Profile.watchClock, ClockWatch): the means and mean squares of z against the table as
   * it is, an hour later and an hour earlier, and its samples since the last move. Absent: none yet (and
   * in snapshots from before 2026-12).
   */
  clock: ClockWatchState.optional(),
});
export type ProfileState = z.infer<typeof ProfileState>;

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
export type SeasonalState = z.infer<typeof SeasonalState>;
