/**
 * The labelled scenario suite: synthetic 1-minute traffic with known incidents, scored causally
 * through the engine's public entry point, and the figures operators care about (detection, onset
 * delay, coverage, false episodes per day, whether repeated incidents keep their score, whether a
 * recurring pattern is learned). `trafficlens scenarios` prints it; a fixed-seed run in `npm test`
 * guards it against expectations.ts.
 */
export { SCENARIOS, findScenario } from './catalog.js';
export type { Scenario, ScenarioKind, ScenarioSeries, Window } from './catalog.js';
export { measure, DEFAULT_GRACE_POINTS } from './measure.js';
export type { Labels, ScenarioMetrics, ScoredSeries } from './measure.js';
export { runSuite, runScenario, randomSeeds, engineScorer, aggregate, stat } from './suite.js';
export type { ScenarioAggregate, Scorer, Stat, SuiteParams, SuiteResult } from './suite.js';
export { formatSuiteReport } from './report.js';
export { EXPECTATIONS, violations } from './expectations.js';
export type { Expectation } from './expectations.js';
