/**
 * Scale floors shared by components. Without a floor a flat series (IQR = 0) would make every tiny
 * change an infinite deviation: "flat series are not always anomalous". The floor is relative to the
 * series' typical magnitude, plus an absolute epsilon for series that sit at zero.
 */
export const RELATIVE_FLOOR = 0.01;
export const ABSOLUTE_FLOOR = 1e-9;
/** Cap on |z| so one division by a near-zero scale cannot swamp calibration statistics. */
export const Z_CAP = 1e6;

export function flooredScale(scale: number, magnitude: number): number {
  const floor = RELATIVE_FLOOR * Math.abs(magnitude) + ABSOLUTE_FLOOR;
  return Number.isFinite(scale) && scale > floor ? scale : floor;
}

export function cappedZ(diff: number, scale: number): number {
  const z = diff / scale;
  return z > Z_CAP ? Z_CAP : z < -Z_CAP ? -Z_CAP : z;
}
