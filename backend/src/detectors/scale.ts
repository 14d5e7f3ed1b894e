/**
 * Scale floors shared by components. Without a floor a flat series (IQR = 0) would make every tiny
 * change an infinite deviation: "flat series are not always anomalous". The floor is relative to the
 * series' typical magnitude, plus an absolute epsilon for series that sit at zero; and while a series
 * has only ever been integer-valued (counts: requests, errors, tweets), at least QUANTUM_FLOOR units,
 * because a count cannot deviate by less than one unit — "errors went from 0 to 1" is not 1,000 σ.
 * (Chosen on NAB with a split-half check: every floor from 1.5 to 2.5 improves both halves.)
 */
import { z } from 'zod';
import { alphaForHalfLife } from '../stats/windows.js';
import { EwStatsState, dec, enc } from '../snapshots/codec.js';

/** MAD → σ for normally distributed data. */
export const MAD_TO_SIGMA = 1.4826;

export const RELATIVE_FLOOR = 0.01;
export const ABSOLUTE_FLOOR = 1e-9;
export const QUANTUM_FLOOR = 2;
/** Cap on |z| so one division by a near-zero scale cannot swamp calibration statistics. */
export const Z_CAP = 1e6;

export function flooredScale(scale: number, magnitude: number, integral = false): number {
  const relative = RELATIVE_FLOOR * Math.abs(magnitude) + ABSOLUTE_FLOOR;
  const floor = integral && relative < QUANTUM_FLOOR ? QUANTUM_FLOOR : relative;
  return Number.isFinite(scale) && scale > floor ? scale : floor;
}

/** A component's running magnitude (EW mean of |x|) and whether the series has been integer-valued. */
export const MagnitudeState = EwStatsState.extend({ integral: z.boolean() });
export type MagnitudeState = z.infer<typeof MagnitudeState>;

/** Smoothing of Magnitude's mean |x| (half-life 500 points). */
const MAGNITUDE_ALPHA = alphaForHalfLife(500);

/**
 * Long-run typical magnitude of a series, and whether every value so far was an integer. The EW mean
 * and variance of |x| are EwStats' (West's form, the same arithmetic), kept as fields of this object:
 * every component of every stream has one, and an EwStats object of its own cost ~56 bytes more each
 * (issue 15).
 */
export class Magnitude {
  private mean = NaN;
  private variance = 0;
  private n = 0;
  integral = true;
  push(x: number): void {
    const a = Math.abs(x);
    this.n++;
    if (Number.isNaN(this.mean)) {
      this.mean = a;
      this.variance = 0;
    } else {
      const diff = a - this.mean;
      const incr = MAGNITUDE_ALPHA * diff;
      this.mean += incr;
      this.variance = (1 - MAGNITUDE_ALPHA) * (this.variance + diff * incr);
    }
    if (this.integral && !Number.isInteger(x)) this.integral = false;
  }
  get value(): number {
    return Number.isNaN(this.mean) ? 0 : this.mean;
  }
  /** flooredScale with this series' magnitude and integrality. */
  floor(scale: number): number {
    return flooredScale(scale, this.value, this.integral);
  }
  snapshot(): MagnitudeState {
    return { mean: enc(this.mean), variance: enc(this.variance), n: this.n, integral: this.integral };
  }
  restore(s: MagnitudeState): void {
    this.mean = dec(s.mean);
    this.variance = dec(s.variance);
    this.n = s.n;
    this.integral = s.integral;
  }
}

/**
 * z within ±limit (NaN stays NaN, −0 stays −0; limit > 0): a clip of a component's z, or the cap on every
 * z (Z_CAP). Math.min/max, not conditionals: an arm that was the integer limit (1e6, a small integer to
 * V8) made TurboFan box the double arm, a heap number per z (a rate-of-change step allocated ~30 bytes,
 * none with this; issue 15). The same value for every z: both clip to ±limit and pass the rest through.
 */
export function clipZ(z: number, limit = Z_CAP): number {
  return Math.min(Math.max(z, -limit), limit);
}

export function cappedZ(diff: number, scale: number): number {
  return clipZ(diff / scale);
}
