/**
 * Per-row NAB weights. Every scorable row gets the score it would add if it were a detection: inside
 * a window a reward that decays from the window's left edge to its right edge; outside a window a
 * penalty that grows with the distance past the preceding window. Rows in the probationary period
 * are marked and never scored.
 */
import type { CostMatrix } from './config.js';
import type { NabFile } from './corpus.js';

/** `window` code of a row outside every window. */
export const OUTSIDE_WINDOW = -1;

/**
 * NAB's scaled sigmoid of a relative position: −1 is a window's left edge (≈ 0.98661), 0 its right
 * edge (0), positive values are rows past the window's end, and anything beyond 3 is simply −1.
 */
export function scaledSigmoid(position: number): number {
  if (position > 3.0) return -1.0;
  return 2 * (1 / (1 + Math.exp(5 * position))) - 1.0;
}

/** The earliest possible detection; NAB divides window rewards by it so a perfect hit earns tpWeight. */
export const MAX_TP = scaledSigmoid(-1.0);

export interface FileSweep {
  file: NabFile;
  /** Per row: index into file.windows, or OUTSIDE_WINDOW. */
  window: Int32Array;
  /** Rows before this one are the probationary period: weighted like the others, never scored. */
  firstScorable: number;
  /** Per row: the scaled sigmoid before profile weights. */
  unweighted: Float64Array;
  /**
   * Per window: whether it has a scorable row. NAB only counts (as a miss or a hit) windows that
   * reach past the probationary period.
   */
  counted: boolean[];
}

export function sweepFile(file: NabFile): FileSweep {
  const n = file.timestamps.length;
  const window = new Int32Array(n);
  const unweighted = new Float64Array(n);
  const counted = file.windows.map(() => false);
  let next = 0; // next window to enter
  let prevEnd = -1; // right edge row and width of the last window left behind
  let prevWidth = 0;
  for (let i = 0; i < n; i++) {
    const w = file.windows[next];
    const inside = w !== undefined && i >= w.startIndex;
    if (inside) {
      // Position runs from −1 at the left edge to −1/width at the right edge (NAB's "+ 1" keeps the
      // last row just short of 0, so a detection on it still earns a little).
      const width = w.endIndex - w.startIndex + 1;
      unweighted[i] = scaledSigmoid(-(w.endIndex - i + 1) / width);
      window[i] = next;
    } else {
      // Before any window NAB treats a detection as arbitrarily far from one. After a window the
      // distance is measured in (width − 1)-row units from its right edge; a one-row window gives
      // an infinite distance here (NAB would divide by zero), i.e. the full penalty.
      unweighted[i] = prevEnd < 0 ? -1.0 : scaledSigmoid(Math.abs(prevEnd - i) / (prevWidth - 1));
      window[i] = OUTSIDE_WINDOW;
    }
    if (inside && i >= file.probationLength) counted[next] = true;
    if (inside && i === w.endIndex) {
      prevEnd = i;
      prevWidth = w.endIndex - w.startIndex + 1;
      next++;
    }
  }
  return { file, window, firstScorable: Math.min(n, Math.ceil(file.probationLength)), unweighted, counted };
}

/** Per-row detection scores under one profile (NAB's "S(t)" column before thresholding). */
export function weightSweep(sweep: FileSweep, cost: CostMatrix): Float64Array {
  const out = new Float64Array(sweep.unweighted.length);
  for (let i = 0; i < out.length; i++) {
    const u = sweep.unweighted[i];
    // Same operation order as NAB, so the weights agree to the last bit.
    out[i] = sweep.window[i] === OUTSIDE_WINDOW ? u * cost.fpWeight : (u * cost.tpWeight) / MAX_TP;
  }
  return out;
}
