/**
 * The network-wide detector of one group, streaming and causal: each aligned vector (one value per
 * member at one timestamp) is scored by the subspace model fitted on the vectors before it
 * (network/subspace.ts), then joins the sliding window; the model is refitted every `refitEvery`
 * vectors. Vectors found anomalous stay out of the window and the calibration (an outage must not
 * become the normal subspace), unless the anomaly lasts a quarter of the window: then the group has
 * changed, and the detector learns the change as a single series' detector learns a level shift.
 *
 * Calibrated to the score contract (1 is the boundary): the SPE is divided by a threshold, the larger
 * of Jackson–Mudholkar's limit and the 99th percentile of the recent normal out-of-sample SPEs times a
 * factor of the sensitivity (the limit alone assumes Gaussian residuals and more vectors than members,
 * which a 288-point window of 1,000 links is not); the score is the square root of the ratio, so it
 * grows like the residual's size (a residual twice the boundary's scores 2, severity 50).
 */
import { DEFAULT_FIT_OPTIONS, SubspaceModel, type SubspaceFitOptions } from './subspace.js';

export interface NetworkDetectorOptions {
  /** Vectors the model is fitted on (the newest ones). */
  window: number;
  /** Refit after this many new vectors. */
  refitEvery: number;
  /** Vectors before the first fit. */
  minFit: number;
  /** Normal out-of-sample SPEs before the first score. */
  calibration: number;
  /** 0–100, as a job's: higher flags smaller residuals. */
  sensitivity: number;
  fit: SubspaceFitOptions;
}

export const DEFAULT_NETWORK_OPTIONS: NetworkDetectorOptions = {
  window: 288,
  refitEvery: 24,
  minFit: 30,
  calibration: 30,
  sensitivity: 50,
  fit: DEFAULT_FIT_OPTIONS,
};

export interface MemberShare {
  /** The member's index in the group's vector. */
  member: number;
  /** Its share (0–1) of the squared residual. */
  share: number;
}

export interface NetworkPoint {
  timestamp: number;
  /** null while learning, or when too many members have no value. */
  score: number | null;
  anomaly: boolean;
  /** The members' shares of the residual, the largest first (the top ones); empty without a score. */
  contributions: MemberShare[];
}

export interface RawNetworkEpisode {
  start: number;
  end: number;
  open: boolean;
  peakTime: number;
  peakScore: number;
  /** At the peak. */
  contributions: MemberShare[];
}

/** Shares kept per point and episode: enough to name the links that moved. */
const TOP_SHARES = 5;
/** Episodes kept per group (the oldest dropped first). */
const MAX_EPISODES = 200;
const QUANTILE = 0.99;

/** The SPE threshold's multiple of the normal SPEs' 99th percentile: 4 at sensitivity 0, 2 at 50, 1 at 100. */
export const thresholdFactor = (sensitivity: number) =>
  4 ** (1 - Math.min(100, Math.max(0, sensitivity)) / 100);

export class NetworkDetector {
  private readonly options: NetworkDetectorOptions;
  private readonly rows: Float64Array[] = [];
  private readonly normalSpe: number[] = [];
  private model: SubspaceModel | null = null;
  private sinceFit = 0;
  private anomalousRun = 0;
  private last: Float64Array;
  private readonly found: RawNetworkEpisode[] = [];

  constructor(
    readonly members: number,
    options: Partial<NetworkDetectorOptions> = {},
  ) {
    this.options = { ...DEFAULT_NETWORK_OPTIONS, ...options };
    this.last = new Float64Array(members);
  }

  /** Score the vector at `timestamp` (one value per member, null where missing), then learn from it. */
  push(timestamp: number, values: readonly (number | null)[]): NetworkPoint {
    const missing = values.filter((v) => v === null || !Number.isFinite(v)).length;
    if (values.length !== this.members || missing * 2 > this.members) {
      return { timestamp, score: null, anomaly: false, contributions: [] };
    }
    // A missing member is its previous value in the window; the score estimates it from the others.
    const row = new Float64Array(this.members);
    const x = new Float64Array(this.members);
    values.forEach((v, j) => {
      const ok = v !== null && Number.isFinite(v);
      row[j] = ok ? v : this.last[j];
      x[j] = ok ? v : NaN;
    });
    this.last = row;

    let score: number | null = null;
    let contributions: MemberShare[] = [];
    let spe: number | null = null;
    if (this.model) {
      const r = this.model.residual(x);
      spe = r.spe;
      if (this.normalSpe.length >= this.options.calibration) {
        score = Math.sqrt(spe / this.threshold());
        contributions = shares(r.residual, spe);
      }
    }
    const anomaly = score !== null && score >= 1;
    this.anomalousRun = anomaly ? this.anomalousRun + 1 : 0;
    this.track(timestamp, score, anomaly, contributions);

    if (!anomaly || this.anomalousRun >= this.options.window / 4) {
      push(this.rows, row, this.options.window);
      if (spe !== null) push(this.normalSpe, spe, this.options.window);
    }
    this.sinceFit++;
    if (
      this.rows.length >= Math.max(3, this.options.minFit) &&
      (!this.model || this.sinceFit >= this.options.refitEvery)
    ) {
      this.model = SubspaceModel.fit(this.rows, this.options.fit);
      this.sinceFit = 0;
    }
    return { timestamp, score, anomaly, contributions };
  }

  episodes(): readonly RawNetworkEpisode[] {
    return this.found;
  }

  /** Drop the episodes that ended before t (the group's retention). */
  forgetBefore(t: number): void {
    while (this.found.length > 0 && !this.found[0].open && this.found[0].end < t) this.found.shift();
  }

  /** Components of the current model (0 before the first fit). */
  get components(): number {
    return this.model?.k ?? 0;
  }

  private threshold(): number {
    const sorted = [...this.normalSpe].sort((a, b) => a - b);
    const q = sorted[Math.min(sorted.length - 1, Math.floor(QUANTILE * sorted.length))];
    const empirical = q * thresholdFactor(this.options.sensitivity);
    return Math.max(this.model?.qLimit ?? 0, empirical, Number.MIN_VALUE);
  }

  private track(
    timestamp: number,
    score: number | null,
    anomaly: boolean,
    contributions: MemberShare[],
  ): void {
    const open = this.found.at(-1)?.open ? this.found.at(-1) : undefined;
    if (anomaly && score !== null) {
      if (open) {
        open.end = timestamp;
        if (score > open.peakScore)
          Object.assign(open, { peakScore: score, peakTime: timestamp, contributions });
      } else {
        this.found.push({
          start: timestamp,
          end: timestamp,
          open: true,
          peakTime: timestamp,
          peakScore: score,
          contributions,
        });
        if (this.found.length > MAX_EPISODES) this.found.shift();
      }
    } else if (open && score !== null) {
      open.open = false;
    }
  }
}

function push<T>(ring: T[], value: T, capacity: number): void {
  ring.push(value);
  if (ring.length > capacity) ring.shift();
}

function shares(residual: Float64Array, spe: number): MemberShare[] {
  if (!(spe > 0)) return [];
  const out: MemberShare[] = [];
  residual.forEach((r, member) => out.push({ member, share: (r * r) / spe }));
  return out.sort((a, b) => b.share - a.share).slice(0, TOP_SHARES);
}
