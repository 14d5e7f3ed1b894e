/**
 * The recent scored points of one series: a ring buffer of fixed capacity stored as typed columns
 * (about 50 bytes a point instead of an object each), so retention bounds memory exactly. Columns
 * grow by doubling up to the capacity, so a series that never fills its retention stays small.
 */
import type { Direction } from '../contract/score.js';
import type { StreamPoint } from '../engine/index.js';

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
 * of its little-endian typed array, so a restored ring holds bit-identical values (NaN included) and a
 * 2880-point series costs ~190 kB of JSON instead of ~400 kB of decimal numbers.
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
const F64_COLUMNS = ['ts', 'value', 'score', 'expected', 'lower', 'upper'] as const;
const DIRECTIONS: (Direction | null)[] = [null, 'up', 'down'];

const nullable = (v: number | null): number => (v === null ? NaN : v);
const unNaN = (v: number): number | null => (Number.isNaN(v) ? null : v);

export class PointRing {
  private ts: Float64Array;
  private value: Float64Array;
  private score: Float64Array;
  private expected: Float64Array;
  private lower: Float64Array;
  private upper: Float64Array;
  private flags: Uint8Array;
  private head = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    if (!(Number.isInteger(capacity) && capacity > 0))
      throw new Error(`ring capacity must be a positive integer, got ${capacity}`);
    const n = Math.min(capacity, INITIAL);
    this.ts = new Float64Array(n);
    this.value = new Float64Array(n);
    this.score = new Float64Array(n);
    this.expected = new Float64Array(n);
    this.lower = new Float64Array(n);
    this.upper = new Float64Array(n);
    this.flags = new Uint8Array(n);
  }

  get size(): number {
    return this.count;
  }

  /** Append a point; timestamps must increase. Drops the oldest point when full. */
  push(p: StreamPoint): void {
    if (this.count === this.ts.length && this.ts.length < this.capacity) this.grow();
    const i = (this.head + this.count) % this.ts.length;
    this.ts[i] = p.timestamp;
    this.value[i] = nullable(p.value);
    this.score[i] = p.score;
    this.expected[i] = nullable(p.expected);
    this.lower[i] = nullable(p.lower);
    this.upper[i] = nullable(p.upper);
    this.flags[i] = (p.anomaly ? 1 : 0) | ((p.direction === 'up' ? 1 : p.direction === 'down' ? 2 : 0) << 1);
    if (this.count < this.ts.length) this.count++;
    else this.head = (this.head + 1) % this.ts.length;
  }

  /** The points, oldest first (see RingSnapshot). */
  snapshot(): RingSnapshot {
    const column = (from: Float64Array | Uint8Array, make: (n: number) => Float64Array | Uint8Array) => {
      const out = make(this.count);
      for (let k = 0; k < this.count; k++) out[k] = from[this.index(k)];
      return Buffer.from(out.buffer, out.byteOffset, out.byteLength).toString('base64');
    };
    const f64 = (n: number) => new Float64Array(n);
    const out = { count: this.count, flags: column(this.flags, (n) => new Uint8Array(n)) } as RingSnapshot;
    for (const name of F64_COLUMNS) out[name] = column(this[name], f64);
    return out;
  }

  /**
   * A ring of this capacity holding a snapshot's points (the newest `capacity` of them). Throws when the
   * columns do not have `count` entries each or the timestamps do not increase.
   */
  static restore(capacity: number, s: RingSnapshot): PointRing {
    const ring = new PointRing(capacity);
    if (!(Number.isInteger(s.count) && s.count >= 0)) throw new Error(`ring count ${s.count} is invalid`);
    const decode = (name: string, text: string, bytes: number) => {
      const buf = Buffer.from(text, 'base64');
      if (buf.byteLength !== s.count * bytes) {
        throw new Error(`ring column ${name} has ${buf.byteLength} bytes, expected ${s.count * bytes}`);
      }
      return buf;
    };
    const cols = F64_COLUMNS.map((name) => {
      const buf = decode(name, s[name], 8);
      // Copied out: a Buffer's offset in its pool need not be 8-aligned.
      return new Float64Array(new Uint8Array(buf).buffer);
    });
    const flags = new Uint8Array(decode('flags', s.flags, 1));
    const [ts, value, score, expected, lower, upper] = cols;
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
    return this.count === 0 ? null : this.ts[this.head];
  }

  newestTimestamp(): number | null {
    return this.count === 0 ? null : this.ts[this.index(this.count - 1)];
  }

  /** The newest point (the stream state is not stored per point). */
  latest(): Omit<StreamPoint, 'state'> | null {
    if (this.count === 0) return null;
    return this.at(this.count - 1);
  }

  /** Every retained timestamp and value, oldest first (what the data-quality states read, jobs/quality.ts). */
  values(): { timestamps: number[]; values: (number | null)[] } {
    const timestamps: number[] = [];
    const values: (number | null)[] = [];
    for (let k = 0; k < this.count; k++) {
      const i = this.index(k);
      timestamps.push(this.ts[i]);
      values.push(unNaN(this.value[i]));
    }
    return { timestamps, values };
  }

  /** Points with from <= timestamp <= to, oldest first. */
  range(from = -Infinity, to = Infinity): PointColumns {
    const lo = this.lowerBound(from);
    let hi = this.lowerBound(to);
    while (hi < this.count && this.ts[this.index(hi)] <= to) hi++;
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
      out.timestamps.push(this.ts[i]);
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
      timestamp: this.ts[i],
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
      if (this.ts[this.index(mid)] < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private grow(): void {
    const n = Math.min(this.capacity, this.ts.length * 2);
    const copy = <T extends Float64Array | Uint8Array>(old: T, make: (n: number) => T): T => {
      const next = make(n);
      for (let k = 0; k < this.count; k++) next[k] = old[this.index(k)];
      return next;
    };
    const f64 = (size: number) => new Float64Array(size);
    const ts = copy(this.ts, f64);
    this.value = copy(this.value, f64);
    this.score = copy(this.score, f64);
    this.expected = copy(this.expected, f64);
    this.lower = copy(this.lower, f64);
    this.upper = copy(this.upper, f64);
    this.flags = copy(this.flags, (size) => new Uint8Array(size));
    this.ts = ts;
    this.head = 0;
  }
}
