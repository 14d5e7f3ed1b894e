/**
 * The recent scored points of one series: a ring buffer of fixed capacity stored as typed columns
 * (25–33 bytes a point instead of an object each), so retention bounds memory exactly. Columns grow by
 * doubling up to the capacity, so a series that never fills its retention stays small.
 *
 * Timestamps are kept exactly: as a start and a step while the points are regular, else as Int32
 * millisecond offsets from a base (TimeColumn: 0 or 4 bytes a point; Float64 only for a ring whose
 * retained span passes 24.8 days or whose timestamps are not whole milliseconds). Values are Float64:
 * they are what the alert-volume preview replays (its `current` equals `live` only if it replays
 * exactly the values the live stream was fed) and what the flatline check compares for equality. Score, expected value and band are Float32 (issue 15: 49 → 33 bytes a
 * point, 138 → 93 KiB a series at the default retention of 2,880): kept to ~7 significant digits
 * (relative error ≤ 6·10⁻⁸), which is what GET /api/v1/jobs/{name}/series and the feedback tolerances
 * read. The anomaly flag and direction are stored exactly, as decided live at full precision, so the
 * episodes, alerts and the preview's `live` do not depend on the rounding; a feedback tolerance band
 * recomputed from a rounded band can differ from a full-precision one only for a value within that
 * rounding of the band's edge.
 */
import type { Direction } from '../contract/score.js';
import type { StreamPoint } from '../engine/index.js';
import { toFloat32 } from '../stats/windows.js';

export interface PointColumns {
  timestamps: number[];
  values: (number | null)[];
  score: number[];
  expected: (number | null)[];
  lower: (number | null)[];
  upper: (number | null)[];
  anomaly: boolean[];
  direction: (Direction | null)[];
}

/**
 * A ring's points as they are stored (jobs/persistence.ts): the columns oldest first, each the base64
 * of its little-endian typed array as the ring holds it (ts and value Float64; score, expected, lower
 * and upper Float32, flags Uint8), so a restored ring holds bit-identical values (NaN included) and a
 * 2880-point series costs ~130 kB of JSON instead of ~400 kB of decimal numbers. Snapshots written
 * before the Float32 columns (8 bytes a value) are read too, rounded to Float32 as they are loaded.
 */
export interface RingSnapshot {
  count: number;
  ts: string;
  value: string;
  score: string;
  expected: string;
  lower: string;
  upper: string;
  flags: string;
}

const INITIAL = 256;
const INT32_MAX = 0x7fffffff;

/**
 * A column of timestamps stored exactly, in the first of three forms that holds them:
 * - a grid (no array): while every point is one step after the previous one, slot i holds the newest
 *   timestamp less its distance back from the newest slot times the step (whole milliseconds only);
 * - Int32 milliseconds from `base` (the first timestamp, moved up to the oldest retained one when a newer
 *   timestamp no longer fits): from the first point off the grid (a gap: a job's points skip the steps
 *   its source had no sample for);
 * - Float64, once a timestamp cannot be so written (fractional milliseconds, a retained span past
 *   INT32_MAX ms, ~24.8 days).
 * A column does not go back to an earlier form (issue 15: 33 bytes a point → 25 on a grid, 29 off it).
 */
class TimeColumn {
  private newest = NaN;
  private newestSlot = -1;
  /** The grid's step (NaN until the second timestamp). */
  private step = NaN;
  private offsets: Int32Array | null = null;
  private wide: Float64Array | null = null;
  private base = NaN;

  constructor(readonly length: number) {}

  at(i: number): number {
    if (this.wide) return this.wide[i];
    if (this.offsets) return this.base + this.offsets[i];
    return this.gridAt(i);
  }

  private gridAt(i: number): number {
    const back = (this.newestSlot - i + this.length) % this.length;
    return back === 0 ? this.newest : this.newest - back * this.step;
  }

  /** Whether t written at slot i keeps the column a grid (exact: whole milliseconds below 2^53). */
  private onGrid(i: number, t: number): boolean {
    if (!Number.isSafeInteger(t)) return false;
    if (this.newestSlot < 0) return true;
    if (i !== (this.newestSlot + 1) % this.length) return false;
    if (Number.isNaN(this.step)) return t > this.newest;
    return t === this.newest + this.step;
  }

