/** JSON text of a batch answer's arrays, as JSON.stringify writes it. */

/**
 * A typed array as a plain array of doubles, in a counted loop: Array.from(typedArray) goes through
 * the iterator protocol, which allocated a result object and a heap number per element (28 of the
 * 205 MB a bench request allocated). Pushing keeps the array packed, which JSON.stringify writes fast.
 */
export function plain(a: Float64Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < a.length; i++) out.push(a[i]);
  return out;
}

/** A value's JSON text, already written (jsonPieces writes it as it is). */
export class JsonText {
  constructor(readonly text: string) {}
}

/**
 * The text of a cleaned grid's timestamps, kept for the next series: a dashboard's series share one
 * grid, and writing it took ~120 µs a 1,440-point grid (6.1 ms of the bench's 50-series request; 0.08 ms
 * with this). Only the last grid is kept, compared value by value before its text is used again.
 */
export class GridText {
  private grid = new Float64Array(0);
  private text = '[]';

  of(timestamps: Float64Array): string {
    if (!sameValues(timestamps, this.grid)) {
      this.grid = timestamps.slice();
      this.text = JSON.stringify(plain(timestamps));
    }
    return this.text;
  }
}

function sameValues(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * JSON text of a batch answer's per-point arrays through reused scratch arrays, one per element type:
 * plain() and the flag and direction arrays were a new array a key (~11 KB each, six a series), 7 of
 * the 41 MB a worker allocated for half of the bench's dashboard request (issue 15). Each text is
 * JSON.stringify of an array with the same elements, so the same text; a scratch array is only shrunk
 * (length) or pushed to, so it stays packed. One per thread: the engine is synchronous.
 */
export class ArrayText {
  private readonly doubles: number[] = [];
  private readonly flags: boolean[] = [];
  private readonly sides: (string | null)[] = [];

  /** JSON.stringify(plain(a)): NaN is written as null. */
  numbers(a: Float64Array): JsonText {
    const s = fit(this.doubles, a.length, 0);
    for (let i = 0; i < a.length; i++) s[i] = a[i];
    return new JsonText(JSON.stringify(s));
  }

  /** JSON.stringify of score[i] >= 1 for every i. */
  anomalies(score: Float64Array): JsonText {
    const s = fit(this.flags, score.length, false);
    for (let i = 0; i < score.length; i++) s[i] = score[i] >= 1;
    return new JsonText(JSON.stringify(s));
  }

  /** JSON.stringify of direction[i] where score[i] >= 1, else null. */
  directions(direction: readonly (string | null)[], score: Float64Array): JsonText {
    const s = fit(this.sides, score.length, null);
    for (let i = 0; i < score.length; i++) s[i] = score[i] >= 1 ? direction[i] : null;
    return new JsonText(JSON.stringify(s));
  }
}

/** `a` at length n: shrunk, or grown by pushing `fill` (never holes). */
function fit<T>(a: T[], n: number, fill: T): T[] {
  if (a.length > n) a.length = n;
  while (a.length < n) a.push(fill);
  return a;
}
