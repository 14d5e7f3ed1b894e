/**
 * The bench as a function: a plan (what to measure, how big) in, every number out. The CLI command
 * only picks the plan, shows progress and prints; the smoke test runs a tiny plan through here.
 */
import type { DetectorName } from '../../contract/score.js';
import { SCENARIOS } from '../scenarios/catalog.js';
import { randomSeeds, runSuite, type SuiteResult } from '../scenarios/suite.js';
import { measureApiLatency, type ApiOptions, type ApiResult } from './api.js';
import {
  BENCH_NAB_FILES,
  DEFAULT_SYNTHETIC_SEED,
  loadNabSeries,
  syntheticTraffic,
  type BenchSeries,
} from './inputs.js';
import { measureStreamMemory, type MemoryOptions, type MemoryResult } from './memory.js';
import { DEFAULT_PEER, loadAugursMstl, measureAugurs, type PeerRun } from './peers/augurs.js';
import { nowMs, systemInfo, type SystemInfo } from './stats.js';
import { DEFAULT_RETENTION_POINTS } from '../../jobs/config.js';
import {
  ENGINE_PATHS,
  measureEngineThroughput,
  overallPointsPerSec,
  type EnginePath,
  type ThroughputCell,
} from './throughput.js';

export interface BenchPlan {
  mode: 'full' | 'quick' | 'custom';
  /** NAB corpus root, or null to run on the synthetic series only. */
  nabRoot: string | null;
  nabFiles: readonly string[];
  /** Use only the first N points of each NAB file (quick runs). */
  nabLimit: number;
  synthetic: { points: number; stepMs: number; seed: number };
  detectors: readonly DetectorName[];
  /** Timed repetitions per detector, path and series; the median is reported. */
  reps: number;
  warmupPoints: number;
  peer: { budgetMs: number; windowPeriods: number; level: number; maxPoints: number };
  memory: readonly Omit<MemoryOptions, 'stepMs'>[];
  api: Omit<ApiOptions, 'onRequest'> | null;
  /**
   * The labelled scenario suite (src/lab/scenarios): K random seeds (printed, so a run can be repeated)
   * or these seeds, optionally only some scenarios; null to skip.
   */
  scenarios: { seeds: number | readonly number[]; only?: readonly string[] } | null;
}

export const ALL_DETECTORS: readonly DetectorName[] = ['robust', 'seasonal', 'kmeans', 'auto'];

/** The project's targets (see README.md). */
export const TARGETS = { autoPointsPerSec: 100_000, autoOverPeer: 50 } as const;

export const FULL_PLAN: BenchPlan = {
  mode: 'full',
  nabRoot: null,
  nabFiles: BENCH_NAB_FILES,
  nabLimit: Infinity,
  synthetic: { points: 50_000, stepMs: 60_000, seed: DEFAULT_SYNTHETIC_SEED },
  detectors: ALL_DETECTORS,
  reps: 3,
  warmupPoints: 3000,
  peer: { ...DEFAULT_PEER, budgetMs: 8000, maxPoints: Infinity },
  memory: [
    { detector: 'auto', streams: 2000, points: 1000, period: 1440 },
    // A stream still detecting its period (a daily one at a 1-minute step is found at 4,000 points).
    { detector: 'auto', streams: 500, points: 3000, period: 'auto' },
    // A continuous job's slot at the default retention (jobs/config.ts), ring full.
    { detector: 'auto', streams: 500, points: 2880, period: 1440, retention: DEFAULT_RETENTION_POINTS },
  ],
  api: { series: 50, points: 1440, requests: 30, warmup: 3 },
  scenarios: { seeds: 5 },
};

