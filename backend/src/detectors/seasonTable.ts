/**
 * The seasonal profile's table of `slots` × `seasons` values (the last `seasons` cycles at each phase),
 * stored as 16-bit block floating point: per slot one binary exponent and a signed 16-bit code per value,
 * value = code × 2^exponent, the exponent the smallest that fits the slot's largest |value|.
 *
 * Why not Float32 (as before) or Float16: the table is most of a stream's state (1,440 phases × 5 cycles
 * at a 1-minute step: 28.8 KB in Float32, 15.8 KB here; issue 15). A value is stored within 2^-15 of
 * its slot's largest value (~3·10⁻⁵; within 2^-14 once the slot's exponent has grown and rounded it
 * again), far below the noise scale's floor of 1 % of the series' magnitude (detectors/scale.ts).
 * Float16's 10-bit mantissa is 16× coarser, it overflows above 65,504 (bytes a second), and no typed
 * array of it exists in Node 20. The values of one phase are alike (the same time of
 * day on five days), so a shared exponent costs them almost nothing; where one is a spike 1,000× the
 * others, those others are still within 1.5 % of the magnitude until the spike leaves the table. The
 * finest unit is 2^-128 (~3·10⁻³⁹; Float32 kept full precision only above 1.2·10⁻³⁸).
 * No library offers a block-floating-point typed array, so it is written here.
 */
import { dec, encFloat32, expectLength, type Num } from '../snapshots/codec.js';
import { medianOfFirst } from '../stats/median.js';

const CODE_MAX = 32767;
/** The code of an empty value (NaN: no cycle stored yet at that position). */
const EMPTY = -32768;
const EXP_MIN = -128;
const EXP_MAX = 127;
/** The largest magnitude a slot can hold (values beyond are clamped, as Float32 clamped at 3.4·10³⁸). */
const VALUE_MAX = CODE_MAX * 2 ** EXP_MAX;

/**
 * The smallest exponent e with round(maxAbs / 2^e) ≤ CODE_MAX. The half code of margin makes it the same
 * exponent when a snapshot's values (decimal, 9 significant digits: encFloat32) are read back.
 */
export function exponentFor(maxAbs: number): number {
  if (!(maxAbs > 0)) return EXP_MIN;
  let e = Math.max(EXP_MIN, Math.min(EXP_MAX, Math.ceil(Math.log2(maxAbs / CODE_MAX))));
  while (e < EXP_MAX && maxAbs >= (CODE_MAX + 0.5) * 2 ** e) e++;
  while (e > EXP_MIN && maxAbs < (CODE_MAX + 0.5) * 2 ** (e - 1)) e--;
  return e;
}

/**
 * Whether `e` is exponentFor(maxAbs), without a logarithm: maxAbs is below e's bound and not below the
 * next smaller exponent's (half of it: the bounds are a power of two apart), within the clamps.
 */
export function exponentFits(maxAbs: number, e: number): boolean {
  const bound = (CODE_MAX + 0.5) * 2 ** e;
  if (e < EXP_MAX && maxAbs >= bound) return false;
  return e === EXP_MIN || maxAbs >= bound / 2;
}

/** |x| rounded half away from zero, so +v and −v get codes of the same size. */
function codeOf(x: number, unit: number): number {
  const c = Math.round(Math.abs(x) / unit);
  return x < 0 ? -Math.min(c, CODE_MAX) : Math.min(c, CODE_MAX);
}

/**
 * Scratch space shared by every table (one thread, no re-entry): one slot's values, decoded for a median
 * or while the slot is re-encoded. Per table they were three heap objects more per profile.
 */
let slotValues = new Float64Array(8);

/** A table of `slots` × `seasons` values, the newest last per slot; NaN = none yet. */
export class SeasonTable {
  readonly codes: Int16Array;
  readonly exponents: Int8Array;
  constructor(
    readonly slots: number,
    readonly seasons: number,
  ) {
    this.codes = new Int16Array(slots * seasons).fill(EMPTY);
    this.exponents = new Int8Array(slots).fill(EXP_MIN);
    if (slotValues.length < seasons) slotValues = new Float64Array(seasons);
  }

  /** The k-th value of `slot` (0 = oldest); NaN when empty. */
  at(slot: number, k: number): number {
    const c = this.codes[slot * this.seasons + k];
    return c === EMPTY ? NaN : c * 2 ** this.exponents[slot];
  }

