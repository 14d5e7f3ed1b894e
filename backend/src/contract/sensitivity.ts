/**
 * Sensitivity (0–100, the only knob users see): the zod schema that parses it once, and what it does to
 * the boundary of the score scale.
 *
 * A component's deviation |z| (in robust σ) reaches score 1.0 at
 *     boundary = multiplier(s) · max(Z_FLOOR, recent normal range of |z|)
 * so a point must be both far from expected in absolute terms and beyond what this series has done
 * lately (see calibrator.ts). The multiplier is log-linear in the sensitivity:
 *
 *   sensitivity   0 → × 3.60  (≥ 10.8 σ)
 *   sensitivity  50 → × 1.50  (≥ 4.5 σ; default — ≤ 0.1 false episodes a day on clean series, see README)
 *   sensitivity 100 → × 0.625 (≥ 1.9 σ)
 */
import { z } from 'zod';
import { SENSITIVITY_SCALE } from './sensitivityScale.js';

const { min, max } = SENSITIVITY_SCALE;

/**
 * A sensitivity checked against its scale. The brand makes the functions below (and the engine's
 * resolved parameters) take only a parsed one: a plain number must go through this schema or
 * parseSensitivity first, so nothing checks the range again.
 */
export const Sensitivity = z
  .number()
  .min(min)
  .max(max)
  .brand<'Sensitivity'>()
  .describe(
    `${min} (only the most extreme deviations) … ${max} (flag small deviations); default ${SENSITIVITY_SCALE.default}`,
  );
export type Sensitivity = z.infer<typeof Sensitivity>;

/** A sensitivity from a caller that did not parse it (the engine's entry): RangeError when off the scale. */
export function parseSensitivity(value: number): Sensitivity {
  const parsed = Sensitivity.safeParse(value);
  if (!parsed.success) {
    throw new RangeError(`sensitivity must be between ${min} and ${max}, got ${value}`);
  }
  return parsed.data;
}

export const DEFAULT_SENSITIVITY: Sensitivity = parseSensitivity(SENSITIVITY_SCALE.default);

/** Smallest |z| (robust σ) that can count as the normal range's edge. */
export const Z_FLOOR = 3;
/**
 * 1.5: the false-alarm target on clean series (≤ 0.1 false episodes per series per day on Gaussian and
 * Poisson-count noise; scenario suite, 5 README seeds: 0.10 / 0.06 at × 1.5 against 1.00 / 0.69 at
 * × 1.19; README, "Sensitivity").
 */
const MULTIPLIER_AT_50 = 1.5;
/**
 * The multiplier every learning decision uses whatever the sensitivity (Calibrator.multiplier): the
 * former default, where NAB's standard profile was best. Another sensitivity only widens or narrows the
 * band (BandInput.widen), so a series learns the same at every sensitivity and rescoring at another one
 * needs no relearning. NAB scores at this scale (it picks its own threshold), so the default
 * sensitivity does not change NAB.
 */
export const LEARNING_MULTIPLIER = 1.19;
const RANGE = 2.4;

export function multiplierFor(sensitivity: Sensitivity): number {
  return MULTIPLIER_AT_50 * Math.pow(RANGE, (50 - sensitivity) / 50);
}

/**
 * The sensitivity's factor on the band's half-widths: the band is built at LEARNING_MULTIPLIER, then
 * widened by this, so a score ÷ this is the score shown and a shown score × this the learning-scale one
 * (on a heavy-tailed series an isolated point's band is widened further by the tail, tail.ts; the scorer
 * keeps its learning-scale score, SeriesScorer.learningScore).
 */
export function widenFor(sensitivity: Sensitivity): number {
  return multiplierFor(sensitivity) / LEARNING_MULTIPLIER;
}

/**
 * Target per-point rate at which a normal point of a heavy-tailed series may open an episode on its own
 * (tail.ts: the isolated point must also exceed the tail's quantile at this rate). Log-linear, a decade
 * per 25 points of sensitivity: 10⁻⁸ at 0, 10⁻⁶ at 50, 10⁻⁴ at 100. The extrapolated power law
 * under-estimates the far tail of the calibrated score (the running maximum it is divided by moves with
 * it), so the rate asked for is not the rate measured: at 10⁻⁶ the heavy-tailed scenario still has
 * 0.08–0.11 false episodes a day at a 1-minute step (~6·10⁻⁵ a point), most of them in a series' first
 * day, before its tail is known. 10⁻⁵ → 10⁻⁶ (display only, NAB identical; README, "Sensitivity"):
 * clean_heavy_tailed 0.13 → 0.09 / 0.14 → 0.11 / 0.12 → 0.10 / 0.11 → 0.08 false episodes a day on
 * seeds 1–8 / the 5 README seeds / 101–108 / 9–16, clean_counts 0.04 → 0.03 on the README seeds, every
 * other row identical on all four (3·10⁻⁶: 0.10 / 0.13 / 0.10 / 0.08).
 */
const TAIL_RATE_AT_50 = 1e-6;

export function tailRateFor(sensitivity: Sensitivity): number {
  return TAIL_RATE_AT_50 * Math.pow(10, (sensitivity - 50) / 25);
}
