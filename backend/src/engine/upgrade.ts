/**
 * Stream snapshots written before `auto` had its 8th component (detector snapshots of version 5) restore
 * into this build: everything they hold restores as it was, and the new component, with its calibration,
 * starts as a new stream's does. A job's state files then survive the upgrade without a backfill (at
 * 200,000 series that is a quarter of an hour of fetching and scoring); the new test has no opinion until
 * its windows hold an hour of points.
 */
import { DETECTOR_STATE_VERSION } from '../detectors/snapshot.js';
import { parseState } from '../snapshots/codec.js';
import { StreamParams, type StreamSnapshot } from './snapshot.js';

/**
 * The detector snapshot version this module upgrades: a literal, not DETECTOR_STATE_VERSION − 1, so that the
 * next version bump cannot make it read version-6 snapshots as if they had version 5's components.
 */
const UPGRADED_VERSION = 5;

/** The detector snapshot versions this build restores: its own, and the one it upgrades. */
export const READABLE_DETECTOR_VERSIONS: readonly number[] = [UPGRADED_VERSION, DETECTOR_STATE_VERSION];

/** `auto`'s components in version 5, before the slow residual level-shift test. */
const AUTO_COMPONENTS_V5 = 7;
/**
 * The calibrator's per-component arrays (calibration/snapshot.ts, CalibratorState). `shown` came after
 * version 5 (absent there: restored as `range`), but an array of 7 gets the 8th as any other would.
 */
const PER_COMPONENT = ['range', 'shown', 'basis', 'saved', 'delayed'] as const;

type Raw = Record<string, unknown>;
const isRaw = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A version-5 stream snapshot as this build writes it; anything else is returned as it is (restoring then
 * checks it as usual). `fresh` is a new stream's snapshot for the same params, whose new component is taken.
 */
export function upgradeStreamSnapshot(
  snapshot: unknown,
  fresh: (params: StreamParams) => StreamSnapshot,
): unknown {
  if (!isRaw(snapshot) || !isRaw(snapshot.detector)) return snapshot;
  const detector = snapshot.detector;
  if (detector.version !== UPGRADED_VERSION) return snapshot;
  const upgraded: Raw = { ...snapshot, detector: { ...detector, version: DETECTOR_STATE_VERSION } };
  const components = detector.components;
  if (
    detector.detector !== 'auto' ||
    !Array.isArray(components) ||
    components.length !== AUTO_COMPONENTS_V5
  ) {
    // Only `auto` gained a component: every other detector's state means what it meant.
    return upgraded;
  }
  const now = fresh(parseState(StreamParams, snapshot.params, 'params'));
  (upgraded.detector as Raw).components = [
    ...components,
    ...now.detector.components.slice(AUTO_COMPONENTS_V5),
  ];
  if (isRaw(snapshot.calibrator)) {
    const calibrator: Raw = { ...snapshot.calibrator };
    const added = now.calibrator as unknown as Raw;
    for (const key of PER_COMPONENT) {
      const old = calibrator[key];
      const extra = added[key];
      if (Array.isArray(old) && old.length === AUTO_COMPONENTS_V5 && Array.isArray(extra)) {
        calibrator[key] = [...old, ...extra.slice(AUTO_COMPONENTS_V5)];
      }
    }
    upgraded.calibrator = calibrator;
  }
  return upgraded;
}
