/** Spectral features via a real FFT (fft.js: small, dependency-free, well tested). */
import FFT from 'fft.js';

export function nextPow2(n: number): number {
  let p = 1;
  while (p < n) p <<= 1;
  return p;
}

const ffts = new Map<number, FFT>();
/** FFT plans (twiddle tables) are costly to build and reused for every transform of that size. */
export function fftOf(size: number): FFT {
  let f = ffts.get(size);
  if (!f) {
    f = new FFT(size);
    ffts.set(size, f);
  }
  return f;
}

/** Power spectrum |X_k|² for k = 0 … size/2 of the zero-padded input (size = next power of two). */
export function powerSpectrum(values: ArrayLike<number>, minSize = 2): Float64Array {
  const size = nextPow2(Math.max(values.length, minSize, 2));
  const f = fftOf(size);
  const input = new Float64Array(size);
  for (let i = 0; i < values.length; i++) input[i] = values[i];
  const out = new Float64Array(2 * size);
  f.realTransform(out, input);
  f.completeSpectrum(out);
  const power = new Float64Array(size / 2 + 1);
  for (let k = 0; k <= size / 2; k++) power[k] = out[2 * k] ** 2 + out[2 * k + 1] ** 2;
  return power;
}

export interface SpectralEnergy {
  /** Energy of the mean-removed window (sum of squares), Parseval-consistent. */
  total: number;
  /** Share of that energy above `highFrom` (fraction of Nyquist): noise/bursts vs slow movement. */
  highFraction: number;
}

/** Spectral energy of one window (missing values replaced by the window mean). */
export function spectralEnergy(window: ArrayLike<number>, highFrom = 0.5): SpectralEnergy {
  const xs = Array.from(window);
  const present = xs.filter((x) => !Number.isNaN(x));
  if (present.length === 0) return { total: NaN, highFraction: NaN };
  const mean = present.reduce((a, b) => a + b, 0) / present.length;
  const centred = xs.map((x) => (Number.isNaN(x) ? 0 : x - mean));
  const p = powerSpectrum(centred);
  const half = p.length - 1;
  let total = 0;
  let high = 0;
  for (let k = 1; k <= half; k++) {
    // Bins other than DC and Nyquist stand for two conjugate frequencies.
    const w = k === half ? p[k] : 2 * p[k];
    total += w;
    if (k >= highFrom * half) high += w;
  }
  const n = 2 * half;
  return { total: total / n, highFraction: total > 0 ? high / total : 0 };
}

/** Rolling spectral energy over trailing windows of `size` points. NaN before the first full window. */
export function rollingSpectralEnergy(
  values: ArrayLike<number>,
  size: number,
  highFrom = 0.5,
): SpectralEnergy[] {
  const out: SpectralEnergy[] = [];
  for (let i = 0; i < values.length; i++) {
    if (i < size - 1) out.push({ total: NaN, highFraction: NaN });
    else out.push(spectralEnergy(Array.prototype.slice.call(values, i - size + 1, i + 1), highFrom));
  }
  return out;
}
