/**
 * Causal throughput of the engine's detectors, through the two paths production uses: a live stream
 * fed point by point (continuous jobs) and a causal batch request (scoreSeries with causal: true).
 * Runs are interleaved (rep 1 of every detector and series, then rep 2, …) so a burst of load from
 * another process on a shared machine spreads over all cells instead of spoiling one.
 */
import type { DetectorName } from '../../contract/score.js';
import { createStream, scoreSeries } from '../../engine/index.js';
import type { BenchSeries } from './inputs.js';
import { median, nowMs } from './stats.js';

export type EnginePath = 'stream' | 'batch';
export const ENGINE_PATHS: readonly EnginePath[] = ['stream', 'batch'];

export interface RunTiming {
  ms: number;
  /** Points the detector called anomalous: proof the run did real work, and a sanity check. */
  anomalies: number;
}

/** The continuous-jobs path: one createStream, one push per point. */
export function runStream(detector: DetectorName, s: BenchSeries, limit = s.timestamps.length): RunTiming {
  const { timestamps, values } = s;
  const t0 = nowMs();
  // With the series' step, as a continuous job passes its scrape step (a detected day snaps to 1,440 points).
  const step = timestamps.length > 1 ? timestamps[1] - timestamps[0] : 0;
  const stream = createStream(step > 0 ? { detector, stepMs: step } : { detector });
  let anomalies = 0;
  for (let i = 0; i < limit; i++) {
    const p = stream.push(timestamps[i], values[i]);
    if (p?.anomaly) anomalies++;
  }
  return { ms: nowMs() - t0, anomalies };
}

/** The batch path with causal scoring (cleaning, scoring, episodes and the contract's arrays). */
export function runBatch(detector: DetectorName, s: BenchSeries, limit = s.timestamps.length): RunTiming {
  const input =
    limit === s.timestamps.length
      ? { timestamps: s.timestamps, values: s.values }
      : { timestamps: s.timestamps.slice(0, limit), values: s.values.slice(0, limit) };
  const t0 = nowMs();
  const result = scoreSeries(input, { detector, options: { causal: true } });
  const ms = nowMs() - t0;
  let anomalies = 0;
  for (const a of result.anomaly) if (a) anomalies++;
  return { ms, anomalies };
}

export interface ThroughputCell {
  detector: DetectorName;
  path: EnginePath;
  series: string;
  points: number;
  /** Median over the repetitions. */
  ms: number;
  pointsPerSec: number;
  anomalies: number;
  runsMs: number[];
}

export interface ThroughputOptions {
  detectors: readonly DetectorName[];
  paths?: readonly EnginePath[];
  reps: number;
  /** Points of each series scored once per detector and path before timing, so the JIT has settled. */
  warmupPoints?: number;
  onRun?: (label: string) => void;
}

export function measureEngineThroughput(
  series: readonly BenchSeries[],
  { detectors, paths = ENGINE_PATHS, reps, warmupPoints = 3000, onRun }: ThroughputOptions,
): ThroughputCell[] {
  const run = (path: EnginePath) => (path === 'stream' ? runStream : runBatch);
  for (const detector of detectors) {
    for (const path of paths) {
      for (const s of series) run(path)(detector, s, Math.min(warmupPoints, s.timestamps.length));
    }
  }
  const runs = new Map<string, RunTiming[]>();
  const key = (d: string, p: string, s: string) => `${d}\u0000${p}\u0000${s}`;
  for (let rep = 0; rep < reps; rep++) {
    for (const detector of detectors) {
      for (const path of paths) {
        for (const s of series) {
          const timing = run(path)(detector, s);
          const k = key(detector, path, s.name);
          runs.set(k, [...(runs.get(k) ?? []), timing]);
          onRun?.(`${detector}/${path} ${s.name} (rep ${rep + 1}/${reps})`);
        }
      }
    }
  }
  const cells: ThroughputCell[] = [];
  for (const detector of detectors) {
    for (const path of paths) {
      for (const s of series) {
        const timings = runs.get(key(detector, path, s.name)) ?? [];
        const ms = median(timings.map((t) => t.ms));
        cells.push({
          detector,
          path,
          series: s.name,
          points: s.timestamps.length,
          ms,
          pointsPerSec: s.timestamps.length / (ms / 1000),
          anomalies: timings[0]?.anomalies ?? 0,
          runsMs: timings.map((t) => t.ms),
        });
      }
    }
  }
  return cells;
}

/** Points per second over all series together (total points / total median time). */
export function overallPointsPerSec(
  cells: readonly ThroughputCell[],
  detector: string,
  path: EnginePath,
): number {
  const mine = cells.filter((c) => c.detector === detector && c.path === path);
  const points = mine.reduce((a, c) => a + c.points, 0);
  const ms = mine.reduce((a, c) => a + c.ms, 0);
  return points / (ms / 1000);
}
