/**
 * Where a live stream's and a job slot's bytes go (`bench --only-memory --breakdown`), measured two ways:
 *
 * - Parts dropped one by one: many scorers (the stream's own SeriesScorer, fed as createStream feeds it)
 *   are kept alive, then one part of every scorer is cut loose at a time (a component, the seasonal
 *   profile's tables, the calibrator…) and what each cut frees between two settled heaps is that part's
 *   exclusive share. A part reachable from two places is counted at the cut of its last owner (the order
 *   below cuts the residual shift test, whose period closure reaches the seasonal component, before it).
 * - Typed arrays by path: the byteLength of every typed array reachable from one scorer, exact.
 *
 * The retention ring (jobs/ring.ts) is measured alone at several capacities the same way.
 *
 * Cuts reach private fields by name: `field` throws when one is missing, so a renamed field fails the
 * bench rather than measuring nothing.
 */
import type { DetectorName } from '../../contract/score.js';
import { SeriesScorer, emptyPoint, resolveParams } from '../../engine/seriesScorer.js';
import type { StreamPoint } from '../../engine/index.js';
import { PointRing } from '../../jobs/ring.js';
import { syntheticTraffic } from './inputs.js';
import { obtainGc, settle } from './memory.js';

type Obj = Record<string, unknown>;

function field(obj: unknown, name: string): Obj {
  const v = (obj as Obj | null)?.[name];
  if (v === undefined || v === null || typeof v !== 'object')
    throw new Error(`memory breakdown: no object field "${name}" (renamed?)`);
  return v as Obj;
}

function cut(obj: unknown, name: string): void {
  field(obj, name);
  (obj as Obj)[name] = null;
}

const components = (s: SeriesScorer): Obj => field(s.detector, 'components');
const seasonal = (s: SeriesScorer): Obj => field(field(components(s), '0'), 'primary');
const profile = (s: SeriesScorer): Obj => field(field(seasonal(s), 'profiles'), '0');

/** The cuts, in order, for an `auto` scorer with a known period (the bench's fixed 1440). */
const AUTO_CUTS: readonly { part: string; cut: (s: SeriesScorer) => void }[] = [
  { part: 'spread (its sum and run)', cut: (s) => cut(components(s), '9') },
  { part: 'cusum (sums and run counts)', cut: (s) => cut(components(s), '8') },
  {
    part: 'residual_shift (20 / 60 back: offsets ring; reads the 20-point windows of the row below)',
    cut: (s) => cut(components(s), '7'),
  },
  { part: 'residual_shift (20: sorted windows + offsets ring)', cut: (s) => cut(components(s), '6') },
  { part: 'ewma', cut: (s) => cut(components(s), '5') },
  { part: 'rolling_median (300)', cut: (s) => cut(components(s), '4') },
  { part: 'level_shift (30 / 600)', cut: (s) => cut(components(s), '3') },
  { part: 'level_shift (10 / 300)', cut: (s) => cut(components(s), '2') },
  { part: 'rate_of_change (200)', cut: (s) => cut(components(s), '1') },
  { part: 'fallback rolling_median (100)', cut: (s) => cut(field(components(s), '0'), 'fallback') },
  { part: 'seasonal: weekly correction', cut: (s) => cut(profile(s), 'weekly') },
  { part: 'seasonal: phase table (cycles)', cut: (s) => cut(profile(s), 'cycles') },
  { part: 'seasonal: residual steps window (100)', cut: (s) => cut(profile(s), 'steps') },
  { part: 'seasonal: rest of the profile', cut: (s) => cut(seasonal(s), 'profiles') },
  { part: 'seasonal: rest (history ring, magnitude)', cut: (s) => cut(field(components(s), '0'), 'primary') },
  { part: 'detector: rest (fallback, composite)', cut: (s) => cut(s, 'detector') },
  { part: 'calibrator', cut: (s) => cut(s, 'calibrator') },
  { part: 'episode builder', cut: (s) => cut(s, 'episodeBuilder') },
];

export interface PartBytes {
  part: string;
  heapBytes: number;
  arrayBufferBytes: number;
}

export interface BreakdownOptions {
  detector: DetectorName;
  streams: number;
  points: number;
  period: number;
  /** Capacities of the retention ring measured alone (each filled). */
  retentions: readonly number[];
}

export interface BreakdownResult extends Omit<BreakdownOptions, 'retentions'> {
  /** What each cut frees per stream, in cut order; the last row is the scorer object and what is left. */
  parts: PartBytes[];
  /** Each typed array of one scorer, by path. */
  typedArrays: TypedArrayRow[];
  rings: (PartBytes & { capacity: number })[];
}

export interface TypedArrayRow {
  path: string;
  /** Its byteLength. */
  bytes: number;
  /** The allocation it lives in, numbered in walk order: rows with one number are views of one buffer. */
  buffer: number;
  /** That buffer's byteLength (the allocation; more than `bytes` for a view of part of it). */
  bufferBytes: number;
  /** Its buffer is reachable from `other` too: one copy for every scorer of a configuration, not one each. */
  shared: boolean;
}

