/** Linear scales and the helpers the canvas drawings share. Pure. */
export interface Scale {
  (v: number): number;
  invert(px: number): number;
}

export function linear(d0: number, d1: number, r0: number, r1: number): Scale {
  const span = d1 - d0 || 1;
  const f = ((v: number) => r0 + ((v - d0) / span) * (r1 - r0)) as Scale;
  f.invert = (px: number) => d0 + ((px - r0) / (r1 - r0 || 1)) * span;
  return f;
}

/**
 * Linear between consecutive stops (domain increasing), linear beyond the ends with the end segments'
 * slopes. The score strip uses it to give 0–1 (normal) and 1–peak (anomalous) fixed shares of its height.
 */
export function piecewise(domain: readonly number[], range: readonly number[]): Scale {
  const segments = domain.slice(1).map((_, i) => linear(domain[i], domain[i + 1], range[i], range[i + 1]));
  const last = segments.length - 1;
  const f = ((v: number) => {
    const i = domain.findIndex((d, k) => k > 0 && v <= d);
    return segments[i < 1 ? (v < domain[0] ? 0 : last) : i - 1](v);
  }) as Scale;
  const down = range[range.length - 1] < range[0];
  f.invert = (px: number) => {
    const i = range.findIndex((r, k) => k > 0 && (down ? px >= r : px <= r));
    const beyondStart = down ? px > range[0] : px < range[0];
    return segments[i < 1 ? (beyondStart ? 0 : last) : i - 1].invert(px);
  };
  return f;
}

/** min/max over several arrays, ignoring missing values; null when there is nothing. */
export function extent(
  ...arrays: Array<ReadonlyArray<number | null> | null | undefined>
): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const a of arrays) {
    if (!a) {
      continue;
    }
    for (const v of a) {
      if (v !== null && v !== undefined && Number.isFinite(v)) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    }
  }
  if (lo === Infinity) {
    return null;
  }
  if (lo === hi) {
    const pad = Math.abs(lo) * 0.1 || 1;
    return [lo - pad, hi + pad];
  }
  const pad = (hi - lo) * 0.06;
  return [lo - pad, hi + pad];
}

/** Index of the time nearest to t in a sorted array (-1 when empty). */
export function nearestIndex(times: readonly number[], t: number): number {
  if (times.length === 0) {
    return -1;
  }
  let lo = 0;
  let hi = times.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (times[mid] < t) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  return Math.abs(times[lo] - t) <= Math.abs(times[hi] - t) ? lo : hi;
}

/** About `count` round tick values between lo and hi. */
export function ticks(lo: number, hi: number, count: number): number[] {
  if (!(hi > lo) || count < 1) {
    return [];
  }
  const raw = (hi - lo) / count;
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) {
    out.push(+v.toPrecision(12));
  }
  return out;
}

const TIME_STEPS = [
  1, 5, 10, 15, 30, 60, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800,
].map((s) => s * 1000);

/** Time ticks at round steps (in the browser's offset; labels are formatted in the panel's zone). */
export function timeTicks(from: number, to: number, count: number): number[] {
  if (!(to > from) || count < 1) {
    return [];
  }
  const raw = (to - from) / count;
  const step = TIME_STEPS.find((s) => s >= raw) ?? Math.ceil(raw / 86400000) * 86400000;
  const out: number[] = [];
  for (let t = Math.ceil(from / step) * step; t <= to; t += step) {
    out.push(t);
  }
  return out;
}
