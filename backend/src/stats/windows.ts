/**
 * Streaming window primitives shared by the batch featurizers and the detectors.
 * Each update is O(1) or O(log w + w/ memmove), so a detector scores a point in microseconds.
 * Each has `snapshot()` (its whole state, JSON-safe: see snapshot.ts) and `restore()`, which loads a
 * snapshot into an instance constructed with the same size; snapshots and restores allocate, updates do not.
 */
import {
  StateError,
  dec,
  enc,
  encFloat32,
  expectSame,
  type EwStatsState,
  type RingState,
  type RollingMomentsState,
  type SortedWindowState,
} from '../snapshots/codec.js';

/**
 * Shifts of fewer slots than this are a loop, longer ones copyWithin: the call costs ~30 ns whatever the
 * length, the loop ~1 ns a slot (measured on Node 20).
 */
const SHORT_SHIFT = 24;

/** Slots from … to − 1 of `s` move right by one (slot `from` is then free to write). */
function shiftRight(s: Float32Array, from: number, to: number): void {
  if (to - from < SHORT_SHIFT) for (let k = to; k > from; k--) s[k] = s[k - 1];
  else s.copyWithin(from + 1, from, to);
}

/** Slots from + 1 … to of `s` move left by one (slot `to` is then free to write). */
function shiftLeft(s: Float32Array, from: number, to: number): void {
  if (to - from < SHORT_SHIFT) for (let k = from; k < to; k++) s[k] = s[k + 1];
  else s.copyWithin(from, from + 1, to + 1);
}

/** SortedWindow.madToScratch's result (one per thread: the engine is synchronous). */
const scratch = new Float64Array(1);
/**
 * ±Infinity and NaN as module constants: a literal `-Infinity` as one arm of a conditional whose other arm
 * is arithmetic made TurboFan box that arithmetic (two heap numbers per MAD, measured on Node 20). The
 * same for median()'s `return NaN` of an empty window: every median read inlined into a component's step
 * was a new heap number (a level-shift step allocated ~48 bytes, 4.5 of the 32 MB a worker allocated for
 * half of the bench's dashboard request; issue 15).
 */
const NEG_INFINITY = -Infinity;
const POS_INFINITY = Infinity;
const NOT_A_NUMBER = NaN;

/** Largest finite Float32. */
const FLOAT32_MAX = 3.4028234663852886e38;

/**
 * x rounded to Float32, a finite x beyond its range clamped to ±FLOAT32_MAX: Math.fround makes it ±Infinity,
 * and an infinite expected value scored a point Infinity (null in the JSON answer; score.property.test found
 * it with values of −3.4028235677973366e38, just past the range).
 */
export function toFloat32(x: number): number {
  const f = Math.fround(x);
  return Number.isFinite(x) && !Number.isFinite(f) ? Math.sign(x) * FLOAT32_MAX : f;
}

/** Throws a StateError unless `s` is the snapshot of a ring of `size` slots (Ring.snapshot's layout). */
export function checkRingState(s: RingState, size: number, path: string): void {
  expectSame(`${path}.size`, s.size, size);
  const n = s.values.length;
  if (n > size) throw new StateError(`${path}.values`, `has ${n} values, the ring holds ${size}`);
  if (s.head >= size) throw new StateError(`${path}.head`, `is ${s.head}, past the ring's ${size} slots`);
  if (n < size && s.head !== n) {
    throw new StateError(
      `${path}.head`,
      `is ${s.head}, but a ring holding ${n} of ${size} values has it at ${n}`,
    );
  }
}

/**
 * Ring buffer of the last `size` values (NaN = missing is not stored). With `initial` below `size` its
 * storage starts at that many slots and doubles as values arrive (a history that may be released long
 * before it fills, detectors/seasonal/component.ts): until full the values sit at slots 0 … count − 1
 * either way, so a growing ring behaves and snapshots exactly as a full-size one.
 */
