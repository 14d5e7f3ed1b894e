/**
 * Which replica scores a series: rendezvous (highest-random-weight) hashing on the series identity
 * (job name + its sorted labels). Every replica computes the same owner with no coordination, each
 * series has exactly one owner, and going from N to N+1 replicas moves only the series the new replica
 * wins, about 1/(N+1) of them (consistent hashing without a ring to keep).
 */
import { createHash } from 'node:crypto';
import type { ShardConfig } from '../config/shard.js';
import { seriesKey, type Labels } from '../sources/source.js';

export type { ShardConfig };

/** The identity a series is hashed on: the job and the canonical key of its labels. */
export function seriesIdentity(job: string, labels: Labels): string {
  return `${job}\n${seriesKey(labels)}`;
}

/** murmur3's 32-bit finalizer: a full-avalanche mix (written out: node has no non-crypto hash). */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * The shard (0 ≤ shard < count) that owns the series. One SHA-256 of the identity, then each shard's
 * weight mixed from it and the shard's number: N weights cost one hash, not N.
 */
export function ownerOf(identity: string, count: number): number {
  if (count <= 1) return 0;
  const digest = createHash('sha256').update(identity).digest();
  const a = digest.readUInt32BE(0);
  const b = digest.readUInt32BE(4);
  let best = 0;
  let bestWeight = -1;
  for (let shard = 0; shard < count; shard++) {
    const weight = fmix32(a ^ fmix32(b + Math.imul(shard + 1, 0x9e3779b9)));
    if (weight > bestWeight) {
      bestWeight = weight;
      best = shard;
    }
  }
  return best;
}

/** Whether this replica owns the job's series (no shard: it owns every series). */
export function ownsSeries(shard: ShardConfig | null | undefined, job: string, labels: Labels): boolean {
  return !shard || shard.count <= 1 || ownerOf(seriesIdentity(job, labels), shard.count) === shard.index;
}