  /** Whether t can be written as an offset from the base, read back bit-identical. */
  private fits(t: number): boolean {
    if (Number.isNaN(this.base)) return true;
    const d = t - this.base;
    return Number.isInteger(d) && d >= 0 && d <= INT32_MAX && this.base + d === t;
  }

  /** The grid written out as offsets from the oldest retained timestamp, or as Float64 when too long. */
  private leaveGrid(oldest: number | null): void {
    const n = this.length;
    if (oldest !== null && this.newest - oldest > INT32_MAX) {
      this.wide = new Float64Array(n);
      for (let k = 0; k < n; k++) this.wide[k] = this.gridAt(k);
      return;
    }
    // Slots before the oldest (unused, or the one being overwritten) get values nothing reads.
    this.offsets = new Int32Array(n);
    if (oldest === null) return;
    this.base = oldest;
    for (let k = 0; k < n; k++) this.offsets[k] = this.gridAt(k) - oldest;
  }

  /**
   * Write t at slot i (slots are written in ring order); `oldest` is the oldest timestamp retained after
   * this write (the base moves up to it when t does not fit the current one). Every slot is shifted,
   * including unused ones, whose contents nothing reads.
   */
  set(i: number, t: number, oldest: number | null): void {
    if (!this.offsets && !this.wide) {
      if (this.onGrid(i, t)) {
        if (this.newestSlot >= 0 && Number.isNaN(this.step)) this.step = t - this.newest;
        this.newest = t;
        this.newestSlot = i;
        return;
      }
      this.leaveGrid(oldest);
    }
    if (this.wide) {
      this.wide[i] = t;
      return;
    }
    const offsets = this.offsets!;
    if (Number.isNaN(this.base)) this.base = t;
    if (!this.fits(t) && oldest !== null && oldest > this.base) {
      const shift = oldest - this.base;
      if (Number.isInteger(shift)) {
        for (let k = 0; k < offsets.length; k++) offsets[k] -= shift;
        this.base = oldest;
      }
    }
    if (this.fits(t)) {
      offsets[i] = t - this.base;
      return;
    }
    this.wide = new Float64Array(this.length);
    for (let k = 0; k < this.length; k++) this.wide[k] = this.base + offsets[k];
    this.offsets = null;
    this.wide[i] = t;
  }

  /** A column of n slots holding this one's first `count` logical slots (index(k)) at 0 … count − 1. */
  grown(n: number, count: number, index: (k: number) => number): TimeColumn {
    const next = new TimeColumn(n);
    for (let k = 0; k < count; k++) next.set(k, this.at(index(k)), k > 0 ? next.at(0) : null);
    return next;
  }
}

const F64_COLUMNS = ['ts', 'value'] as const;
const F32_COLUMNS = ['score', 'expected', 'lower', 'upper'] as const;
const DIRECTIONS: (Direction | null)[] = [null, 'up', 'down'];

const nullable = (v: number | null): number => (v === null ? NaN : v);
const unNaN = (v: number): number | null => (Number.isNaN(v) ? null : v);

/**
 * The value, score, band and flag columns of n slots (8 + 4 × 4 + 1 bytes a slot), as views of one
 * ArrayBuffer, Float64 first so that every view is aligned: an ArrayBuffer object costs ~90 bytes of
 * heap, and a job holds up to 200,000 rings.
 */
function columns(n: number): Columns {
  const buffer = new ArrayBuffer(25 * n);
  const f32 = (k: number) => new Float32Array(buffer, 8 * n + 4 * n * k, n);
  return {
    value: new Float64Array(buffer, 0, n),
    score: f32(0),
    expected: f32(1),
    lower: f32(2),
    upper: f32(3),
    flags: new Uint8Array(buffer, 24 * n, n),
  };
}

interface Columns {
  value: Float64Array;
  score: Float32Array;
  expected: Float32Array;
  lower: Float32Array;
  upper: Float32Array;
  flags: Uint8Array;
}
const COLUMN_NAMES = ['value', ...F32_COLUMNS, 'flags'] as const;

