/**
 * Engine entry points. Everything outside the engine (API, CLI, jobs, NAB runner) goes through here.
 * (Filled in by the scoring-engine work; signatures are the contract the other parts build on.)
 */
import type { SeriesInput, SeriesScore } from '../contract/score.js';
import type { ScoreParams, ScoringStream } from './types.js';

export type { ScoreParams, ScoringStream, StreamPoint } from './types.js';

/** Score one series (batch). With options.causal every point is scored only from data at or before it. */
export function scoreSeries(_input: SeriesInput, _params: ScoreParams = {}): SeriesScore {
  throw new Error('engine not implemented yet');
}

/** A causal stream for continuous scoring. */
export function createStream(_params: ScoreParams = {}): ScoringStream {
  throw new Error('engine not implemented yet');
}

/**
 * NAB-format anomaly scores in [0, 1], computed causally, for the NAB runner.
 * Monotone in the calibrated score so NAB's threshold sweep sees the same ranking.
 */
export function nabAnomalyScores(_timestamps: number[], _values: number[], _params: ScoreParams = {}): Float64Array {
  throw new Error('engine not implemented yet');
}