export class Ring {
  private storage: Float64Array | Float32Array;
  private head = 0;
  count = 0;
  constructor(
    readonly size: number,
    /** Float32 storage: values are kept to ~7 significant digits (see SortedWindow). */
    private readonly single = false,
    private readonly initial = size,
  ) {
    this.storage = this.alloc(Math.max(1, Math.min(size, initial)));
  }
  private alloc(n: number): Float64Array | Float32Array {
    return this.single ? new Float32Array(n) : new Float64Array(n);
  }
  /** The slots allocated (at most `size`), as they are stored. */
  get buf(): Float64Array | Float32Array {
    return this.storage;
  }
  /** Slots allocated (at most `size`). */
  get allocated(): number {
    return this.storage.length;
  }
  /** Push a value, returning the one evicted (NaN if the ring was not full). */
  push(x: number): number {
    if (this.count === this.storage.length && this.count < this.size) {
      // Not yet full, so the values are at 0 … count − 1 and head is count.
      const next = this.alloc(Math.min(this.size, 2 * this.storage.length));
      next.set(this.storage);
      this.storage = next;
    }
    const evicted = this.count === this.size ? this.storage[this.head] : NaN;
    this.storage[this.head] = x;
    this.head = this.head + 1 === this.size ? 0 : this.head + 1;
    if (this.count < this.size) this.count++;
    return evicted;
  }
  /** Overwrite the newest value (the ring must not be empty), returning the one it held. */
  setNewest(x: number): number {
    const i = (this.head - 1 + this.size) % this.size;
    const old = this.storage[i];
    this.storage[i] = x;
    return old;
  }
  /** i-th most recent value (0 = newest). */
  recent(i: number): number {
    return this.storage[(this.head - 1 - i + 2 * this.size) % this.size];
  }
  get full(): boolean {
    return this.count === this.size;
  }
  toArray(): number[] {
    const out: number[] = [];
    for (let i = this.count - 1; i >= 0; i--) out.push(this.recent(i));
    return out;
  }
  snapshot(): RingState {
    const values = this.toArray().map(this.storage instanceof Float32Array ? encFloat32 : enc);
    return { size: this.size, head: this.head, values };
  }
  /** Load a snapshot: the same values in the same slots, so pushes evict exactly as before. */
  restore(s: RingState, path = 'ring'): void {
    checkRingState(s, this.size, path);
    const n = s.values.length;
    const slots = n < this.size ? Math.max(1, n, Math.min(this.size, this.initial)) : this.size;
    if (this.storage.length === slots) this.storage.fill(0);
    else this.storage = this.alloc(slots);
    for (let i = 0; i < n; i++) {
      // A Float64 snapshot's value loaded into Float32 slots is rounded as push rounds it.
      const x = this.single ? toFloat32(dec(s.values[i])) : dec(s.values[i]);
      this.storage[(s.head - n + i + this.size) % this.size] = x;
    }
    this.head = s.head;
    this.count = n;
  }
  static fromSnapshot(s: RingState, path?: string, initial = s.size, single = false): Ring {
    const r = new Ring(s.size, single, initial);
    r.restore(s, path);
    return r;
  }
}

/**
 * Sliding window that keeps its values sorted, for rolling median / quantiles / IQR.
 * Insertion and deletion are binary search + memmove: no library offers an order-statistics window
 * over typed arrays that beats this for the window sizes used here (≤ a few thousand).
 * Values are kept as Float32 (ring and sorted copy: 8 bytes a slot instead of 16; the six windows of an
 * `auto` stream hold ~1,700 slots): their relative error, 6·10⁻⁸, is far below every scale floor (1 % of
 * the series' magnitude, detectors/scale.ts).
 */
