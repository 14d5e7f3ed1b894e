/**
 * Runs scenarios through the engine's public batch entry point, causally, and aggregates the
 * figures over seeds. The engine is reached only through engine/index.ts.
 */
import { DEFAULT_SENSITIVITY } from '../../contract/sensitivity.js';
import { randomInt } from 'node:crypto';
import type { DetectorName } from '../../contract/score.js';
import { scoreSeries, type ScoreParams } from '../../engine/index.js';
import { SCENARIOS, type Scenario, type ScenarioKind, type ScenarioSeries } from './catalog.js';
import { measure, type ScenarioMetrics, type ScoredSeries } from './measure.js';

export interface SuiteParams {
  detector?: DetectorName;
  sensitivity?: number;
}

/** What scores a generated series; the engine by default, something else in the guard's own tests. */
export type Scorer = (series: ScenarioSeries, params: SuiteParams) => ScoredSeries;

export const engineScorer: Scorer = (series, params) => {
  const timezone = series.timezone ? { timezone: series.timezone } : {};
  const p: ScoreParams = { ...params, options: { causal: true, ...timezone } };
  const r = scoreSeries({ timestamps: series.timestamps, values: series.values }, p);
  return { ...r, learningPoints: r.model.learningPoints };
};

export interface ScenarioRun {
  scenario: string;
  seed: number;
  metrics: ScenarioMetrics;
  elapsedMs: number;
}

export function runScenario(
  scenario: Scenario,
  seed: number,
  params: SuiteParams = {},
  scorer: Scorer = engineScorer,
): ScenarioRun {
  const t0 = performance.now();
  const series = scenario.generate(seed);
  const scored = scorer(series, params);
  const twin = scenario.twin?.(seed);
  const metrics = measure(scored, series, {}, twin ? scorer(twin, params) : undefined);
  return { scenario: scenario.name, seed, metrics, elapsedMs: performance.now() - t0 };
}

/** mean, min and max of the non-null values; null when there are none. */
export interface Stat {
  mean: number;
  min: number;
  max: number;
}

export interface ScenarioAggregate {
  scenario: string;
  description: string;
  kind: ScenarioKind;
  seeds: number;
  incidents: number;
  detected: Stat | null;
  onsetDelay: Stat | null;
  coverage: Stat | null;
  afterEnd: Stat | null;
  bandTwin: Stat | null;
  falsePerDay: Stat | null;
  falseMinutesPerDay: Stat | null;
  lastFirstRatio: Stat | null;
  recurrences: number;
  flaggedRecurrences: Stat | null;
}

export interface SuiteResult {
  seeds: number[];
  params: Required<SuiteParams>;
  runs: ScenarioRun[];
  scenarios: ScenarioAggregate[];
  elapsedMs: number;
}

export function stat(values: readonly (number | null)[]): Stat | null {
  const xs = values.filter((x): x is number => x !== null && Number.isFinite(x));
  if (xs.length === 0) return null;
  return { mean: xs.reduce((a, b) => a + b, 0) / xs.length, min: Math.min(...xs), max: Math.max(...xs) };
}

export function aggregate(scenario: Scenario, runs: readonly ScenarioRun[]): ScenarioAggregate {
  const m = runs.map((r) => r.metrics);
  const incidents = m[0]?.incidents ?? 0;
  const recurrences = m[0]?.recurrences ?? 0;
  return {
    scenario: scenario.name,
    description: scenario.description,
    kind: scenario.kind,
    seeds: runs.length,
    incidents,
    detected: incidents > 0 ? stat(m.map((x) => x.detected)) : null,
    onsetDelay: stat(m.map((x) => x.onsetDelay)),
    coverage: stat(m.map((x) => x.coverage)),
    afterEnd: stat(m.map((x) => x.afterEnd)),
    bandTwin: stat(m.map((x) => x.bandTwin)),
    falsePerDay: stat(m.map((x) => x.falsePerDay)),
    falseMinutesPerDay: stat(m.map((x) => x.falseMinutesPerDay)),
    lastFirstRatio: stat(m.map((x) => x.lastFirstRatio)),
    recurrences,
    flaggedRecurrences: recurrences > 0 ? stat(m.map((x) => x.flaggedRecurrences)) : null,
  };
}

/** K seeds for a run nobody asked to fix: printed with the results so the run can be repeated. */
export function randomSeeds(k: number): number[] {
  return Array.from({ length: k }, () => randomInt(1, 2 ** 31 - 1));
}

export interface SuiteOptions {
  seeds: readonly number[];
  params?: SuiteParams;
  /** Only these scenarios (by name), in catalog order; default all. */
  scenarios?: readonly Scenario[];
  scorer?: Scorer;
  onRunStart?: (index: number, total: number, label: string) => void;
  onRunDone?: (index: number, total: number, label: string, elapsedMs: number) => void;
}

/** Runs every scenario × seed; yields to the event loop between runs so a progress bar can redraw. */
export async function runSuite({
  seeds,
  params = {},
  scenarios = SCENARIOS,
  scorer = engineScorer,
  onRunStart,
  onRunDone,
}: SuiteOptions): Promise<SuiteResult> {
  const t0 = performance.now();
  const resolved: Required<SuiteParams> = {
    detector: params.detector ?? 'auto',
    sensitivity: params.sensitivity ?? DEFAULT_SENSITIVITY,
  };
  const total = scenarios.length * seeds.length;
  const runs: ScenarioRun[] = [];
  let index = 0;
  for (const scenario of scenarios) {
    for (const seed of seeds) {
      index++;
      const label = `${scenario.name} seed ${seed}`;
      onRunStart?.(index, total, label);
      const run = runScenario(scenario, seed, resolved, scorer);
      runs.push(run);
      onRunDone?.(index, total, label, run.elapsedMs);
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  return {
    seeds: [...seeds],
    params: resolved,
    runs,
    scenarios: scenarios.map((s) =>
      aggregate(
        s,
        runs.filter((r) => r.scenario === s.name),
      ),
    ),
    elapsedMs: performance.now() - t0,
  };
}
