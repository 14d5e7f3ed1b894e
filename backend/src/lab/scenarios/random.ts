/**
 * Seeded randomness for the scenario generators: uniform, Gaussian, Student-t and Poisson draws.
 *
 * Hand-written on purpose. No runtime dependency of the backend provides seeded draws from these
 * distributions (seedrandom and pure-rand are in node_modules only as dependencies of tfjs and of the
 * test tools, and give uniform numbers only), and a scenario must be exactly the same series for a
 * given seed on every machine and commit. The uniform source is the mulberry32 generator the bench
 * inputs already use (bench/stats.ts), Gaussians come from Box–Muller, Student-t from its definition
 * Z / sqrt(χ²_ν / ν), and Poisson counts from Knuth's product method (fine for the small means here).
 */
import { gaussian, seededRandom } from '../bench/stats.js';

export interface Random {
  /** Uniform in [0, 1). */
  uniform(): number;
  /** Integer uniform in [lo, hi] (inclusive). */
  int(lo: number, hi: number): number;
  /** Standard normal. */
  normal(): number;
  /** Student-t with `nu` (a positive integer) degrees of freedom, unscaled. */
  studentT(nu: number): number;
  /** Poisson count with the given mean (≥ 0). */
  poisson(mean: number): number;
}

export function createRandom(seed: number): Random {
  const u = seededRandom(seed);
  const normal = () => gaussian(u);
  return {
    uniform: u,
    int: (lo, hi) => lo + Math.floor(u() * (hi - lo + 1)),
    normal,
    studentT(nu) {
      let chi2 = 0;
      for (let k = 0; k < nu; k++) chi2 += normal() ** 2;
      return normal() / Math.sqrt(chi2 / nu);
    },
    poisson(mean) {
      if (!(mean > 0)) return 0;
      // Knuth: count uniforms until their product drops below e^-mean. Means here are ≤ ~25.
      const limit = Math.exp(-mean);
      let k = 0;
      let p = u();
      while (p > limit) {
        k++;
        p *= u();
      }
      return k;
    },
  };
}

/**
 * A seed derived from another and a label, so independent parts of one scenario (where the incident
 * goes, the noise) draw from separate streams: changing one never shifts the other.
 */
export function subSeed(seed: number, label: string): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}