export class SortedWindow {
  /**
   * One Float32Array of 2 × size slots: the sorted copy at [0, size), the values in arrival order (a ring
   * whose next slot is `head`) at [size, 2 × size). One typed array instead of a ring object and two
   * arrays: every typed array costs ~170 bytes of heap objects besides its slots (issue 15).
   */
  private readonly data: Float32Array;
  private n = 0;
  private head = 0;
  /** Values in the ring (equals n: the sorted copy holds the ring's values). */
  private held = 0;
  /** The slot where the last MAD's k + 1 nearest values began (the MAD search's first guess; not state). */
  private madLeft = 0;
  constructor(readonly size: number) {
    this.data = new Float32Array(2 * size);
  }
  get count(): number {
    return this.n;
  }
  push(value: number): void {
    const x = toFloat32(value);
    const size = this.size;
    const head = this.head;
    const slot = size + head;
    const evicted = this.held === size ? this.data[slot] : NaN;
    this.data[slot] = x;
    // A compare, not %: an integer division per push showed in the profile.
    this.head = head + 1 === size ? 0 : head + 1;
    if (this.held < size) this.held++;
    if (this.held === this.n && !Number.isNaN(evicted)) this.swap(evicted, x);
    else this.insert(x);
  }
  /** Replace the newest value (a measurement revised after the fact); nothing when empty. */
  replaceNewest(value: number): void {
    if (this.n === 0) return;
    const x = toFloat32(value);
    const slot = this.size + ((this.head - 1 + this.size) % this.size);
    const old = this.data[slot];
    this.data[slot] = x;
    this.swap(old, x);
  }
  /** i-th most recent value of the ring (0 = newest). */
  private recent(i: number): number {
    return this.data[this.size + ((this.head - 1 - i + 2 * this.size) % this.size)];
  }
  /** First index in [from, to) of the sorted copy whose value is ≥ x (to when none). */
  private lowerBound(x: number, from = 0, to = this.n): number {
    // By length, on a local array: ~10 % faster pushes than lo/hi on this.data (Node 20).
    const s = this.data;
    let lo = from;
    let len = to - from;
    while (len > 0) {
      const half = len >>> 1;
      const mid = lo + half;
      if (s[mid] < x) {
        lo = mid + 1;
        len -= half + 1;
      } else len = half;
    }
    return lo;
  }
  private insert(x: number): void {
    const s = this.data;
    const i = this.lowerBound(x);
    // Bounded at the sorted copy's end, as a copyWithin on an array of its own was.
    shiftRight(s, i, Math.min(this.n, this.size - 1));
    s[i] = x;
    this.n++;
  }
  /**
   * remove(out) then insert(x) with one shift of the slots between the two positions instead of two
   * shifts of the whole tail (the window is full at every point of a long series, so this is the
   * common update). The sorted copy ends up exactly as remove + insert leave it.
   */
  private swap(out: number, x: number): void {
    const s = this.data;
    // Both lower bounds at once, branch-free: each step moves a base by half or by 0 (a multiply, not a
    // branch), and the two searches run side by side. Where they go is as unpredictable as the data:
    // two branching searches one after the other were the largest cost of a push, and this is ~8 %
    // faster batch scoring (one branch-free search alone was slower: its steps wait on each other).
    let bi = 0;
    let bj = 0;
    let len = this.n;
    while (len > 1) {
      const half = len >>> 1;
      bi += Number(s[bi + half - 1] < out) * half;
      bj += Number(s[bj + half - 1] < x) * half;
      len -= half;
    }
    const i = bi + Number(s[bi] < out); // lower bound of out: its slot
    let j = bj + Number(s[bj] < x); // lower bound of x among all n values, out included
    if (j > i) {
      j--; // once out is gone: slots i+1 … j move left by one
      shiftLeft(s, i, j);
    } else if (j < i) {
      shiftRight(s, j, i); // slots j … i−1 move right by one
    }
    s[j] = x;
  }
  /** Quantile with linear interpolation (type 7, as numpy's default). NaN when empty. */
  quantile(q: number): number {
    if (this.n === 0) return NaN;
    const pos = q * (this.n - 1);
    const lo = Math.floor(pos);
    const hi = Math.min(lo + 1, this.n - 1);
    return this.data[lo] + (this.data[hi] - this.data[lo]) * (pos - lo);
  }
  /** quantile(0.5), the same arithmetic without its general position (pos − lo is 0 or exactly 0.5). */
  median(): number {
    const n = this.n;
    if (n === 0) return NOT_A_NUMBER;
    const lo = (n - 1) >> 1;
    const hi = lo + 1 < n ? lo + 1 : lo;
    const a = this.data[lo];
    return a + (this.data[hi] - a) * ((n & 1) === 1 ? 0 : 0.5);
  }
  min(): number {
    return this.n ? this.data[0] : NaN;
  }
  max(): number {
    return this.n ? this.data[this.n - 1] : NaN;
  }
  /**
   * Median absolute deviation from the median (unscaled), exact, without sorting: O(log w) at worst,
   * ~O(1) from one push to the next. Deviations left of the median, read outwards, form one ascending
   * sequence and those right of it another; the MAD is a k-th smallest of two sorted sequences, found by
   * a search that starts where the last one ended. This is the hottest function of the engine (every
   * robust component asks for it at every point).
   */
  mad(): number {
    this.madToScratch();
    return scratch[0];
  }

