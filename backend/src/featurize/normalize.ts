/** Normalization of a vector (NaN ignored in the statistics, kept as NaN in the output). */

export type NormalizeMethod = 'zscore' | 'minmax' | 'robust';

export interface NormalizeParams {
  method: NormalizeMethod;
  center: number;
  scale: number;
}

function finite(values: ArrayLike<number>): number[] {
  const xs: number[] = [];
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) xs.push(values[i]);
  return xs;
}

function median(sorted: number[]): number {
  const n = sorted.length;
  return n % 2 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

/** Fit the centre and scale; a zero scale (constant input) becomes 1 so output is 0, never Inf/NaN. */
export function fitNormalize(values: ArrayLike<number>, method: NormalizeMethod = 'zscore'): NormalizeParams {
  const xs = finite(values);
  if (xs.length === 0) return { method, center: 0, scale: 1 };
  let center: number;
  let scale: number;
  if (method === 'zscore') {
    center = xs.reduce((a, b) => a + b, 0) / xs.length;
    scale = Math.sqrt(xs.reduce((a, b) => a + (b - center) ** 2, 0) / xs.length);
  } else if (method === 'minmax') {
    center = Math.min(...xs);
    scale = Math.max(...xs) - center;
  } else {
    const sorted = [...xs].sort((a, b) => a - b);
    center = median(sorted);
    scale = 1.4826 * median(sorted.map((x) => Math.abs(x - center)).sort((a, b) => a - b));
  }
  if (!(scale > 0) || !Number.isFinite(scale)) scale = 1;
  return { method, center, scale };
}

export function applyNormalize(values: ArrayLike<number>, p: NormalizeParams): Float64Array {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = (values[i] - p.center) / p.scale;
  return out;
}

export function normalize(values: ArrayLike<number>, method: NormalizeMethod = 'zscore'): Float64Array {
  return applyNormalize(values, fitNormalize(values, method));
}