/** Every buffer reachable from `root` through object fields and arrays (typed arrays' and bare ones). */
function buffersOf(root: unknown): Set<ArrayBufferLike> {
  const out = new Set<ArrayBufferLike>();
  const seen = new Set<object>();
  const walk = (v: unknown) => {
    if (v === null || typeof v !== 'object' || seen.has(v)) return;
    seen.add(v);
    if (ArrayBuffer.isView(v)) out.add(v.buffer);
    else for (const key of Object.keys(v)) walk((v as Obj)[key]);
  };
  walk(root);
  return out;
}

/**
 * Every typed array reachable from `root` through object fields and arrays, with its path and the buffer
 * it views; `other` (another scorer of the same configuration) tells which buffers all of them share.
 */
export function typedArraysOf(root: object, name = '', other?: object): TypedArrayRow[] {
  const out: TypedArrayRow[] = [];
  const seen = new Set<object>();
  const buffers = new Map<ArrayBufferLike, number>();
  const sharedBuffers = other ? buffersOf(other) : new Set<ArrayBufferLike>();
  const walk = (v: unknown, path: string) => {
    if (v === null || typeof v !== 'object' || seen.has(v)) return;
    seen.add(v);
    if (ArrayBuffer.isView(v)) {
      if (!buffers.has(v.buffer)) buffers.set(v.buffer, buffers.size);
      out.push({
        path,
        bytes: v.byteLength,
        buffer: buffers.get(v.buffer)!,
        bufferBytes: v.buffer.byteLength,
        shared: sharedBuffers.has(v.buffer),
      });
      return;
    }
    for (const key of Object.keys(v)) {
      walk((v as Obj)[key], Array.isArray(v) ? `${path}[${key}]` : path ? `${path}.${key}` : key);
    }
  };
  walk(root, name);
  return out;
}

function perItem(before: NodeJS.MemoryUsage, after: NodeJS.MemoryUsage, count: number, part: string) {
  return {
    part,
    heapBytes: (before.heapUsed - after.heapUsed) / count,
    arrayBufferBytes: (before.arrayBuffers - after.arrayBuffers) / count,
  };
}

function ringPoint(i: number): StreamPoint {
  const v = 1000 + (i % 97);
  return {
    timestamp: 1_700_000_000_000 + i * 60_000,
    value: v,
    score: (i % 13) / 7,
    expected: v - 1,
    lower: v - 20,
    upper: v + 20,
    anomaly: i % 50 === 0,
    direction: i % 50 === 0 ? 'up' : null,
    state: 'ok',
  };
}

export function measureBreakdown(o: BreakdownOptions): BreakdownResult {
  const { gc } = obtainGc();
  const input = syntheticTraffic({ points: o.points + o.streams, stepMs: 60_000 });
  const params = resolveParams({ detector: o.detector, options: { period: o.period } });
  const fed = (offset: number): SeriesScorer => {
    const s = new SeriesScorer(params, true);
    for (let i = 0; i < o.points; i++) {
      // As createStream's push: a missing value is NaN.
      const v = input.values[(i + offset) % input.values.length];
      s.push(input.timestamps[i], v !== null && Number.isFinite(v) ? v : NaN, emptyPoint(), false);
    }
    return s;
  };
  const typedArrays = typedArraysOf(fed(0), '', fed(1));
  settle(gc);
  let scorers: (SeriesScorer | null)[] = Array.from({ length: o.streams }, (_, s) => fed(s));
  const parts: PartBytes[] = [];
  let before = settle(gc);
  for (const { part, cut: apply } of AUTO_CUTS) {
    for (const s of scorers) apply(s!);
    const after = settle(gc);
    parts.push(perItem(before, after, o.streams, part));
    before = after;
  }
  scorers = [];
  parts.push(perItem(before, settle(gc), o.streams, 'scorer object and the rest'));

  const rings: BreakdownResult['rings'] = [];
  for (const capacity of o.retentions) {
    const count = Math.max(50, Math.round(o.streams / 2));
    const held = {
      rings: Array.from({ length: count }, () => {
        const r = new PointRing(capacity);
        for (let i = 0; i < capacity; i++) r.push(ringPoint(i));
        return r;
      }),
    };
    const withRings = settle(gc);
    held.rings = [];
    rings.push({ capacity, ...perItem(withRings, settle(gc), count, `ring of ${capacity}`) });
  }
  const { retentions: _, ...rest } = o;
  return { ...rest, parts, typedArrays, rings };
}

/** The stream of the memory section's first row (run.ts), and the job retention and two smaller ones. */
export const BREAKDOWN_FULL: BreakdownOptions = {
  detector: 'auto',
  streams: 1000,
  points: 1000,
  period: 1440,
  retentions: [2880, 1440, 720],
};
export const BREAKDOWN_QUICK: BreakdownOptions = { ...BREAKDOWN_FULL, streams: 200 };
