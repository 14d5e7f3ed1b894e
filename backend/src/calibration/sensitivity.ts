/**
 * Sensitivity (0–100, the only knob users see) → the boundary of the score scale.
 *
 * A component's deviation |z| (in robust σ) reaches score 1.0 at
 *     boundary = multiplier(s) · max(Z_FLOOR, recent normal range of |z|)
 * so a point must be both far from expected in absolute terms and beyond what this series has done
 * lately (see calibrator.ts). The multiplier is log-linear in the sensitivity:
 *
 *   sensitivity   0 → × 2.86  (≥ 8.6 σ)
 *   sensitivity  50 → × 1.19  (≥ 3.6 σ; default — where NAB's standard profile is best, see README)
 *   sensitivity 100 → × 0.50  (≥ 1.5 σ)
 */
export const DEFAULT_SENSITIVITY = 50;

/** Smallest |z| (robust σ) that can count as the normal range's edge. */
export const Z_FLOOR = 3;
const MULTIPLIER_AT_50 = 1.19;
const RANGE = 2.4;

export function multiplierFor(sensitivity: number): number {
  if (!(sensitivity >= 0 && sensitivity <= 100)) {
    throw new RangeError(`sensitivity must be between 0 and 100, got ${sensitivity}`);
  }
  return MULTIPLIER_AT_50 * Math.pow(RANGE, (50 - sensitivity) / 50);
}
