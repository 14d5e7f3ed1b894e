/**
 * Which share of the series this replica scores: `--shard i/N` / TRAFFICLENS_SHARD=i/N, or on
 * Kubernetes the StatefulSet ordinal of the pod name (`trafficlens-2` → shard 2) with
 * TRAFFICLENS_SHARDS=N. Parsing only; the series → shard assignment is jobs/shard.ts.
 */
export interface ShardConfig {
  /** 0-based. */
  index: number;
  count: number;
}

/** Largest replica count accepted: far above any real deployment, low enough to catch typos. */
export const MAX_SHARDS = 1024;

/** `i/N` with 0 ≤ i < N ≤ MAX_SHARDS, or an error message. */
export function parseShard(text: string): ShardConfig | string {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!m)
    return `expected i/N (this replica's 0-based index / the number of replicas), got ${JSON.stringify(text)}`;
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || count > MAX_SHARDS) return `the number of shards must be 1 to ${MAX_SHARDS}, got ${count}`;
  if (index >= count) return `the index must be below the number of shards (0 to ${count - 1}), got ${index}`;
  return { index, count };
}

/** The ordinal of a StatefulSet pod name (`name-<ordinal>`), or an error message. */
export function shardFromPodName(podName: string, count: number): ShardConfig | string {
  const m = /-(\d+)$/.exec(podName.trim());
  if (!m) return `pod name ${JSON.stringify(podName)} does not end in -<ordinal> (a StatefulSet pod)`;
  return parseShard(`${m[1]}/${count}`);
}