  /** Shift `x` into the slot as its newest value (the oldest leaves). */
  push(slot: number, x: number): void {
    if (this.pushKeepingExponent(slot, x)) return;
    const v = slotValues;
    for (let k = 1; k < this.seasons; k++) v[k - 1] = this.at(slot, k);
    v[this.seasons - 1] = x;
    this.encode(slot);
  }

  /**
   * push's common case, without decoding and re-encoding the slot: where the values that stay and `x` need
   * the slot's exponent as it is, re-encoding would give every staying value its own code again (a code
   * times a power of two, divided by it), so their codes move down one place and only `x` is encoded.
   * False (nothing written) when the exponent must change.
   */
  private pushKeepingExponent(slot: number, x: number): boolean {
    const s = this.seasons;
    const base = slot * s;
    const e = this.exponents[slot];
    const unit = 2 ** e;
    const clamped = Math.abs(x) <= VALUE_MAX ? x : Math.sign(x) * VALUE_MAX;
    let maxAbs = Number.isNaN(x) ? 0 : Math.abs(clamped);
    for (let k = 1; k < s; k++) {
      const c = this.codes[base + k];
      if (c !== EMPTY && Math.abs(c) * unit > maxAbs) maxAbs = Math.abs(c) * unit;
    }
    if (!exponentFits(maxAbs, e)) return false;
    this.codes.copyWithin(base, base + 1, base + s);
    this.codes[base + s - 1] = Number.isNaN(x) ? EMPTY : codeOf(clamped, unit);
    return true;
  }

  /**
   * Move every slot's values `shift` slots on (slot i takes slot i − shift's, wrapping round), for a table
   * whose current cycle has stored slots [0, done) and whose slots [from, done) of it were stored after the
   * rotation's cause: those values stay where they are (`current(slot, value)`: the
   * value to keep there, from the slot's own newest), the cycle's earlier values and every older cycle's
   * rotate. A slot that would now hold a value of the current cycle it has not reached yet gives it back
   * (its oldest empty again), and one that has been reached but would hold none takes its own as above.
   */
  rotateKeeping(
    shift: number,
    done: number,
    from: number,
    current: (slot: number, value: number) => number,
    across?: (age: number, value: number, crossed: number) => number,
  ): void {
    const n = this.slots;
    const s = this.seasons;
    const k = ((shift % n) + n) % n;
    if (k === 0) return;
    const moved = new Float64Array(s);
    const old = new Float64Array(n * s);
    for (let i = 0; i < n; i++) for (let j = 0; j < s; j++) old[i * s + j] = this.at(i, j);
    for (let i = 0; i < n; i++) {
      const src = (i - k + n) % n;
      // Which cycle the source's newest value is of, here: the current (0) or the one before; a value that
      // crosses the cycle's end (a day's 23:00 moved to 00:00) is of the next cycle, or of the one before.
      const crossed = i - shift < 0 ? 1 : i - shift >= n ? -1 : 0;
      const has = (src < done ? 0 : -1) + crossed >= 0;
      const want = i < done;
      // Before slotValues is filled: `current` may read a table (the shared scratch space).
      const own = want && i >= from ? current(i, old[i * s + s - 1]) : NaN;
      // A value that crossed the cycle's end, re-read for the cycle it is now of (`age`: cycles before the
      // current one it was stored in); into `moved` first, as `across` may read a table.
      for (let j = 0; j < s; j++) {
        const v = old[src * s + j];
        moved[j] =
          crossed !== 0 && across && !Number.isNaN(v)
            ? across(s - 1 - j + (src < done ? 0 : 1), v, crossed)
            : v;
      }
      for (let j = 0; j < s; j++) slotValues[j] = moved[j];
      if (has && !want) {
        for (let j = s - 1; j > 0; j--) slotValues[j] = slotValues[j - 1];
        slotValues[0] = NaN;
      } else if (want && i >= from) {
        if (!has) for (let j = 1; j < s; j++) slotValues[j - 1] = slotValues[j];
        slotValues[s - 1] = own;
      }
      this.encode(i);
    }
  }

