/**
 * Counter-based (hash) pseudo-randomness: every draw is a pure function of (seed, stream, index), so the
 * simulator can produce the value of any series at any timestamp without replaying a sequence.
 */

const TWO_32 = 4294967296;

function mix(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function finalize(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * 32-bit hash of a seed and any number of finite numbers (MurmurHash3's mixing steps). Numbers are split
 * into two 32-bit words, so epoch-millisecond timestamps hash without collisions.
 */
export function hash32(seed: number, ...parts: number[]): number {
  let h = seed | 0;
  for (const p of parts) {
    const n = Math.round(p);
    h = mix(h, (n % TWO_32) | 0);
    h = mix(h, Math.floor(n / TWO_32) | 0);
  }
  return finalize(h ^ (parts.length * 8));
}

/** Uniform in [0, 1). */
export function uniform(seed: number, ...parts: number[]): number {
  return hash32(seed, ...parts) / TWO_32;
}

/** Standard normal (Box–Muller on two independent uniforms). */
export function gaussian(seed: number, ...parts: number[]): number {
  const u1 = (hash32(seed, ...parts, 1) + 1) / (TWO_32 + 1);
  const u2 = hash32(seed, ...parts, 2) / TWO_32;
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** Deterministic hash of a string, to derive per-series seeds from their names. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
