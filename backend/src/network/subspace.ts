/**
 * The PCA subspace model of a group's series (Lakhina, Crovella and Diot, "Diagnosing network-wide
 * traffic anomalies", SIGCOMM 2004): the leading principal components of a window of the group's
 * standardized vectors span its normal subspace; what a new vector has outside it (the residual) is
 * abnormal for the group as a whole, even when each member stays inside its own band. Its size is the
 * squared prediction error (SPE, the Q-statistic); each member's share of it says where it lies.
 *
 * The decomposition is ml-matrix's symmetric eigendecomposition (EVD): a well-kept, pure-JS library
 * (no native build, so it installs wherever the backend does), and the one ml-kmeans already brings in.
 * It decomposes the smaller of the two Gram matrices: ZᵀZ (members × members) for a few members, ZZᵀ
 * (window × window) for many, whose eigenvectors give the components as Zᵀu/σ — so a group of 1,000
 * series over a 288-point window costs a 288×288 decomposition, not a 1,000×1,000 one.
 */
import { EigenvalueDecomposition, Matrix, solve } from 'ml-matrix';

export interface SubspaceFitOptions {
  /** Keep the fewest leading components that explain at least this share of the variance (0–1). */
  varianceShare: number;
  /** At most this many components (and always fewer than the members). */
  maxComponents: number;
}

export const DEFAULT_FIT_OPTIONS: SubspaceFitOptions = { varianceShare: 0.9, maxComponents: 10 };

/** The standard normal quantile at 1 − 0.001: the Jackson–Mudholkar threshold's false-alarm rate. */
const Z_ALPHA = 3.0902;

export interface Residual {
  /** Squared prediction error of the standardized vector: |z − PPᵀz|². */
  spe: number;
  /** The residual, one component per member (squared, they sum to spe). */
  residual: Float64Array;
}

export class SubspaceModel {
  private constructor(
    /** Per member: mean and scale of the window, to standardize a new vector. */
    readonly mean: Float64Array,
    readonly scale: Float64Array,
    /** The k leading components, each a unit vector over the members. */
    readonly components: Float64Array[],
    /** Eigenvalues of the covariance, largest first (as many as the window's rank allows). */
    readonly eigenvalues: number[],
    /** Jackson–Mudholkar's upper limit of the SPE of normal vectors (α = 0.001); 0 when undefined. */
    readonly qLimit: number,
  ) {}

  get members(): number {
    return this.mean.length;
  }

  get k(): number {
    return this.components.length;
  }

  /** Fit on `rows` (each a vector over the same members, no missing values). Needs 3+ rows. */
  static fit(
    rows: readonly Float64Array[],
    options: SubspaceFitOptions = DEFAULT_FIT_OPTIONS,
  ): SubspaceModel {
    const m = rows.length;
    const n = rows[0]?.length ?? 0;
    if (m < 3 || n < 2) throw new Error(`a subspace needs 3+ vectors of 2+ members, got ${m} of ${n}`);
    const mean = new Float64Array(n);
    const scale = new Float64Array(n);
    for (const row of rows) for (let j = 0; j < n; j++) mean[j] += row[j] / m;
    for (const row of rows) for (let j = 0; j < n; j++) scale[j] += (row[j] - mean[j]) ** 2 / (m - 1);
    for (let j = 0; j < n; j++) {
      // A flat member would divide by zero: give it a scale of its level's millionth (or 1 at zero).
      scale[j] = Math.sqrt(scale[j]) || Math.abs(mean[j]) * 1e-6 || 1;
    }
    const z = rows.map((row) => row.map((v, j) => (v - mean[j]) / scale[j]));
    const { eigenvalues, components } = leadingComponents(z, n, options);
    const k = chooseK(eigenvalues, n, options);
    return new SubspaceModel(
      mean,
      scale,
      components.slice(0, k),
      eigenvalues,
      jacksonMudholkar(eigenvalues, k),
    );
  }

  /**
   * The standardized vector's residual off the normal subspace. A missing member (NaN) is estimated
   * from the others through the subspace (least squares on the components), so it adds nothing.
   */
  residual(x: ArrayLike<number>): Residual {
    const n = this.members;
    const z = new Float64Array(n);
    const missing: number[] = [];
    for (let j = 0; j < n; j++) {
      if (Number.isNaN(x[j])) missing.push(j);
      else z[j] = (x[j] - this.mean[j]) / this.scale[j];
    }
    if (missing.length > 0) this.fillMissing(z, missing);
    const r = Float64Array.from(z);
    for (const p of this.components) {
      let dot = 0;
      for (let j = 0; j < n; j++) dot += p[j] * z[j];
      for (let j = 0; j < n; j++) r[j] -= dot * p[j];
    }
    for (const j of missing) r[j] = 0;
    let spe = 0;
    for (let j = 0; j < n; j++) spe += r[j] * r[j];
    return { spe, residual: r };
  }

  /** z's missing members from the coordinates c minimizing |z_obs − P_obs c| (k × k normal equations). */
  private fillMissing(z: Float64Array, missing: readonly number[]): void {
    const k = this.k;
    if (k === 0) return; // no subspace: missing members stay at their mean
    const skip = new Set(missing);
    const g = new Matrix(k, k);
    const b = new Matrix(k, 1);
    for (let a = 0; a < k; a++) {
      const pa = this.components[a];
      for (let c = a; c < k; c++) {
        const pc = this.components[c];
        let s = 0;
        for (let j = 0; j < z.length; j++) if (!skip.has(j)) s += pa[j] * pc[j];
        g.set(a, c, s);
        g.set(c, a, s);
      }
      let s = 0;
      for (let j = 0; j < z.length; j++) if (!skip.has(j)) s += pa[j] * z[j];
      b.set(a, 0, s);
    }
    const coords = solve(g, b, true);
    for (const j of missing) {
      let v = 0;
      for (let a = 0; a < k; a++) v += coords.get(a, 0) * this.components[a][j];
      z[j] = v;
    }
  }
}