  /** Divide the slot's newest value by `factor`. */
  divideNewest(slot: number, factor: number): void {
    this.decode(slot);
    slotValues[this.seasons - 1] /= factor;
    this.encode(slot);
  }

  /** Multiply the slot's `count` oldest values by `factor`. */
  scaleOldest(slot: number, count: number, factor: number): void {
    if (count <= 0) return;
    this.decode(slot);
    for (let k = 0; k < count; k++) slotValues[k] *= factor;
    this.encode(slot);
  }

  /** The slot's oldest stored value (NaN: none). */
  oldestStored(slot: number): number {
    return this.gather(slot, 0, this.seasons) > 0 ? slotValues[0] : NaN;
  }

  /** Multiply the slot's oldest stored value (the first that is not empty) by `factor`; nothing if none. */
  scaleOldestStored(slot: number, factor: number): void {
    this.decode(slot);
    const k = slotValues.subarray(0, this.seasons).findIndex((v) => !Number.isNaN(v));
    if (k < 0) return;
    slotValues[k] *= factor;
    this.encode(slot);
  }

  /** Median of the slot's newest values (from index `split`) ÷ median of its older ones (NaN: either empty). */
  splitMedianRatio(slot: number, split: number): number {
    const newer = medianOfFirst(slotValues, this.gather(slot, split, this.seasons));
    return newer / medianOfFirst(slotValues, this.gather(slot, 0, split));
  }

  /**
   * Median of the slot's values (`skipNewest`: of all but its newest, e.g. the current cycle's). Of two
   * values their mean, or the older with `olderOfTwo`.
   */
  median(slot: number, skipNewest = false, olderOfTwo = false): number {
    const n = this.gather(slot, 0, skipNewest ? this.seasons - 1 : this.seasons);
    if (n === 2 && olderOfTwo) return slotValues[0];
    return medianOfFirst(slotValues, n);
  }

  /** The slot's non-empty values at indices [from, to), oldest first, into slotValues; returns how many. */
  private gather(slot: number, from: number, to: number): number {
    const xs = slotValues;
    const base = slot * this.seasons;
    const unit = 2 ** this.exponents[slot];
    let n = 0;
    for (let k = from; k < to; k++) {
      const c = this.codes[base + k];
      if (c !== EMPTY) xs[n++] = c * unit;
    }
    return n;
  }

  /** Every value of the slot (NaN where empty) into slotValues, for a change and `encode`. */
  private decode(slot: number): void {
    for (let k = 0; k < this.seasons; k++) slotValues[k] = this.at(slot, k);
  }

  /** The values for a snapshot, slot by slot (each exactly a Float32, so encFloat32 writes it back exactly). */
  snapshot(): Num[] {
    const out: Num[] = new Array(this.codes.length);
    for (let slot = 0; slot < this.slots; slot++)
      for (let k = 0; k < this.seasons; k++) out[slot * this.seasons + k] = encFloat32(this.at(slot, k));
    return out;
  }

  /**
   * Load a snapshot's values. This table's own snapshots restore exactly; a Float32 table's (snapshots
   * from before 2026-12) are rounded to the slot's exponent as a push would round them.
   */
  restore(values: readonly Num[], path: string, what: string): void {
    expectLength(path, values.length, this.codes.length, what);
    const v = slotValues;
    for (let slot = 0; slot < this.slots; slot++) {
      for (let k = 0; k < this.seasons; k++) v[k] = dec(values[slot * this.seasons + k]);
      this.encode(slot);
    }
  }

  /** Write slotValues into `slot`: the exponent its largest |value| needs, every value rounded to it. */
  private encode(slot: number): void {
    const v = slotValues;
    let maxAbs = 0;
    for (let k = 0; k < this.seasons; k++) {
      if (Number.isNaN(v[k])) continue;
      if (!(Math.abs(v[k]) <= VALUE_MAX)) v[k] = Math.sign(v[k]) * VALUE_MAX;
      if (Math.abs(v[k]) > maxAbs) maxAbs = Math.abs(v[k]);
    }
    const e = exponentFor(maxAbs);
    const unit = 2 ** e;
    this.exponents[slot] = e;
    const base = slot * this.seasons;
    for (let k = 0; k < this.seasons; k++)
      this.codes[base + k] = Number.isNaN(v[k]) ? EMPTY : codeOf(v[k], unit);
  }
}
