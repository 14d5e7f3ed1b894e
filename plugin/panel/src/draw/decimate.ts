/**
 * Point reduction for the canvas drawings. The panel draws its own canvas (not uPlot), so it needs its
 * own version of what uPlot does: a line over thousands of points per pixel column costs the rasterizer
 * far more than it shows. Per pixel column and per run of defined values this keeps the first, the
 * lowest, the highest and the last point ("M4"), in time order, so the line drawn through the kept
 * points covers the same pixels: every column keeps its exact min and max, runs start and end at the
 * same points, and a missing value (null) still breaks the line. Pure; the result is indices into the
 * input, so the caller draws the kept points at their exact times and values.
 */

/** Indices of the kept points in time order; -1 separates runs (a gap in the data). */
export interface Decimated {
  index: Int32Array;
  length: number;
}

export interface DecimateOptions {
  /** Device pixels per CSS pixel: columns are device pixels, so a high-DPI canvas keeps its detail. */
  density?: number;
  /** A point is missing also where this array is null (the band needs both bounds). */
  alsoDefined?: ReadonlyArray<number | null> | null;
  /** Missing values count as 0 instead of breaking the line (the score strip's area). */
  missingAsZero?: boolean;
  /**
   * What each column keeps: `line` first, min, max and last (a stroked line); `max` / `min` only the
   * column's highest / lowest point (the top / bottom edge of a filled area, which covers everything
   * between that edge and the other side anyway), plus each run's first and last point, so an area
   * still starts and ends at the same times.
   */
  keep?: 'line' | 'max' | 'min';
}

export const GAP = -1;

/**
 * `times` sorted ascending; `x` maps a time to its CSS pixel. Output length is at most 4 per column per
 * run plus the gap markers, however many points there are.
 */
export function decimate(
  times: ArrayLike<number>,
  values: ArrayLike<number | null | undefined>,
  x: (t: number) => number,
  { density = 1, alsoDefined = null, missingAsZero = false, keep = 'line' }: DecimateOptions = {},
): Decimated {
  const n = Math.min(times.length, values.length);
  // Each input point is kept at most once, and there is at most one gap marker per missing point.
  const out = new Int32Array(2 * n + 1);
  let length = 0;
  let inRun = false;
  let col = 0;
  let first = -1;
  let last = -1;
  let lo = -1;
  let hi = -1;
  let loV = 0;
  let hiV = 0;

  let runStart = -1;

  const push = (i: number) => {
    if (length === 0 || out[length - 1] !== i) {
      out[length++] = i;
    }
  };
  const flush = (runEnds: boolean) => {
    if (first < 0) {
      return;
    }
    if (keep === 'line') {
      // first, then min and max in time order, then last: each index once (push skips a repeat of the
      // previous one, and first <= min, max <= last).
      push(first);
      push(lo < hi ? lo : hi);
      push(lo < hi ? hi : lo);
      push(last);
    } else {
      if (first === runStart) {
        push(first);
      }
      push(keep === 'max' ? hi : lo);
      if (runEnds) {
        push(last);
      }
    }
    first = -1;
  };

  for (let i = 0; i < n; i++) {
    let v = values[i];
    const missing = v === null || v === undefined || (alsoDefined !== null && alsoDefined[i] === null);
    if (missing) {
      if (!missingAsZero) {
        if (inRun) {
          flush(true);
          out[length++] = GAP;
          inRun = false;
        }
        continue;
      }
      v = 0;
    }
    const value = v as number;
    const c = Math.floor(x(times[i]) * density);
    if (!inRun || c !== col) {
      flush(false);
      if (!inRun) {
        runStart = i;
      }
      inRun = true;
      col = c;
      first = last = lo = hi = i;
      loV = hiV = value;
      continue;
    }
    last = i;
    if (value < loV) {
      loV = value;
      lo = i;
    } else if (value > hiV) {
      hiV = value;
      hi = i;
    }
  }
  flush(true);
  // No trailing gap marker.
  if (length > 0 && out[length - 1] === GAP) {
    length--;
  }
  return { index: out, length };
}

/** The runs of a decimation as [start, end) ranges of `d.index`. */
export function runsOf(d: Decimated): Array<[number, number]> {
  const runs: Array<[number, number]> = [];
  let start = 0;
  for (let k = 0; k <= d.length; k++) {
    if (k === d.length || d.index[k] === GAP) {
      if (k > start) {
        runs.push([start, k]);
      }
      start = k + 1;
    }
  }
  return runs;
}
