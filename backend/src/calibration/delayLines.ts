/**
 * The calibrator's delay lines (Calibrator.learn: a windowed statistic's range learns each value m points
 * late), every component's in one Float64Array the calibrator already holds: per line its head and count,
 * then its m slots. Each line behaves, snapshots and restores exactly as a stats/windows.ts Ring of m
 * slots (the snapshot format is a RingState per line), without a Ring, a typed array and an ArrayBuffer
 * per delayed component per stream (five in `auto`: ~1 KiB of a stream's heap, issue 15).
 */
import { dec, enc, type Num, type RingState } from '../snapshots/codec.js';
import { checkRingState } from '../stats/windows.js';

/** Where each line lives in the state array: fixed per configuration, shared by every stream. */
export interface DelayLayout {
  /** Per component, its line's slots (0: no delay). */
  readonly sizes: Int32Array;
  /** Per component, the index of its head in the state array (count next, then the slots). */
  readonly starts: Int32Array;
  /** Length of the state array. */
  readonly length: number;
}

/** The layout of lines of `sizes[c]` slots (a size of 1 or less: no line, the value is learnt at once). */
export function delayLayout(sizes: readonly number[]): DelayLayout {
  const lengths = Int32Array.from(sizes, (m) => (m > 1 ? m : 0));
  const starts = new Int32Array(lengths.length);
  let at = 0;
  for (let c = 0; c < lengths.length; c++) {
    starts[c] = at;
    if (lengths[c] > 0) at += 2 + lengths[c];
  }
  return { sizes: lengths, starts, length: at };
}

export class DelayLines {
  constructor(
    private readonly layout: DelayLayout,
    /** layout.length numbers, zero at first (every line empty). */
    private readonly state: Float64Array,
  ) {}

  /** Whether component c has a line. */
  has(c: number): boolean {
    return this.layout.sizes[c] > 0;
  }

  /** Push x into c's line, returning the value it evicts (NaN while the line fills). */
  push(c: number, x: number): number {
    const size = this.layout.sizes[c];
    const at = this.layout.starts[c];
    const s = this.state;
    const head = s[at];
    const count = s[at + 1];
    const evicted = count === size ? s[at + 2 + head] : NaN;
    s[at + 2 + head] = x;
    s[at] = head + 1 === size ? 0 : head + 1;
    if (count < size) s[at + 1] = count + 1;
    return evicted;
  }

  /** c's line as a Ring of its size would snapshot it (null: no line). */
  snapshot(c: number): RingState | null {
    const size = this.layout.sizes[c];
    if (size === 0) return null;
    const at = this.layout.starts[c];
    const s = this.state;
    const head = s[at];
    const count = s[at + 1];
    const values: Num[] = [];
    for (let i = count - 1; i >= 0; i--) values.push(enc(s[at + 2 + ((head - 1 - i + 2 * size) % size)]));
    return { size, head, values };
  }

  /** Load a Ring snapshot into c's line: the same values in the same slots, so pushes evict as before. */
  restore(c: number, r: RingState, path: string): void {
    const size = this.layout.sizes[c];
    checkRingState(r, size, path);
    const n = r.values.length;
    const at = this.layout.starts[c];
    const s = this.state;
    s.fill(0, at + 2, at + 2 + size);
    for (let i = 0; i < n; i++) s[at + 2 + ((r.head - n + i + size) % size)] = dec(r.values[i]);
    s[at] = r.head;
    s[at + 1] = n;
  }
}
