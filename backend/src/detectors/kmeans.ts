/**
 * k-means distance on window feature vectors, in the manner Netdata made popular: each point's
 * vector is the last `lag + 1` first differences of the `smooth`-point moving average, so it describes
 * the local *shape* of the series. k-means (ml-kmeans) is refit every `refitEvery` points on the last
 * `trainSize` vectors; the deviation is the distance to the nearest centroid divided by a high quantile
 * of the training distances, signed by the direction of the latest change.
 */
import { kmeans } from 'ml-kmeans';
import { z } from 'zod';
import { stateOfType, type Component, type Deviation, type TaggedState } from './component.js';
import { EwStats, Ring, alphaForHalfLife } from '../stats/windows.js';
import {
  Count,
  EwStatsState,
  Num,
  RingState,
  StateError,
  dec,
  decArray,
  enc,
  encArray,
  expectLength,
  expectSame,
} from '../snapshots/codec.js';

export const KMeansState = z.object({
  type: z.literal('kmeans'),
  options: z.object({
    k: z.number(),
    smooth: z.number(),
    lag: z.number(),
    trainSize: z.number(),
    minTrain: z.number(),
    refitEvery: z.number(),
    refQuantile: z.number(),
  }),
  raw: RingState,
  diffs: RingState,
  prevSmooth: Num,
  /** Training vectors in storage order, `trainCount × (lag + 1)` values; the next one goes to `trainHead`. */
  train: z.array(Num),
  trainCount: Count,
  trainHead: Count,
  sinceFit: Count,
  centroids: z.array(z.array(Num)),
  refDistance: Num,
  stepScale: EwStatsState,
});
export type KMeansState = z.infer<typeof KMeansState>;

export interface KMeansOptions {
  k: number;
  smooth: number;
  lag: number;
  trainSize: number;
  minTrain: number;
  refitEvery: number;
  /** Quantile of training distances that maps to deviation 1. */
  refQuantile: number;
}

export const DEFAULT_KMEANS: KMeansOptions = {
  k: 2,
  smooth: 3,
  lag: 5,
  trainSize: 1000,
  minTrain: 100,
  refitEvery: 250,
  refQuantile: 0.99,
};

export class KMeansComponent implements Component<KMeansState> {
  readonly feature = 'window_shape_distance';
  readonly kindUp = 'spike' as const;
  readonly kindDown = 'dip' as const;
  readonly providesBand = false;
  readonly affine = false;
  private readonly o: KMeansOptions;
  private readonly raw: Ring;
  private readonly diffs: Ring;
  private prevSmooth = NaN;
  private readonly train: Float64Array;
  private trainCount = 0;
  private trainHead = 0;
  private sinceFit = 0;
  private centroids: number[][] = [];
  private refDistance = NaN;
  private readonly vec: Float64Array;
  private readonly stepScale = new EwStats(alphaForHalfLife(500));

  constructor(options: Partial<KMeansOptions> = {}) {
    this.o = { ...DEFAULT_KMEANS, ...options };
    this.raw = new Ring(this.o.smooth);
    this.diffs = new Ring(this.o.lag + 1);
    this.train = new Float64Array(this.o.trainSize * (this.o.lag + 1));
    this.vec = new Float64Array(this.o.lag + 1);
  }

  private distance(v: Float64Array): number {
    let best = Infinity;
    for (const c of this.centroids) {
      let d = 0;
      for (let j = 0; j < v.length; j++) d += (v[j] - c[j]) ** 2;
      if (d < best) best = d;
    }
    return Math.sqrt(best);
  }

  private fit(): void {
    const dim = this.o.lag + 1;
    const data: number[][] = [];
    for (let i = 0; i < this.trainCount; i++)
      data.push(Array.from(this.train.subarray(i * dim, (i + 1) * dim)));
    let res: { centroids: number[][] };
    try {
      res = kmeans(data, Math.min(this.o.k, data.length), { seed: 42, initialization: 'kmeans++' });
    } catch {
      // ml-kmeans can fail on degenerate data (e.g. all vectors identical); keep the previous model.
      return;
    }
    this.centroids = res.centroids;
    const dists = data.map((row) => this.distance(Float64Array.from(row))).sort((a, b) => a - b);
    const q = dists[Math.min(dists.length - 1, Math.floor(this.o.refQuantile * (dists.length - 1)))];
    this.refDistance = q > 0 ? q : dists[dists.length - 1] > 0 ? dists[dists.length - 1] : 1e-12;
  }