export const QUICK_PLAN: BenchPlan = {
  mode: 'quick',
  nabRoot: null,
  nabFiles: BENCH_NAB_FILES,
  nabLimit: 4000,
  synthetic: { points: 10_000, stepMs: 60_000, seed: DEFAULT_SYNTHETIC_SEED },
  detectors: ALL_DETECTORS,
  reps: 1,
  warmupPoints: 1000,
  peer: { ...DEFAULT_PEER, budgetMs: 1000, maxPoints: Infinity },
  memory: [
    { detector: 'auto', streams: 200, points: 1000, period: 1440 },
    { detector: 'auto', streams: 100, points: 3000, period: 'auto' },
    { detector: 'auto', streams: 100, points: 2880, period: 1440, retention: DEFAULT_RETENTION_POINTS },
  ],
  api: { series: 10, points: 1440, requests: 5, warmup: 1 },
  scenarios: { seeds: 1 },
};

export interface InputSummary {
  name: string;
  source: string;
  points: number;
  stepMs: number;
  period: number;
}

export interface DetectorRatio {
  detector: DetectorName;
  path: EnginePath;
  series: string;
  /** Detector points/s ÷ augurs points/s on the same series. */
  ratio: number;
}

export interface TargetCheck {
  name: string;
  unit: 'points/s' | 'ratio';
  target: number;
  value: number;
  met: boolean;
}

export interface BenchResult {
  schema: 'trafficlens-bench/1';
  mode: BenchPlan['mode'];
  startedAt: string;
  elapsedMs: number;
  system: SystemInfo;
  inputs: InputSummary[];
  throughput: ThroughputCell[];
  overall: { detector: DetectorName; path: EnginePath; pointsPerSec: number }[];
  peer: PeerRun[];
  ratios: DetectorRatio[];
  memory: MemoryResult[];
  api: ApiResult | null;
  /** The scenario suite's figures (scenarios/report.ts prints them), or null when skipped. */
  scenarios: SuiteResult | null;
  targets: TargetCheck[];
}

/** Progress of one phase: start with its step count, tick per step, done with a one-line summary. */
export interface BenchProgress {
  phase(name: string, steps: number): void;
  tick(detail: string): void;
  done(summary: string): void;
}

const silent: BenchProgress = { phase: () => {}, tick: () => {}, done: () => {} };

export async function loadBenchSeries(plan: BenchPlan): Promise<BenchSeries[]> {
  const series: BenchSeries[] = [];
  if (plan.nabRoot) {
    for (const file of plan.nabFiles) series.push(await loadNabSeries(plan.nabRoot, file, plan.nabLimit));
  }
  series.push(syntheticTraffic(plan.synthetic));
  return series;
}

export function checkTargets(
  overall: BenchResult['overall'],
  ratios: readonly DetectorRatio[],
): TargetCheck[] {
  const checks: TargetCheck[] = [];
  for (const path of ENGINE_PATHS) {
    const o = overall.find((x) => x.detector === 'auto' && x.path === path);
    if (!o) continue;
    checks.push({
      name: `auto ${path} points/s (all series)`,
      unit: 'points/s',
      target: TARGETS.autoPointsPerSec,
      value: o.pointsPerSec,
      met: o.pointsPerSec >= TARGETS.autoPointsPerSec,
    });
  }
  const autoRatios = ratios.filter((r) => r.detector === 'auto');
  if (autoRatios.length > 0) {
    const worst = Math.min(...autoRatios.map((r) => r.ratio));
    checks.push({
      name: 'auto ÷ augurs (worst series and path)',
      unit: 'ratio',
      target: TARGETS.autoOverPeer,
      value: worst,
      met: worst >= TARGETS.autoOverPeer,
    });
  }
  return checks;
}

