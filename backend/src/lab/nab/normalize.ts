/**
 * NAB's 0–100 scale. 0 is the null detector (no detections: every counted window missed, i.e.
 * −fnWeight per window); 100 is the perfect detector (every labelled window hit at its left edge,
 * tpWeight each, no false positives). Both are sums over the scored files.
 */
import type { CostMatrix } from './config.js';
import type { FileSweep } from './sweeper.js';

/** Raw score of a detector that never fires. */
export function nullRaw(sweeps: readonly FileSweep[], cost: CostMatrix): number {
  let counted = 0;
  for (const s of sweeps) counted += s.counted.filter(Boolean).length;
  return -cost.fnWeight * counted;
}

/** Raw score of a perfect detector: NAB counts every labelled window here, as its label file lists them. */
export function perfectRaw(sweeps: readonly FileSweep[], cost: CostMatrix): number {
  let windows = 0;
  for (const s of sweeps) windows += s.file.windows.length;
  return windows * cost.tpWeight;
}

/** 100·(raw − null)/(perfect − null); null when the files have no windows (the scale is undefined). */
export function normalizeNabScore(raw: number, nullScore: number, perfectScore: number): number | null {
  const span = perfectScore - nullScore;
  return span === 0 ? null : (100 * (raw - nullScore)) / span;
}