/**
 * Eigenvalues of the covariance (largest first) and as many unit eigenvectors over the members as
 * could be kept (at most maxComponents).
 */
function leadingComponents(
  z: Float64Array[],
  n: number,
  options: SubspaceFitOptions,
): { eigenvalues: number[]; components: Float64Array[] } {
  const m = z.length;
  const wanted = Math.min(options.maxComponents, n - 1);
  if (n <= m) {
    // Covariance ZᵀZ/(m−1), members × members.
    const cov = new Matrix(n, n);
    for (let a = 0; a < n; a++) {
      for (let b = a; b < n; b++) {
        let s = 0;
        for (let i = 0; i < m; i++) s += z[i][a] * z[i][b];
        cov.set(a, b, s / (m - 1));
        cov.set(b, a, s / (m - 1));
      }
    }
    const evd = new EigenvalueDecomposition(cov, { assumeSymmetric: true });
    const order = descending(evd.realEigenvalues);
    const vectors = evd.eigenvectorMatrix;
    return {
      eigenvalues: order.map((i) => Math.max(0, evd.realEigenvalues[i])),
      components: order.slice(0, wanted).map((i) => Float64Array.from(vectors.getColumn(i))),
    };
  }
  // Many members: the Gram matrix ZZᵀ/(m−1) (window × window) has the same nonzero eigenvalues; a
  // component is Zᵀu normalized.
  const gram = new Matrix(m, m);
  for (let a = 0; a < m; a++) {
    for (let b = a; b < m; b++) {
      let s = 0;
      const za = z[a];
      const zb = z[b];
      for (let j = 0; j < n; j++) s += za[j] * zb[j];
      gram.set(a, b, s / (m - 1));
      gram.set(b, a, s / (m - 1));
    }
  }
  const evd = new EigenvalueDecomposition(gram, { assumeSymmetric: true });
  const order = descending(evd.realEigenvalues);
  const vectors = evd.eigenvectorMatrix;
  const components: Float64Array[] = [];
  for (const i of order.slice(0, wanted)) {
    if (!(evd.realEigenvalues[i] > 1e-12)) break;
    const p = new Float64Array(n);
    for (let row = 0; row < m; row++) {
      const u = vectors.get(row, i);
      const zr = z[row];
      for (let j = 0; j < n; j++) p[j] += u * zr[j];
    }
    let norm = 0;
    for (let j = 0; j < n; j++) norm += p[j] * p[j];
    norm = Math.sqrt(norm);
    for (let j = 0; j < n; j++) p[j] /= norm;
    components.push(p);
  }
  return { eigenvalues: order.map((i) => Math.max(0, evd.realEigenvalues[i])), components };
}

const descending = (values: readonly number[]) =>
  values.map((_, i) => i).sort((a, b) => values[b] - values[a]);

/**
 * The fewest leading components explaining varianceShare of the variance, and at least every component
 * standing well above the noise floor (10× the lower quartile of the nonzero eigenvalues): a small but
 * structured variation (links on a few different curves, each with its own common noise) belongs to
 * the normal subspace, or its residual would hide moves of the same size. Within the bounds.
 */
function chooseK(eigenvalues: readonly number[], n: number, options: SubspaceFitOptions): number {
  const total = eigenvalues.reduce((a, b) => a + b, 0);
  const limit = Math.min(options.maxComponents, n - 1);
  if (!(total > 0)) return 0;
  let byVariance = limit;
  let sum = 0;
  for (let k = 1; k <= limit; k++) {
    sum += eigenvalues[k - 1];
    if (sum / total >= options.varianceShare) {
      byVariance = k;
      break;
    }
  }
  const nonzero = eigenvalues.filter((l) => l > total * 1e-12);
  const floor = nonzero[Math.floor(0.75 * (nonzero.length - 1))] ?? 0;
  const aboveNoise = eigenvalues.filter((l) => l > 10 * floor).length;
  return Math.min(limit, Math.max(byVariance, aboveNoise));
}

/**
 * Jackson and Mudholkar's (1979) upper limit of the SPE of normal vectors, from the residual
 * eigenvalues: θᵢ = Σ λⱼⁱ (j > k), h₀ = 1 − 2θ₁θ₃/(3θ₂²),
 * Q = θ₁ [c_α √(2θ₂h₀²)/θ₁ + 1 + θ₂h₀(h₀ − 1)/θ₁²]^(1/h₀).
 */
export function jacksonMudholkar(eigenvalues: readonly number[], k: number): number {
  let t1 = 0;
  let t2 = 0;
  let t3 = 0;
  for (const l of eigenvalues.slice(k)) {
    t1 += l;
    t2 += l * l;
    t3 += l * l * l;
  }
  if (!(t1 > 0) || !(t2 > 0)) return 0;
  const h0 = 1 - (2 * t1 * t3) / (3 * t2 * t2);
  if (!(h0 > 0)) return t1;
  const base = (Z_ALPHA * Math.sqrt(2 * t2 * h0 * h0)) / t1 + 1 + (t2 * h0 * (h0 - 1)) / (t1 * t1);
  return base > 0 ? t1 * base ** (1 / h0) : t1;
}