export async function runBench(plan: BenchPlan, progress: BenchProgress = silent): Promise<BenchResult> {
  const started = new Date();
  const t0 = nowMs();
  const series = await loadBenchSeries(plan);

  const paths = ENGINE_PATHS;
  progress.phase('engine throughput', plan.reps * plan.detectors.length * paths.length * series.length);
  const tp0 = nowMs();
  const throughput = measureEngineThroughput(series, {
    detectors: plan.detectors,
    paths,
    reps: plan.reps,
    warmupPoints: plan.warmupPoints,
    onRun: (label) => progress.tick(label),
  });
  const overall = plan.detectors.flatMap((detector) =>
    paths.map((path) => ({ detector, path, pointsPerSec: overallPointsPerSec(throughput, detector, path) })),
  );
  const auto = overall.find((o) => o.detector === 'auto' && o.path === 'stream');
  progress.done(
    `engine throughput: ${throughput.length} cells in ${((nowMs() - tp0) / 1000).toFixed(1)} s` +
      (auto ? `; auto stream ${Math.round(auto.pointsPerSec).toLocaleString('en-US')} points/s` : ''),
  );

  progress.phase('augurs peer', series.length);
  const MSTL = await loadAugursMstl();
  const peer: PeerRun[] = [];
  for (const s of series) {
    const run = measureAugurs(MSTL, s, plan.peer);
    peer.push(run);
    progress.tick(`${s.name}: ${run.scored} points, ${run.pointsPerSec.toFixed(1)} points/s`);
  }
  progress.done(`augurs peer: ${peer.map((p) => `${p.series} ${p.pointsPerSec.toFixed(1)}/s`).join(', ')}`);

  const ratios: DetectorRatio[] = throughput.flatMap((cell) => {
    const p = peer.find((r) => r.series === cell.series);
    return p && p.pointsPerSec > 0
      ? [
          {
            detector: cell.detector,
            path: cell.path,
            series: cell.series,
            ratio: cell.pointsPerSec / p.pointsPerSec,
          },
        ]
      : [];
  });

  progress.phase('stream memory', plan.memory.length);
  const memory: MemoryResult[] = [];
  for (const m of plan.memory) {
    const r = measureStreamMemory(m);
    memory.push(r);
    progress.tick(`${m.detector}: ${Math.round(r.totalBytesPerStream / 1024)} KiB per stream`);
  }
  progress.done(
    `stream memory: ${memory.map((m) => `${m.detector}${m.retention ? ` + ${m.retention}-point ring` : ''} ${Math.round(m.totalBytesPerStream / 1024)} KiB/${m.retention ? 'slot' : 'stream'}`).join(', ')}`,
  );

  let api: ApiResult | null = null;
  if (plan.api) {
    progress.phase('api latency', plan.api.warmup + plan.api.requests);
    api = await measureApiLatency({ ...plan.api, onRequest: (label) => progress.tick(label) });
    progress.done(`api latency: p50 ${api.p50Ms.toFixed(0)} ms, p99 ${api.p99Ms.toFixed(0)} ms`);
  }

  let scenarios: SuiteResult | null = null;
  if (plan.scenarios) {
    const { seeds: k, only } = plan.scenarios;
    const seeds = typeof k === 'number' ? randomSeeds(k) : [...k];
    const list = only ? SCENARIOS.filter((s) => only.includes(s.name)) : SCENARIOS;
    progress.phase('scenario suite', list.length * seeds.length);
    scenarios = await runSuite({
      seeds,
      scenarios: list,
      onRunDone: (_i, _n, label) => progress.tick(label),
    });
    progress.done(
      `scenario suite: ${list.length} scenarios × ${seeds.length} seed${seeds.length === 1 ? '' : 's'} (${seeds.join(',')}) in ${(scenarios.elapsedMs / 1000).toFixed(1)} s`,
    );
  }

  return {
    schema: 'trafficlens-bench/1',
    mode: plan.mode,
    startedAt: started.toISOString(),
    elapsedMs: nowMs() - t0,
    system: systemInfo(),
    inputs: series.map((s) => ({
      name: s.name,
      source: s.source,
      points: s.timestamps.length,
      stepMs: s.stepMs,
      period: s.period,
    })),
    throughput,
    overall,
    peer,
    ratios,
    memory,
    api,
    scenarios,
    targets: checkTargets(overall, ratios),
  };
}