  /**
   * The MAD into scratch[0], with its doubles kept inside one call: a double passed to or returned from a
   * call that is not inlined is a new heap number (a sixth of what batch scoring allocated).
   *
   * The k-th smallest (0-based) |x − m|, k = ⌊(n − 1)/2⌋, where sorted[0, r) < m ≤ sorted[r, n), and for an
   * even window that interpolated halfway toward the (k+1)-th: the smaller of the two deviations next to
   * the split that gives the k-th, so an even window's MAD takes one search, not two (the same values: an
   * order statistic is one number).
   */
  private madToScratch(): void {
    const n = this.n;
    if (n === 0) {
      scratch[0] = NaN;
      return;
    }
    const m = this.median();
    // lowerBound(m) without a search in the common case: the median lies between the middle slots, so r
    // is the upper middle slot or the lower one, unless ties reach below it (then the slots below only).
    const s = this.data;
    const k = (n - 1) >> 1;
    const upper = k + 1 < n ? k + 1 : k;
    let r: number;
    if (s[k] < m) r = s[upper] >= m ? upper : this.lowerBound(m);
    else if (k === 0 || s[k - 1] < m) r = k;
    else r = this.lowerBound(m, 0, k);
    const frac = (n & 1) === 1 ? 0 : 0.5;
    const la = r; // left deviations: A(i) = m − s[r − 1 − i], ascending in i
    const lb = n - r; // right deviations: B(j) = s[r + j] − m, ascending in j
    let lo = Math.max(0, k + 1 - lb);
    let hi = Math.min(k + 1, la);
    // The first split tried is the last call's (the same left slot, r − i), galloping from it: one push
    // moves the median's neighbourhood by a slot or two, so this takes ~2 probes instead of ~log₂ w.
    // Any split the search ends on gives the same two deviations (order statistics); a NaN median, whose
    // deviations do not order, takes the plain search.
    let i = m === m ? r - this.madLeft : (lo + hi) >>> 1;
    if (i < lo) i = lo;
    else if (i > hi) i = hi;
    // The gallop's stride while every probe points the same way (dir), 0 once it bisects.
    let step = 1;
    let dir = 0;
    while (lo <= hi) {
      const j = k + 1 - i; // take i from A and j from B
      if (i < la && j > 0 && s[r + j - 1] - m > m - s[r - 1 - i]) {
        lo = i + 1;
        if (step > 0 && dir >= 0) {
          dir = 1;
          i = i + step < hi ? i + step : hi;
          step *= 2;
        } else {
          step = 0;
          i = (lo + hi) >>> 1;
        }
      } else if (i > 0 && j < lb && m - s[r - i] > s[r + j] - m) {
        hi = i - 1;
        if (step > 0 && dir <= 0) {
          dir = -1;
          i = i - step > lo ? i - step : lo;
          step *= 2;
        } else {
          step = 0;
          i = (lo + hi) >>> 1;
        }
      } else {
        this.madLeft = r - i;
        const fromA = i > 0 ? m - s[r - i] : NEG_INFINITY;
        const fromB = j > 0 ? s[r + j - 1] - m : NEG_INFINITY;
        const kth = fromA > fromB ? fromA : fromB;
        if (frac === 0) {
          scratch[0] = kth;
          return;
        }
        const nextA = i < la ? m - s[r - 1 - i] : POS_INFINITY;
        const nextB = j < lb ? s[r + j] - m : POS_INFINITY;
        scratch[0] = kth + ((nextA < nextB ? nextA : nextB) - kth) * frac;
        return;
      }
    }
    scratch[0] = NaN; // unreachable for 0 ≤ k < n
  }

  values(): number[] {
    const out: number[] = [];
    for (let i = this.held - 1; i >= 0; i--) out.push(this.recent(i));
    return out;
  }
  /** The ring's snapshot (RingState: a Ring of Float32 values snapshots the same). */
  snapshot(): SortedWindowState {
    return { size: this.size, head: this.head, values: this.values().map(encFloat32) };
  }
  /**
   * Load a snapshot: the ring as it was, and the sorted copy rebuilt from it. The rebuilt copy can differ
   * from the original only in the order of +0 and −0 among equal zeros, which no quantile tells apart and
   * which can at most flip the sign of a zero MAD (every scale built from a MAD is floored above zero).
   */
  restore(s: SortedWindowState, path = 'window'): void {
    checkRingState(s, this.size, path);
    const n = s.values.length;
    this.data.fill(0);
    for (let i = 0; i < n; i++)
      this.data[this.size + ((s.head - n + i + this.size) % this.size)] = toFloat32(dec(s.values[i]));
    this.head = s.head;
    this.held = n;
    this.n = 0;
    for (let i = n - 1; i >= 0; i--) {
      const x = this.recent(i);
      if (Number.isNaN(x))
        throw new StateError(`${path}.values`, 'holds null (NaN); a sorted window holds numbers only');
      this.insert(x);
    }
  }
  static fromSnapshot(s: SortedWindowState, path?: string): SortedWindow {
    const w = new SortedWindow(s.size);
    w.restore(s, path);
    return w;
  }
}

