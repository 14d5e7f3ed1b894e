/**
 * NAB score of one file at one threshold. A row is a detection when its anomaly score is at least
 * the threshold. Each counted window contributes its earliest detection's weight (weights decrease
 * through a window, so the earliest is the largest) or −fnWeight when it has none; every detection
 * outside windows adds its (negative) weight. Probationary rows are skipped entirely.
 */
import { OUTSIDE_WINDOW, type FileSweep } from './sweeper.js';

export interface NabTally {
  /** Unnormalized NAB score. */
  raw: number;
  /** NAB's counts are of rows: detected rows inside windows (tp), outside (fp), and the misses. */
  tp: number;
  fp: number;
  fn: number;
  tn: number;
  /** Counted windows with at least one detection, and without. */
  windowsDetected: number;
  windowsMissed: number;
}

export function emptyTally(): NabTally {
  return { raw: 0, tp: 0, fp: 0, fn: 0, tn: 0, windowsDetected: 0, windowsMissed: 0 };
}

export function addTally(into: NabTally, t: NabTally): NabTally {
  into.raw += t.raw;
  into.tp += t.tp;
  into.fp += t.fp;
  into.fn += t.fn;
  into.tn += t.tn;
  into.windowsDetected += t.windowsDetected;
  into.windowsMissed += t.windowsMissed;
  return into;
}

/** True when an anomaly score counts as a detection; NaN never does. */
export function isDetection(anomalyScore: number, threshold: number): boolean {
  return anomalyScore >= threshold;
}

/**
 * @param weights per-row weights of one profile (weightSweep)
 * @param fnWeight that profile's cost of a missed window
 */
export function scoreFileAtThreshold(
  sweep: FileSweep,
  weights: Float64Array,
  anomalyScores: ArrayLike<number>,
  fnWeight: number,
  threshold: number,
): NabTally {
  const tally = emptyTally();
  const best: (number | null)[] = sweep.counted.map(() => null);
  let fpSum = 0;
  for (let i = sweep.firstScorable; i < weights.length; i++) {
    const w = sweep.window[i];
    const detected = isDetection(anomalyScores[i], threshold);
    if (w === OUTSIDE_WINDOW) {
      if (detected) {
        tally.fp++;
        fpSum += weights[i];
      } else tally.tn++;
    } else if (detected) {
      tally.tp++;
      const b = best[w];
      if (b === null || weights[i] > b) best[w] = weights[i];
    } else tally.fn++;
  }
  tally.raw = fpSum;
  sweep.counted.forEach((counted, w) => {
    if (!counted) return;
    const b = best[w];
    // NAB starts each window at −fnWeight and keeps the max with its detections' weights.
    tally.raw += b === null ? -fnWeight : Math.max(-fnWeight, b);
    if (b === null) tally.windowsMissed++;
    else tally.windowsDetected++;
  });
  return tally;
}
