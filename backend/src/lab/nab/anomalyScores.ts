/**
 * NAB-format anomaly scores in [0, 1], computed causally, one per input row: s / (1 + s) at the points
 * where the calibrated score s escalates (calibration/escalation.ts), 0 elsewhere. NAB counts the
 * first detection in each window and every detection outside one, so reporting escalations (what an
 * operator is paged on) rather than every point of an ongoing episode is the faithful mapping.
 */
import { EscalationTracker } from '../../calibration/escalation.js';
import { causalLearningScores, type ScoreParams } from '../../engine/index.js';

export function nabAnomalyScores(
  timestamps: number[],
  values: number[],
  params: ScoreParams = {},
): Float64Array {
  // At the learning scale (SeriesScorer.learningScore): NAB picks its own threshold, so the result does
  // not depend on the sensitivity nor on the display-only tail rule (calibration/tail.ts).
  const { scores, grid } = causalLearningScores(timestamps, values, params);
  const escalation = new EscalationTracker();
  const onGrid = scores.map((s) => (escalation.push(s) ? s / (1 + s) : 0));
  const out = new Float64Array(timestamps.length);
  const t0 = grid.timestamps[0];
  const step = grid.report.stepMs;
  for (let i = 0; i < timestamps.length; i++) {
    const k =
      step > 0 ? Math.min(onGrid.length - 1, Math.max(0, Math.round((timestamps[i] - t0) / step))) : 0;
    out[i] = onGrid[k] ?? 0;
  }
  return out;
}