/**
 * Rolling mean and standard deviation over the last `size` values. Sums are kept of values minus a
 * shift (the shifted-data algorithm), so a large level such as 1e9 bytes/s does not cancel the variance.
 */
export class RollingMoments {
  private readonly ring: Ring;
  private shift = NaN;
  private sum = 0;
  private sumSq = 0;
  // Re-sum periodically so floating-point drift from add/subtract cannot accumulate.
  private sinceResum = 0;
  constructor(readonly size: number) {
    this.ring = new Ring(size);
  }
  get count(): number {
    return this.ring.count;
  }
  push(x: number): void {
    if (Number.isNaN(this.shift)) this.shift = x;
    const evicted = this.ring.push(x);
    const d = x - this.shift;
    this.sum += d;
    this.sumSq += d * d;
    if (!Number.isNaN(evicted)) {
      const e = evicted - this.shift;
      this.sum -= e;
      this.sumSq -= e * e;
    }
    if (++this.sinceResum >= 4 * this.size) this.resum();
  }
  private resum(): void {
    this.sinceResum = 0;
    this.shift = this.mean();
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < this.ring.count; i++) {
      const d = this.ring.recent(i) - this.shift;
      s += d;
      s2 += d * d;
    }
    this.sum = s;
    this.sumSq = s2;
  }
  mean(): number {
    return this.ring.count ? this.shift + this.sum / this.ring.count : NaN;
  }
  /** Sample standard deviation (n − 1). */
  std(): number {
    const n = this.ring.count;
    if (n < 2) return NaN;
    const m = this.sum / n;
    return Math.sqrt(Math.max(0, (this.sumSq - n * m * m) / (n - 1)));
  }
  snapshot(): RollingMomentsState {
    return {
      ring: this.ring.snapshot(),
      shift: enc(this.shift),
      sum: enc(this.sum),
      sumSq: enc(this.sumSq),
      sinceResum: this.sinceResum,
    };
  }
  restore(s: RollingMomentsState, path = 'moments'): void {
    this.ring.restore(s.ring, `${path}.ring`);
    this.shift = dec(s.shift);
    this.sum = dec(s.sum);
    this.sumSq = dec(s.sumSq);
    this.sinceResum = s.sinceResum;
  }
  static fromSnapshot(s: RollingMomentsState, path?: string): RollingMoments {
    const m = new RollingMoments(s.ring.size);
    m.restore(s, path);
    return m;
  }
}

/** Exponentially weighted mean and variance (West's incremental form). */
export class EwStats {
  mean = NaN;
  variance = 0;
  n = 0;
  constructor(readonly alpha: number) {}
  push(x: number): void {
    this.n++;
    if (Number.isNaN(this.mean)) {
      this.mean = x;
      this.variance = 0;
      return;
    }
    const diff = x - this.mean;
    const incr = this.alpha * diff;
    this.mean += incr;
    this.variance = (1 - this.alpha) * (this.variance + diff * incr);
  }
  get std(): number {
    return Math.sqrt(this.variance);
  }
  /** The smoothing factor is not part of the snapshot: it is the constructor's. */
  snapshot(): EwStatsState {
    return { mean: enc(this.mean), variance: enc(this.variance), n: this.n };
  }
  restore(s: EwStatsState): void {
    this.mean = dec(s.mean);
    this.variance = dec(s.variance);
    this.n = s.n;
  }
  static fromSnapshot(s: EwStatsState, alpha: number): EwStats {
    const e = new EwStats(alpha);
    e.restore(s);
    return e;
  }
}

/**
 * One step of an exponential mean that starts at its first value (`mean` NaN: none yet): EwStats' mean
 * without its variance and count, for a mean kept as a plain number field (a few bytes, not an object).
 */
export function ewMean(mean: number, x: number, alpha: number): number {
  return Number.isNaN(mean) ? x : mean + alpha * (x - mean);
}

/** Smoothing factor for an EWMA whose weights have the given half-life in points. */
export function alphaForHalfLife(halfLife: number): number {
  return 1 - Math.pow(0.5, 1 / halfLife);
}
