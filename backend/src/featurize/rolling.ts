/**
 * Batch featurizers: pure functions over a series (NaN = missing). Each output point i uses only
 * values at or before i (trailing windows), so the same features serve causal scoring.
 * Missing values are skipped inside windows; a window with no value yields NaN.
 */
import { EwStats, RollingMoments, SortedWindow } from './windows.js';

type Series = ArrayLike<number>;

function checkWindow(window: number): void {
  if (!Number.isInteger(window) || window < 1)
    throw new RangeError(`window must be an integer ≥ 1, got ${window}`);
}

function trailing(values: Series, window: number, read: (w: SortedWindow) => number): Float64Array {
  const out = new Float64Array(values.length);
  // Missing values occupy a slot (so the window is in time, not in samples) but are not stored.
  const present = new Uint8Array(values.length);
  const w = new SortedWindow(window);
  let inWindow = 0;
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    present[i] = Number.isNaN(x) ? 0 : 1;
    if (i >= window && present[i - window]) inWindow--;
    if (present[i]) {
      inWindow++;
      w.push(x);
    }
    out[i] = inWindow > 0 ? read(w) : NaN;
  }
  return out;
}

/** SortedWindow holds the last `window` *present* values; trim so it matches the time window. */
function timeWindowed(values: Series, window: number, read: (xs: number[]) => number): Float64Array {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const xs: number[] = [];
    for (let j = Math.max(0, i - window + 1); j <= i; j++) if (!Number.isNaN(values[j])) xs.push(values[j]);
    out[i] = xs.length ? read(xs) : NaN;
  }
  return out;
}

function hasGaps(values: Series): boolean {
  for (let i = 0; i < values.length; i++) if (Number.isNaN(values[i])) return true;
  return false;
}

function sortedQuantile(sorted: number[], q: number): number {
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** Rolling q-quantile (linear interpolation) over the trailing window. */
export function rollingQuantile(values: Series, window: number, q: number): Float64Array {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`q must be in [0, 1], got ${q}`);
  checkWindow(window);
  if (hasGaps(values))
    return timeWindowed(values, window, (xs) =>
      sortedQuantile(
        [...xs].sort((a, b) => a - b),
        q,
      ),
    );
  return trailing(values, window, (w) => w.quantile(q));
}

export function rollingMedian(values: Series, window: number): Float64Array {
  return rollingQuantile(values, window, 0.5);
}

export function rollingMax(values: Series, window: number): Float64Array {
  return rollingQuantile(values, window, 1);
}

export function rollingMin(values: Series, window: number): Float64Array {
  return rollingQuantile(values, window, 0);
}

/** Rolling median absolute deviation (unscaled; multiply by 1.4826 for a normal-consistent σ). */
export function rollingMad(values: Series, window: number): Float64Array {
  checkWindow(window);
  const madOf = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    const m = sortedQuantile(s, 0.5);
    const d = s.map((x) => Math.abs(x - m)).sort((a, b) => a - b);
    return sortedQuantile(d, 0.5);
  };
  if (hasGaps(values)) return timeWindowed(values, window, madOf);
  return trailing(values, window, (w) => w.mad());
}

export function rollingMean(values: Series, window: number): Float64Array {
  checkWindow(window);
  if (hasGaps(values)) return timeWindowed(values, window, (xs) => xs.reduce((a, b) => a + b, 0) / xs.length);
  const m = new RollingMoments(window);
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    m.push(values[i]);
    out[i] = m.mean();
  }
  return out;
}

/** Rolling sample standard deviation (n − 1); NaN until two values are in the window. */
export function rollingStd(values: Series, window: number): Float64Array {
  checkWindow(window);
  if (hasGaps(values))
    return timeWindowed(values, window, (xs) => {
      if (xs.length < 2) return NaN;
      const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
      return Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1));
    });
  const m = new RollingMoments(window);
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    m.push(values[i]);
    out[i] = m.std();
  }
  return out;
}

/** Exponentially weighted moving average; missing values carry the previous average forward. */
export function ewma(values: Series, alpha: number): Float64Array {
  if (!(alpha > 0 && alpha <= 1)) throw new RangeError(`alpha must be in (0, 1], got ${alpha}`);
  const s = new EwStats(alpha);
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    if (!Number.isNaN(values[i])) s.push(values[i]);
    out[i] = s.mean;
  }
  return out;
}

/**
 * Rate of change per step: x[i] − x[i−lag] (or relative: divided by |x[i−lag]|).
 * NaN where either end is missing or, for relative change, the base is zero.
 */
export function rateOfChange(values: Series, lag = 1, relative = false): Float64Array {
  const out = new Float64Array(values.length).fill(NaN);
  for (let i = lag; i < values.length; i++) {
    const d = values[i] - values[i - lag];
    if (!relative) out[i] = d;
    else if (values[i - lag] !== 0) out[i] = d / Math.abs(values[i - lag]);
  }
  return out;
}

/** Sliding windows of `size` consecutive values ending at each index ≥ size − 1, every `stride`. */
export function slidingWindows(values: Series, size: number, stride = 1): Float64Array[] {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`size must be an integer ≥ 1, got ${size}`);
  if (!Number.isInteger(stride) || stride < 1)
    throw new RangeError(`stride must be an integer ≥ 1, got ${stride}`);
  const out: Float64Array[] = [];
  for (let end = size - 1; end < values.length; end += stride) {
    out.push(Float64Array.from({ length: size }, (_, k) => values[end - size + 1 + k]));
  }
  return out;
}