  /** Shape vectors are its own training data (refit on a schedule), so learning happens in `step`. */
  learn(): void {}
  step(x: number, out: Deviation): void {
    out.expected = NaN;
    out.scale = NaN;
    out.z = NaN;
    if (Number.isNaN(x)) return;
    this.raw.push(x);
    if (!this.raw.full) return;
    let s = 0;
    for (let i = 0; i < this.raw.count; i++) s += this.raw.recent(i);
    const smooth = s / this.raw.count;
    const d = smooth - this.prevSmooth;
    this.prevSmooth = smooth;
    if (Number.isNaN(d)) return;
    // Vectors are in units of the typical step, so distances neither overflow on huge magnitudes
    // (1e300 squared is Inf) nor depend on the series' units.
    this.stepScale.push(Math.abs(d));
    const unit = this.stepScale.mean > 0 && Number.isFinite(this.stepScale.mean) ? this.stepScale.mean : 1;
    this.diffs.push(Math.max(-1e6, Math.min(1e6, d / unit)));
    if (!this.diffs.full) return;
    for (let j = 0; j < this.vec.length; j++) this.vec[j] = this.diffs.recent(j);

    if (this.centroids.length > 0) {
      const dist = this.distance(this.vec);
      out.z = (d >= 0 ? 1 : -1) * (dist / this.refDistance);
      out.scale = 1;
    }
    const dim = this.vec.length;
    this.train.set(this.vec, this.trainHead * dim);
    this.trainHead = (this.trainHead + 1) % this.o.trainSize;
    this.trainCount = Math.min(this.trainCount + 1, this.o.trainSize);
    this.sinceFit++;
    if (
      this.trainCount >= this.o.minTrain &&
      (this.centroids.length === 0 || this.sinceFit >= this.o.refitEvery)
    ) {
      this.sinceFit = 0;
      this.fit();
    }
  }

  snapshot(): KMeansState {
    const dim = this.o.lag + 1;
    return {
      type: 'kmeans',
      options: { ...this.o },
      raw: this.raw.snapshot(),
      diffs: this.diffs.snapshot(),
      prevSmooth: enc(this.prevSmooth),
      // Slots past trainCount vectors are never read before they are written.
      train: encArray(this.train, 0, this.trainCount * dim),
      trainCount: this.trainCount,
      trainHead: this.trainHead,
      sinceFit: this.sinceFit,
      centroids: this.centroids.map((c) => encArray(c)),
      refDistance: enc(this.refDistance),
      stepScale: this.stepScale.snapshot(),
    };
  }

  restore(state: TaggedState, path = 'component'): void {
    const s = stateOfType<KMeansState>(state, 'kmeans', path);
    for (const key of Object.keys(this.o) as (keyof KMeansOptions)[]) {
      expectSame(`${path}.options.${key}`, s.options[key], this.o[key]);
    }
    const dim = this.o.lag + 1;
    const size = this.o.trainSize;
    if (s.trainCount > size)
      throw new StateError(`${path}.trainCount`, `is ${s.trainCount}, more than trainSize ${size}`);
    if (s.trainHead >= size || (s.trainCount < size && s.trainHead !== s.trainCount)) {
      throw new StateError(
        `${path}.trainHead`,
        `is ${s.trainHead}, inconsistent with trainCount ${s.trainCount} of ${size}`,
      );
    }
    expectLength(
      `${path}.train`,
      s.train.length,
      s.trainCount * dim,
      `trainCount ${s.trainCount} × ${dim} dimensions`,
    );
    if (s.centroids.length > this.o.k) {
      throw new StateError(`${path}.centroids`, `has ${s.centroids.length} centroids, k is ${this.o.k}`);
    }
    s.centroids.forEach((c, i) => expectLength(`${path}.centroids[${i}]`, c.length, dim, 'a centroid'));
    this.raw.restore(s.raw, `${path}.raw`);
    this.diffs.restore(s.diffs, `${path}.diffs`);
    this.prevSmooth = dec(s.prevSmooth);
    this.train.fill(0);
    for (let i = 0; i < s.train.length; i++) this.train[i] = dec(s.train[i]);
    this.trainCount = s.trainCount;
    this.trainHead = s.trainHead;
    this.sinceFit = s.sinceFit;
    this.centroids = s.centroids.map(decArray);
    this.refDistance = dec(s.refDistance);
    this.stepScale.restore(s.stepScale);
  }
}
