/**
 * Snapshot format of a scoring stream (`ScoringStream.snapshot()` / `restoreStream()`): everything a
 * continuous job needs to stop and resume a series with bit-identical scores. It is plain JSON; numbers
 * of the streaming state are encoded (NaN → null, ±Infinity → "Infinity"/"-Infinity", −0 → "-0"; see
 * snapshots/codec.ts). Example: a robust stream after 60 one-minute points, the last one missing
 * (windows abridged to their first values):
 *
 *     { "version": 2,
 *       "params": { "detector": "robust", "sensitivity": 50, "direction": "both", "period": null,
 *                   "minEpisodePoints": 1, "counter": false },
 *       "lastTimestamp": 1700003540000, "counter": null, "valid": 59, "lastValue": 1374,
 *       "detector": { "detector": "robust", "version": 1, "period": null, "seen": 60, "band": null,
 *         "components": [
 *           { "type": "rolling_median", "window": 100,
 *             "win": { "size": 100, "head": 59, "values": [1000, 1070, 1043, …] },
 *             "mag": { "mean": 1020.1358737031069, "variance": 5779.658771356065, "n": 59 } },
 *           { "type": "ewma", "halfLife": 5, "mean": 1382.8584232903634, "variance": 1881.5139381562637,
 *             "n": 59, "mag": { … } },
 *           { "type": "rate_of_change", "window": 200, "prev": 1374, "win": { … }, "mag": { … } },
 *           { "type": "level_shift", "recent": 10, "window": 300, "recentWin": { … }, "delay": { … },
 *             "base": { … }, "mag": { … } } ] },
 *       "calibrator": { "range": [2.4085994953232213, 2.092529896086172, 9.540159021053618, 2.051245186322098] },
 *       "episodes": { "open": null, "closed": [] } }
 *
 * Bump STREAM_SNAPSHOT_VERSION when the meaning of a field changes (and DETECTOR_STATE_VERSION for the
 * detector part).
 */
import { z } from 'zod';
import { DetectorName } from '../contract/score.js';
import { isTimeZone } from '../contract/timezone.js';
import { Sensitivity } from '../contract/sensitivity.js';
import { Count, Num } from '../snapshots/codec.js';
import { DetectorPeriodOption, DetectorState } from '../detectors/snapshot.js';
import { CalibratorState, EpisodeBuilderState, GateState, OutageState } from '../calibration/snapshot.js';
import { CounterRateState } from '../series/counter.js';

/** 2: score and learn are separate steps (the learning gate's state, acceptNewLevelAfter). */
export const STREAM_SNAPSHOT_VERSION = 2;

/** The resolved scoring parameters of the stream (what `createStream` made of its ScoreParams). */
export const StreamParams = z.object({
  detector: DetectorName,
  sensitivity: Sensitivity,
  direction: z.enum(['both', 'up', 'down']),
  period: DetectorPeriodOption,
  minEpisodePoints: z.number().int().min(1),
  /** Ms an incident lasts before its level is learnt as normal (null: never). */
  acceptNewLevelAfter: z.number().int().min(0).nullable(),
  /** Whether pushed values are counter readings (scored as their rate). */
  counter: z.boolean(),
  /** The stream's scheduleOffset (ScoreParams); absent: 0. */
  scheduleOffset: z.number().int().min(0).optional(),
  /** The local clock the series keeps (ScoreOptions.timezone); absent: none. */
  timezone: z.string().refine(isTimeZone, 'is not a time zone this build knows').optional(),
});
export type StreamParams = z.infer<typeof StreamParams>;

export const StreamSnapshot = z.object({
  version: z.literal(STREAM_SNAPSHOT_VERSION),
  params: StreamParams,
  /** Timestamp of the last accepted point (-Infinity before any): older ones are still ignored. */
  lastTimestamp: Num,
  /** Counter-rate state, when `params.counter`. */
  counter: CounterRateState.nullable(),
  /** Non-missing points scored so far (the learning state), and the last of them. */
  valid: Count,
  lastValue: Num,
  /** A negative value was seen, so the band is no longer clamped at 0 (absent before: treated as true). */
  negativeSeen: z.boolean().optional(),
  /** The first valid point's timestamp (calibration/youth.ts); absent before 2026-12: the series is grown. */
  firstTimestamp: Num.optional(),
  detector: DetectorState,
  calibrator: CalibratorState,
  gate: GateState,
  /** The outage rule (calibration/outage.ts); absent before 2026-12: drops widen the range as before. */
  outage: OutageState.optional(),
  episodes: EpisodeBuilderState,
  /** With params.timezone: the local clock's offset from UTC at the last point, ms (null before a point). */
  utcOffset: Num.optional(),
});
export type StreamSnapshot = z.infer<typeof StreamSnapshot>;
