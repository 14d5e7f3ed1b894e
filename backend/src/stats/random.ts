/**
 * Seeded randomness, for what must come out the same on every run and machine: bench and scenario inputs
 * (mulberry32), the order a model trains its windows in (a permutation). Hand-written: no runtime
 * dependency of the backend gives seeded numbers (seedrandom is in node_modules only as one of tfjs).
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * 0 … n − 1 in a seeded random order: Fisher–Yates driven by a Park–Miller generator (the order the pooled
 * classifier's published cross-training figures were trained in, lab/evaluation/pooled.ts).
 */
export function seededPermutation(n: number, seed: number): Uint32Array {
  const p = Uint32Array.from({ length: n }, (_, i) => i);
  let s = seed % 2147483647 || 1;
  for (let i = n - 1; i > 0; i--) {
    s = (s * 16807) % 2147483647;
    const j = s % (i + 1);
    [p[i], p[j]] = [p[j], p[i]];
  }
  return p;
}
