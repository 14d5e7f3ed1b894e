/**
 * Noise models laid over a noise-free level. Gaussian and heavy-tailed noise are multiplicative
 * (a fixed fraction of the level, as request rates behave); counts are Poisson draws around a
 * seasonal mean, the integers an error or a low-traffic request counter gives.
 */
import type { Random } from './random.js';

export type NoiseModel = 'gaussian' | 'heavy' | 'counts';
export const NOISE_MODELS: readonly NoiseModel[] = ['gaussian', 'heavy', 'counts'];

/** Relative noise: 3 % of the level (the robust σ, i.e. 1.4826 × MAD, for every model below). */
export const NOISE_SIGMA = 0.03;

/** Degrees of freedom of the heavy-tailed noise. */
export const HEAVY_NU = 3;
/**
 * Robust σ of a unit Student-t with ν = 3: median |t₃| (0.7649) / median |z| (0.6745). Heavy-tailed
 * noise is divided by it so its robust σ is 3 % like the Gaussian's (its standard deviation is then
 * ~4.6 %, its tails much longer): the detectors estimate scale robustly, so this is the fair match.
 */
export const T3_ROBUST_SIGMA = 0.7649 / 0.6745;

/** Mean of the count model at the quietest and the busiest point of the week. */
export const COUNT_MEAN = { min: 2, max: 5 } as const;

export interface NoiseInput {
  /** The noise-free level (e.g. from trafficLevel), after any incident's change of level. */
  level: ArrayLike<number>;
  /** Per-point multiplier of the noise's σ (variance bursts); default 1 everywhere. */
  sigmaFactor?: ArrayLike<number>;
}

/** Multiplicative noise: level × (1 + σ·ε), ε standard normal or scaled Student-t; never below 0. */
export function multiplicativeNoise(
  model: 'gaussian' | 'heavy',
  { level, sigmaFactor }: NoiseInput,
  random: Random,
): number[] {
  const out = new Array<number>(level.length);
  for (let i = 0; i < level.length; i++) {
    const e = model === 'gaussian' ? random.normal() : random.studentT(HEAVY_NU) / T3_ROBUST_SIGMA;
    const sigma = NOISE_SIGMA * (sigmaFactor ? sigmaFactor[i] : 1);
    out[i] = Math.max(0, level[i] * (1 + sigma * e));
  }
  return out;
}

/**
 * Poisson counts whose mean follows the seasonal shape of `level`, mapped linearly onto
 * COUNT_MEAN (2 at the weekly trough, 5 at the weekly peak).
 */
export function poissonCounts(level: ArrayLike<number>, random: Random): number[] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < level.length; i++) {
    lo = Math.min(lo, level[i]);
    hi = Math.max(hi, level[i]);
  }
  const span = hi > lo ? hi - lo : 1;
  const out = new Array<number>(level.length);
  for (let i = 0; i < level.length; i++) {
    const mean = COUNT_MEAN.min + ((COUNT_MEAN.max - COUNT_MEAN.min) * (level[i] - lo)) / span;
    out[i] = random.poisson(mean);
  }
  return out;
}
