/**
 * Snapshot format of detectors (JSON; numbers encoded as in snapshots/codec.ts): each component's
 * schema lives beside its class (components/, seasonal/state.ts, kmeans.ts); this file unites them.
 *
 * A snapshot holds the whole streaming state, so a detector restored from it scores the following points
 * exactly as the original would have. It also records the configuration the state depends on (window
 * sizes, periods, k-means options): restoring checks it against what this build constructs and says
 * where it differs, rather than mixing two configurations. Bump DETECTOR_STATE_VERSION whenever the
 * meaning of a field changes.
 */
import { z } from 'zod';
import { DetectorName } from '../contract/score.js';
import { Count } from '../snapshots/codec.js';
import {
  FallbackState,
  LEAF_STATES,
  LeafComponentState,
  unknownComponentType,
} from './components/fallback.js';

/**
 * 3: a level shift's delay ring holds the values its base learns (bounded during incidents).
 * 4: seasonal phase tables are Float32 and learn unclipped values; the base profile carries a binned
 *    weekly correction when a full-resolution weekly profile does not fit the history (1-minute steps);
 *    the seasonal component records the series step (detected periods snap to a day or a week).
 * 5: `auto` has a 7th component, the residual level-shift test (residual_shift).
 * 6: `auto` has an 8th, the same test against the level offset 60 points back (a residual_shift with
 *    `back`); version 5 stream snapshots are upgraded on restore (engine/upgrade.ts).
 * 7: `auto` has a 9th, a CUSUM of the seasonal profile's residuals (cusum); version 5 and 6 stream
 *    snapshots are upgraded on restore.
 * 8: `auto` has a 10th, a CUSUM of their spread (spread); version 5, 6 and 7 stream snapshots are
 *    upgraded on restore.
 */
export const DETECTOR_STATE_VERSION = 8;

const COMPONENT_STATES = [...LEAF_STATES, FallbackState] as const;

export const ComponentState = z.discriminatedUnion('type', COMPONENT_STATES, {
  error: unknownComponentType(COMPONENT_STATES.map((s) => s.shape.type.value)),
});
export type ComponentState = z.infer<typeof ComponentState>;

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
export type DetectorState = z.infer<typeof DetectorState>;
