/**
 * JSON snapshots of streaming state: the number encoding, the error type, and the schemas of the
 * window primitives (`windows.ts`). Detectors, calibration and the engine build their own snapshot
 * schemas from these (`detectors/snapshot.ts`, `calibration/snapshot.ts`, `engine/snapshot.ts`).
 *
 * Numbers. JSON has no NaN, ±Infinity or −0 (`JSON.stringify` writes null, null and 0), and a restored
 * stream must continue bit for bit, so every number of the streaming state is written as a `Num`:
 *
 *     finite number → itself      NaN → null      Infinity → "Infinity"      −Infinity → "-Infinity"      −0 → "-0"
 *
 * Finite numbers survive JSON exactly (JavaScript writes the shortest decimal that reads back as the
 * same double). Typed arrays are written as plain arrays of `Num`, oldest value first for windows.
 */
import { z } from 'zod';

export const NUM_HELP = 'a number, or null (NaN), "Infinity", "-Infinity" or "-0"';

/** One encoded number (see the file comment). */
export const Num = z.union([z.number(), z.null(), z.enum(['Infinity', '-Infinity', '-0'])], {
  error: `expected ${NUM_HELP}`,
});
export type Num = z.infer<typeof Num>;

export const Count = z.number().int().min(0);

export function enc(x: number): Num {
  if (Number.isNaN(x)) return null;
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (x === 0 && 1 / x < 0) return '-0';
  return x;
}

/**
 * enc for a value read from Float32 storage: written with the 9 significant digits that identify a
 * Float32 exactly (its double expansion takes 17), so the JSON is no larger than a Float64 store's.
 */
export function encFloat32(x: number): Num {
  return enc(x === 0 || !Number.isFinite(x) ? x : Number(x.toPrecision(9)));
}

export function dec(v: Num): number {
  if (v === null) return NaN;
  if (typeof v === 'number') return v;
  return v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : -0;
}

export function encArray(a: ArrayLike<number>, from = 0, to = a.length): Num[] {
  const out: Num[] = new Array(Math.max(0, to - from));
  for (let i = from; i < to; i++) out[i - from] = enc(a[i]);
  return out;
}

export function decArray(v: readonly Num[]): number[] {
  return v.map(dec);
}

/** A snapshot that does not fit what this build would restore it into; `path` says where. */
export class StateError extends Error {
  constructor(
    readonly path: string,
    detail: string,
    message = `${path}: ${detail}`,
  ) {
    super(message);
    this.name = 'StateError';
  }
}

/** `value` checked against `schema`, or a StateError listing where and what is wrong (paths from `root`). */
export function parseState<S extends z.ZodType>(schema: S, value: unknown, root: string): z.infer<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const first = r.error.issues[0];
  throw new StateError(
    joinPath(root, first?.path ?? []),
    first?.message ?? 'invalid',
    formatIssues(root, r.error),
  );
}

/** A configuration value recorded in a snapshot must be the one this build constructs. */
export function expectSame<T>(path: string, actual: T, expected: T): void {
  if (actual !== expected) {
    throw new StateError(
      path,
      `is ${JSON.stringify(actual)}, this build expects ${JSON.stringify(expected)}`,
    );
  }
}

export function expectLength(path: string, actual: number, expected: number, what: string): void {
  if (actual !== expected) throw new StateError(path, `has ${actual} values, ${what} needs ${expected}`);
}

/** A snapshot's array of `actual` values where at most `most` fit (`what`: what they are). */
export function expectAtMost(path: string, actual: number, most: number, what: string): void {
  if (actual > most) throw new StateError(path, `has ${actual} values, more than the ${most} ${what}`);
}

/**
 * A snapshot's `version` is checked before its shape, so a snapshot of another format version gets
 * that one clear message rather than a list of differences.
 */
export function checkVersion(value: unknown, path: string, version: number, what: string): void {
  if (!value || typeof value !== 'object') return;
  const v = (value as { version?: unknown }).version;
  if (v !== undefined && v !== version) {
    throw new StateError(path, `is ${JSON.stringify(v)}; this build reads ${what} of version ${version}`);
  }
}

/** Zod issues as one message: `where: what` per issue (the first few). */
export function formatIssues(root: string, error: z.ZodError, max = 5): string {
  const lines = error.issues.slice(0, max).map((i) => `${joinPath(root, i.path)}: ${i.message}`);
  if (error.issues.length > max) lines.push(`… and ${error.issues.length - max} more`);
  return lines.join('; ');
}

export function joinPath(root: string, path: readonly PropertyKey[]): string {
  let out = root;
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `${out ? '.' : ''}${String(p)}`;
  return out;
}

/** Ring: its size, where the next value goes, and its values oldest first. */
export const RingState = z.object({
  size: z.number().int().min(1),
  head: Count,
  values: z.array(Num),
});
export type RingState = z.infer<typeof RingState>;

/** A sorted window is its ring; the sorted copy is rebuilt on restore. */
export const SortedWindowState = RingState;
export type SortedWindowState = RingState;

export const EwStatsState = z.object({ mean: Num, variance: Num, n: Count });
export type EwStatsState = z.infer<typeof EwStatsState>;

export const RollingMomentsState = z.object({
  ring: RingState,
  shift: Num,
  sum: Num,
  sumSq: Num,
  sinceResum: Count,
});
export type RollingMomentsState = z.infer<typeof RollingMomentsState>;
