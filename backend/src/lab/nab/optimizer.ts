/**
 * Corpus-wide threshold optimisation: NAB picks one threshold per profile for the whole corpus.
 *
 * This is exact. The score only changes where the threshold crosses an anomaly score, so it visits
 * every distinct score once: rows of all files are sorted by anomaly score and the threshold is
 * lowered through them, each row becoming a detection in turn, while the state is kept up to date
 * (running sum of false-positive weights; per window the best weight so far, which is the earliest
 * detection since weights decrease through a window). That evaluates every distinct threshold in
 * O(N log N) overall, so the result is the global maximum and is never worse than a local search
 * such as the "twiddle" hill-climbing of early NAB releases (the thresholds published in NAB's
 * config/thresholds.json came from it, which is why they are not anomaly-score values).
 *
 * Ties (different thresholds with the same score) go to the highest threshold, as NAB's stable sort
 * of its threshold table does.
 */
import type { FileSweep } from './sweeper.js';
import { OUTSIDE_WINDOW } from './sweeper.js';

export interface ThresholdChoice {
  threshold: number;
  /** Corpus raw score at that threshold, as tracked by the sweep. */
  raw: number;
}

/** NAB's sweep starts at 1.1, a threshold above every score in [0, 1], i.e. "no detections". */
const NAB_START_THRESHOLD = 1.1;

export function optimizeThreshold(
  sweeps: readonly FileSweep[],
  weights: readonly Float64Array[],
  anomalyScores: readonly ArrayLike<number>[],
  fnWeight: number,
): ThresholdChoice {
  // Flatten every scorable row of the corpus, numbering windows corpus-wide.
  let total = 0;
  for (const s of sweeps) total += s.window.length - s.firstScorable;
  const score = new Float64Array(total);
  const weight = new Float64Array(total);
  const win = new Int32Array(total);
  let n = 0;
  let windowBase = 0;
  let countedWindows = 0;
  sweeps.forEach((s, f) => {
    const scores = anomalyScores[f];
    for (let i = s.firstScorable; i < s.window.length; i++) {
      if (Number.isNaN(scores[i])) continue; // never a detection at any threshold
      score[n] = scores[i];
      weight[n] = weights[f][i];
      win[n] = s.window[i] === OUTSIDE_WINDOW ? OUTSIDE_WINDOW : windowBase + s.window[i];
      n++;
    }
    windowBase += s.counted.length;
    countedWindows += s.counted.filter(Boolean).length;
  });

  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  // Descending; an explicit comparison stays consistent for infinite scores.
  order.sort((a, b) => (score[a] < score[b] ? 1 : score[a] > score[b] ? -1 : 0));

  // No detections: every counted window is a miss.
  const best = new Float64Array(windowBase).fill(-fnWeight);
  let fpSum = 0;
  let windowSum = -fnWeight * countedWindows;
  let bestRaw = windowSum;
  let bestThreshold =
    n > 0 && score[order[0]] >= NAB_START_THRESHOLD ? nextAbove(score[order[0]]) : NAB_START_THRESHOLD;

  for (let k = 0; k < n;) {
    const threshold = score[order[k]];
    // Take in every row at this score before evaluating: the threshold detects all of them at once.
    for (; k < n && score[order[k]] === threshold; k++) {
      const r = order[k];
      const w = win[r];
      if (w === OUTSIDE_WINDOW) fpSum += weight[r];
      else if (weight[r] > best[w]) {
        windowSum += weight[r] - best[w];
        best[w] = weight[r];
      }
    }
    const raw = fpSum + windowSum;
    if (raw > bestRaw) {
      bestRaw = raw;
      bestThreshold = threshold;
    }
  }
  return { threshold: bestThreshold, raw: bestRaw };
}

/** The smallest double above x (for a "no detections" threshold when scores reach past 1.1). */
function nextAbove(x: number): number {
  if (!Number.isFinite(x)) return x;
  if (x === 0) return Number.MIN_VALUE;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  view.setBigUint64(0, x > 0 ? bits + 1n : bits - 1n);
  return view.getFloat64(0);
}