export class PointRing {
  private ts: TimeColumn;
  // Assigned by use(), from the constructor.
  private value!: Float64Array;
  private score!: Float32Array;
  private expected!: Float32Array;
  private lower!: Float32Array;
  private upper!: Float32Array;
  private flags!: Uint8Array;
  private head = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    if (!(Number.isInteger(capacity) && capacity > 0))
      throw new Error(`ring capacity must be a positive integer, got ${capacity}`);
    const n = Math.min(capacity, INITIAL);
    this.ts = new TimeColumn(n);
    this.use(columns(n));
  }

  /** Take `cols` as the ring's columns (the constructor's, and each grow's). */
  private use(cols: Columns): void {
    ({
      value: this.value,
      score: this.score,
      expected: this.expected,
      lower: this.lower,
      upper: this.upper,
      flags: this.flags,
    } = cols);
  }

  get size(): number {
    return this.count;
  }

  /** Append a point; timestamps must increase. Drops the oldest point when full. */
  push(p: StreamPoint): void {
    if (this.count === this.ts.length && this.ts.length < this.capacity) this.grow();
    const i = (this.head + this.count) % this.ts.length;
    // The oldest timestamp still retained after this push (the base may move up to it).
    const full = this.count === this.ts.length;
    const oldest = this.count > (full ? 1 : 0) ? this.ts.at(this.index(full ? 1 : 0)) : null;
    this.ts.set(i, p.timestamp, oldest);
    this.value[i] = nullable(p.value);
    // Clamped to ±3.4e38 rather than rounded to ±Infinity (null in JSON), as the windows do.
    this.score[i] = toFloat32(p.score);
    this.expected[i] = toFloat32(nullable(p.expected));
    this.lower[i] = toFloat32(nullable(p.lower));
    this.upper[i] = toFloat32(nullable(p.upper));
    this.flags[i] = (p.anomaly ? 1 : 0) | ((p.direction === 'up' ? 1 : p.direction === 'down' ? 2 : 0) << 1);
    if (this.count < this.ts.length) this.count++;
    else this.head = (this.head + 1) % this.ts.length;
  }

  /** The points, oldest first (see RingSnapshot). */
  snapshot(): RingSnapshot {
    type Column = Float64Array | Float32Array | Uint8Array;
    const column = (from: Column | TimeColumn, make: (n: number) => Column) => {
      const out = make(this.count);
      for (let k = 0; k < this.count; k++) {
        const i = this.index(k);
        out[k] = from instanceof TimeColumn ? from.at(i) : from[i];
      }
      return Buffer.from(out.buffer, out.byteOffset, out.byteLength).toString('base64');
    };
    const out = { count: this.count, flags: column(this.flags, (n) => new Uint8Array(n)) } as RingSnapshot;
    // The timestamps are written as Float64, as before TimeColumn: the format is unchanged.
    out.ts = column(this.ts, (n) => new Float64Array(n));
    out.value = column(this.value, (n) => new Float64Array(n));
    for (const name of F32_COLUMNS) out[name] = column(this[name], (n) => new Float32Array(n));
    return out;
  }

  /**
   * A ring of this capacity holding a snapshot's points (the newest `capacity` of them). Throws when the
   * columns do not have `count` entries each or the timestamps do not increase.
   */
  static restore(capacity: number, s: RingSnapshot): PointRing {
    const ring = new PointRing(capacity);
    if (!(Number.isInteger(s.count) && s.count >= 0)) throw new Error(`ring count ${s.count} is invalid`);
    const decode = (name: string, text: string, widths: readonly number[]) => {
      const buf = Buffer.from(text, 'base64');
      if (!widths.some((bytes) => buf.byteLength === s.count * bytes)) {
        const expected = widths.map((bytes) => s.count * bytes).join(' or ');
        throw new Error(`ring column ${name} has ${buf.byteLength} bytes, expected ${expected}`);
      }
      return buf;
    };
    // Copied out: a Buffer's offset in its pool need not be aligned.
    const f64 = (name: (typeof F64_COLUMNS)[number]) =>
      new Float64Array(new Uint8Array(decode(name, s[name], [8])).buffer);
    // 8 bytes a value: written before these columns were Float32.
    const f32 = (name: (typeof F32_COLUMNS)[number]): Float32Array | Float64Array => {
      const bytes = new Uint8Array(decode(name, s[name], [4, 8]));
      return bytes.byteLength === s.count * 4
        ? new Float32Array(bytes.buffer)
        : new Float64Array(bytes.buffer);
    };
    const [ts, value] = F64_COLUMNS.map(f64);
    const [score, expected, lower, upper] = F32_COLUMNS.map(f32);
    const flags = new Uint8Array(decode('flags', s.flags, [1]));
    for (let k = Math.max(0, s.count - capacity); k < s.count; k++) {
      if (k > 0 && !(ts[k] > ts[k - 1])) throw new Error('ring timestamps do not increase');
      const f = flags[k];
      ring.push({
        timestamp: ts[k],
        value: unNaN(value[k]),
        score: score[k],
        expected: unNaN(expected[k]),
        lower: unNaN(lower[k]),
        upper: unNaN(upper[k]),
        anomaly: (f & 1) === 1,
        direction: DIRECTIONS[f >> 1] ?? null,
        state: 'ok',
      });
    }
    return ring;
  }

  oldestTimestamp(): number | null {
    return this.count === 0 ? null : this.ts.at(this.head);
  }

  newestTimestamp(): number | null {
    return this.count === 0 ? null : this.ts.at(this.index(this.count - 1));
  }

  /** The newest point (the stream state is not stored per point). */
  latest(): Omit<StreamPoint, 'state'> | null {
    if (this.count === 0) return null;
    return this.at(this.count - 1);
  }

  /** The k-th newest point's timestamp (k = 0: the newest), read in place (jobs/quality.ts RecentPoints). */
  timestampBack(k: number): number {
    return this.ts.at(this.index(this.count - 1 - k));
  }

  /** The k-th newest point's value (null: the source had no sample). */
  valueBack(k: number): number | null {
    return unNaN(this.value[this.index(this.count - 1 - k)]);
  }

  /** Every retained timestamp and value, oldest first (what the data-quality states read, jobs/quality.ts). */
  values(): { timestamps: number[]; values: (number | null)[] } {
    const timestamps: number[] = [];
    const values: (number | null)[] = [];
    for (let k = 0; k < this.count; k++) {
      const i = this.index(k);
      timestamps.push(this.ts.at(i));
      values.push(unNaN(this.value[i]));
    }
    return { timestamps, values };
  }

  /** Points with from <= timestamp <= to, oldest first. */
  range(from = -Infinity, to = Infinity): PointColumns {
    const lo = this.lowerBound(from);
    let hi = this.lowerBound(to);
    while (hi < this.count && this.ts.at(this.index(hi)) <= to) hi++;
    const out: PointColumns = {
      timestamps: [],
      values: [],
      score: [],
      expected: [],
      lower: [],
      upper: [],
      anomaly: [],
      direction: [],
    };
    for (let k = lo; k < hi; k++) {
      const i = this.index(k);
      out.timestamps.push(this.ts.at(i));
      out.values.push(unNaN(this.value[i]));
      out.score.push(this.score[i]);
      out.expected.push(unNaN(this.expected[i]));
      out.lower.push(unNaN(this.lower[i]));
      out.upper.push(unNaN(this.upper[i]));
      out.anomaly.push((this.flags[i] & 1) === 1);
      out.direction.push(DIRECTIONS[this.flags[i] >> 1]);
    }
    return out;
  }

  private at(k: number): Omit<StreamPoint, 'state'> {
    const i = this.index(k);
    return {
      timestamp: this.ts.at(i),
      value: unNaN(this.value[i]),
      score: this.score[i],
      expected: unNaN(this.expected[i]),
      lower: unNaN(this.lower[i]),
      upper: unNaN(this.upper[i]),
      anomaly: (this.flags[i] & 1) === 1,
      direction: DIRECTIONS[this.flags[i] >> 1],
    };
  }

  private index(k: number): number {
    return (this.head + k) % this.ts.length;
  }

  /** First logical index whose timestamp is >= t. */
  private lowerBound(t: number): number {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ts.at(this.index(mid)) < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private grow(): void {
    const n = Math.min(this.capacity, this.ts.length * 2);
    const next = columns(n);
    for (const name of COLUMN_NAMES) {
      const from = this[name];
      const to = next[name];
      for (let k = 0; k < this.count; k++) to[k] = from[this.index(k)];
    }
    this.ts = this.ts.grown(n, this.count, (k) => this.index(k));
    this.use(next);
    this.head = 0;
  }
}
