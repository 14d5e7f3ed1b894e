/** Small statistics and timing helpers for the bench (no dependencies, so the smoke test can use them). */
import { cpus, availableParallelism, arch, platform, totalmem } from 'node:os';

/** Nearest-rank percentile (p in 0–100) of unsorted samples; with 30 samples p99 is the maximum. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export { median } from '../../stats/median.js';

export function mean(samples: readonly number[]): number {
  return samples.length === 0 ? NaN : samples.reduce((a, b) => a + b, 0) / samples.length;
}

/** Milliseconds since an arbitrary origin, sub-millisecond resolution. */
export const nowMs = (): number => performance.now();

export interface SystemInfo {
  node: string;
  v8: string;
  cpu: string;
  cores: number;
  /** What Node reports as usable in parallel (cgroup/affinity aware); the service sizes its pool on it. */
  availableParallelism: number;
  platform: string;
  arch: string;
  totalMemoryBytes: number;
}

export function systemInfo(): SystemInfo {
  const list = cpus();
  return {
    node: process.version,
    v8: process.versions.v8,
    cpu: list[0]?.model.trim() || 'unknown',
    cores: list.length,
    availableParallelism: availableParallelism(),
    platform: platform(),
    arch: arch(),
    totalMemoryBytes: totalmem(),
  };
}

/** Bench inputs must be identical across runs and commits: the seeded generator of stats/random.ts. */
export { seededRandom } from '../../stats/random.js';

/** Standard normal deviate from a uniform source (Box–Muller). */
export function gaussian(random: () => number): number {
  const u = Math.max(random(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}
