/**
 * State memory of live streams: what a continuous job holds per series. Many streams are created
 * and fed past warm-up; the heap is measured after full GCs with them alive and again after
 * dropping them, and the difference is divided by the stream count.
 *
 * Typed arrays larger than 64 bytes keep their contents outside the V8 heap (ArrayBuffer backing
 * stores), and the detectors' windows are Float64Arrays, so `heapUsed` alone would miss most of a
 * stream. Both deltas are reported: heapUsed (objects) and arrayBuffers (window contents).
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import type { DetectorName } from '../../contract/score.js';
import { createStream, type ScoringStream } from '../../engine/index.js';
import { PointRing } from '../../jobs/ring.js';
import { syntheticTraffic } from './inputs.js';

export interface GcHandle {
  gc: () => void;
  /** How gc was obtained, for the report. */
  how: 'global.gc (--expose-gc)' | 'v8.setFlagsFromString + vm.runInNewContext';
}

/**
 * A full-GC function without re-spawning the process: the flag is turned on at run time and a fresh
 * context, created after that, gets `gc` as a global. The bench then measures the very process
 * that ran the throughput numbers. (`node --expose-gc` works too and is used when present.)
 */
export function obtainGc(): GcHandle {
  const existing = (globalThis as { gc?: unknown }).gc;
  if (typeof existing === 'function') return { gc: existing as () => void, how: 'global.gc (--expose-gc)' };
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as unknown;
  if (typeof gc !== 'function') throw new Error('could not obtain gc() through --expose-gc');
  return { gc: gc as () => void, how: 'v8.setFlagsFromString + vm.runInNewContext' };
}

export interface MemoryOptions {
  detector: DetectorName;
  streams: number;
  /** Points fed to each stream (must pass the detector's warm-up and fill its windows). */
  points: number;
  /** Fixed season length, as `options.period`; see README for why the bench fixes it. */
  period?: number | 'auto';
  stepMs?: number;
  /**
   * Also keep each stream's results in a job's retention ring (jobs/ring.ts) of this many points: the
   * measure is then a continuous job's slot, stream plus retained points (labels and episode
   * bookkeeping, a few hundred bytes, not included). Feed at least this many points to fill it.
   */
  retention?: number;
}

export interface MemoryResult {
  detector: DetectorName;
  streams: number;
  pointsPerStream: number;
  period: number | 'auto';
  /** Points retained per stream (a job slot), or 0: the stream alone. */
  retention: number;
  /** State of the last stream after feeding (must be 'ok': past warm-up). */
  state: string;
  heapBytesPerStream: number;
  arrayBufferBytesPerStream: number;
  totalBytesPerStream: number;
  gc: GcHandle['how'];
}

/**
 * Full GCs until the heap stops shrinking. Two were not enough in CI: V8 flushes the bytecode of
 * functions left unused for a few major GCs, so code compiled by earlier bench phases (and by jest)
 * was freed between baseline and measurement, and the per-stream delta came out negative.
 */
export function settle(gc: () => void): NodeJS.MemoryUsage {
  let last = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 12; round++) {
    gc();
    const used = process.memoryUsage().heapUsed;
    if (last - used < 16 * 1024) break;
    last = used;
  }
  return process.memoryUsage();
}

export function measureStreamMemory({
  detector,
  streams,
  points,
  period = 'auto',
  stepMs = 60_000,
  retention = 0,
}: MemoryOptions): MemoryResult {
  const { gc, how } = obtainGc();
  // Input shared by every stream (each starts at a different offset), allocated before the baseline.
  const input = syntheticTraffic({ points: points + streams, stepMs });
  const params = { detector, options: { period } };
  const feed = (stream: ScoringStream, offset: number, ring: PointRing | null = null) => {
    for (let i = 0; i < points; i++) {
      const p = stream.push(input.timestamps[i], input.values[(i + offset) % input.values.length]);
      if (p) ring?.push(p);
    }
  };
  // Compile the push path before the baseline, so JIT code is not counted as stream state.
  for (let k = 0; k < 3; k++) feed(createStream(params), k, retention ? new PointRing(retention) : null);

  // Measured as what dropping the streams frees, between two settled heaps: background shrinkage
  // before the streams exist (flushed code, earlier phases' garbage) cannot enter the difference.
  settle(gc);
  let live: ScoringStream[] = new Array(streams);
  let rings: PointRing[] = [];
  for (let s = 0; s < streams; s++) {
    live[s] = createStream(params);
    const ring = retention ? new PointRing(retention) : null;
    if (ring) rings.push(ring);
    feed(live[s], s, ring);
  }
  const withStreams = settle(gc);
  const state = live[streams - 1]?.state() ?? 'no_data';
  const count = live.length;
  live = [];
  rings = [];
  const without = settle(gc);

  const heap = (withStreams.heapUsed - without.heapUsed) / count;
  const buffers = (withStreams.arrayBuffers - without.arrayBuffers) / count;
  return {
    detector,
    streams: count,
    pointsPerStream: points,
    period,
    retention,
    state,
    heapBytesPerStream: heap,
    arrayBufferBytesPerStream: buffers,
    totalBytesPerStream: heap + buffers,
    gc: how,
  };
}
