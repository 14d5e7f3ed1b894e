/**
 * Stream snapshots written before `auto` had its 8th, 9th or 10th component (detector snapshots of
 * versions 5, 6 and 7) restore into this build: everything they hold restores as it was, and the new
 * components, with their calibration, start as a new stream's do. A job's state files then survive the
 * upgrade without a backfill (at 200,000 series that is a quarter of an hour of fetching and scoring); the
 * new tests have no opinion until their windows hold an hour of points (the 8th) or the profile has
 * predicted two cycles since the restore (the 9th, components/cusum.ts). The 10th (components/spread.ts)
 * speaks where the 9th does: from the next point where that one was restored with its sums, its
 * calibration range learning from there as a new stream's.
 */
import { DETECTOR_STATE_VERSION } from '../detectors/snapshot.js';
import { parseState } from '../snapshots/codec.js';
import { StreamParams, type StreamSnapshot } from './snapshot.js';

/**
 * The detector snapshot versions this module upgrades, and `auto`'s components in each: literals, not
 * DETECTOR_STATE_VERSION − 1, so that a version bump cannot make it read newer snapshots as older ones.
 * 5: before the slow residual level-shift test; 6: before the CUSUM; 7: before the spread test.
 */
const AUTO_COMPONENTS_BY_VERSION: ReadonlyMap<number, number> = new Map([
  [5, 7],
  [6, 8],
  [7, 9],
]);

/** The detector snapshot versions this build restores: the ones it upgrades, and its own. */
export const READABLE_DETECTOR_VERSIONS: readonly number[] = [
  ...AUTO_COMPONENTS_BY_VERSION.keys(),
  DETECTOR_STATE_VERSION,
];

/**
 * The calibrator's per-component arrays (calibration/snapshot.ts, CalibratorState). `shown` came after
 * version 5 (absent there: restored as `range`), but an array of 7 gets the rest as any other would.
 */
const PER_COMPONENT = ['range', 'shown', 'basis', 'saved', 'delayed'] as const;

type Raw = Record<string, unknown>;
const isRaw = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A version-5, -6 or -7 stream snapshot as this build writes it; anything else is returned as it is (restoring
 * then checks it as usual). `fresh` is a new stream's snapshot for the same params, whose new components
 * are taken.
 */
export function upgradeStreamSnapshot(
  snapshot: unknown,
  fresh: (params: StreamParams) => StreamSnapshot,
): unknown {
  if (!isRaw(snapshot) || !isRaw(snapshot.detector)) return snapshot;
  const detector = snapshot.detector;
  const had =
    typeof detector.version === 'number' ? AUTO_COMPONENTS_BY_VERSION.get(detector.version) : undefined;
  if (had === undefined) return snapshot;
  const upgraded: Raw = { ...snapshot, detector: { ...detector, version: DETECTOR_STATE_VERSION } };
  const components = detector.components;
  if (detector.detector !== 'auto' || !Array.isArray(components) || components.length !== had) {
    // Only `auto` gained components: every other detector's state means what it meant.
    return upgraded;
  }
  const now = fresh(parseState(StreamParams, snapshot.params, 'params'));
  (upgraded.detector as Raw).components = [...components, ...now.detector.components.slice(had)];
  if (isRaw(snapshot.calibrator)) {
    const calibrator: Raw = { ...snapshot.calibrator };
    const added = now.calibrator as unknown as Raw;
    for (const key of PER_COMPONENT) {
      const old = calibrator[key];
      const extra = added[key];
      if (Array.isArray(old) && old.length === had && Array.isArray(extra)) {
        calibrator[key] = [...old, ...extra.slice(had)];
      }
    }
    upgraded.calibrator = calibrator;
  }
  return upgraded;
}
