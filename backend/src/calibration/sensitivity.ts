/**
 * Sensitivity (0–100, the only knob users see) → the internal boundaries of the score scale.
 *
 * A component's deviation |z| reaches score 1.0 at
 *     boundary = max(zFloor(s), margin · q-quantile of its own recent |z|)
 * so a point must be both far from expected in absolute terms (zFloor, in robust σ) and unusual for
 * this series (above almost everything it did recently). The second term is what keeps heavy-tailed,
 * noisy or quantized series from being "always anomalous" at one global setting.
 *
 *   sensitivity   0 → zFloor 12 σ, quantile 0.9999
 *   sensitivity  50 → zFloor ≈ 4.9 σ, quantile 0.999   (default)
 *   sensitivity 100 → zFloor  2 σ, quantile 0.99
 */
export const DEFAULT_SENSITIVITY = 50;

export interface Boundaries {
  zFloor: number;
  quantile: number;
}

export function boundariesFor(sensitivity: number): Boundaries {
  if (!(sensitivity >= 0 && sensitivity <= 100)) {
    throw new RangeError(`sensitivity must be between 0 and 100, got ${sensitivity}`);
  }
  const s = sensitivity / 100;
  return {
    zFloor: 12 * Math.pow(2 / 12, s),
    quantile: 1 - Math.pow(10, -(4 - 2 * s)),
  };
}
