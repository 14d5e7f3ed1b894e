/**
 * The band ⇔ flag rule (issue 11, item 1) as a predicate, and the random series the property tests feed
 * every path with (engine, API, CLI, jobs), so each path checks the same rule on the same kind of input.
 *
 * The rule: a point is anomalous exactly when its value lies outside [lower, upper] (the edges are
 * normal; a missing edge is unbounded), its score is ≥ 1 exactly then, and an anomalous point's
 * direction is the side of `expected` its value is on. A point without a value is never anomalous.
 */
import fc from 'fast-check';

export interface BandPoint {
  value: number | null;
  expected: number | null;
  lower: number | null;
  upper: number | null;
  anomaly: boolean;
  direction: 'up' | 'down' | null;
  /** Absent where a path does not show the score. */
  score?: number;
}

/** Why the point breaks the rule, or null. */
export function violation(p: BandPoint): string | null {
  if (p.value === null) return p.anomaly ? 'a missing value is anomalous' : null;
  const below = p.lower !== null && p.value < p.lower;
  const above = p.upper !== null && p.value > p.upper;
  if (p.anomaly !== (below || above)) {
    return `anomaly ${p.anomaly} for value ${p.value} and band [${p.lower}, ${p.upper}]`;
  }
  if (p.score !== undefined && p.anomaly !== p.score >= 1)
    return `anomaly ${p.anomaly} with score ${p.score}`;
  if (p.anomaly) {
    if (p.expected === null) return 'an anomalous point has no expected value';
    const side = p.value > p.expected ? 'up' : 'down';
    if (p.direction !== side) return `direction ${p.direction}, value ${p.value} vs expected ${p.expected}`;
  }
  return null;
}

/** A scored series as columns (the score contract's shape). */
export interface BandColumns {
  timestamps: readonly number[];
  values: readonly (number | null)[];
  expected: readonly (number | null)[];
  lower: readonly (number | null)[];
  upper: readonly (number | null)[];
  anomaly: readonly boolean[];
  direction: readonly ('up' | 'down' | null)[];
  score?: readonly number[];
}

/** The first point of the columns that breaks the rule, described with its index and time, or null. */
export function columnsViolation(s: BandColumns): string | null {
  for (let i = 0; i < s.timestamps.length; i++) {
    const v = violation({
      value: s.values[i],
      expected: s.expected[i],
      lower: s.lower[i],
      upper: s.upper[i],
      anomaly: s.anomaly[i],
      direction: s.direction[i],
      score: s.score?.[i],
    });
    if (v) return `point ${i} (t=${s.timestamps[i]}): ${v}`;
  }
  return null;
}

/**
 * Throws with the first point that breaks the rule (for fast-check properties, which report it); else
 * the number of anomalous points, so a test can show its inputs did flag something.
 */
export function assertBandRule(s: BandColumns, what = 'series'): number {
  const v = columnsViolation(s);
  if (v) throw new Error(`${what}: ${v}`);
  return s.anomaly.filter(Boolean).length;
}

export const T0 = 1_700_000_000_000;
export const STEP = 60_000;

/** A regular series: values on a grid of `STEP` from `T0`, null where a scrape is missing. */
export interface GridSeries {
  timestamps: number[];
  values: (number | null)[];
}

/** Series with the things that break bands: steps, spikes, flat runs, gaps, noise of any scale. */
export const bandSeries = ({
  minLength = 120,
  maxLength = 700,
}: { minLength?: number; maxLength?: number } = {}): fc.Arbitrary<GridSeries> =>
  fc
    .record({
      n: fc.integer({ min: minLength, max: maxLength }),
      // Any scale, log-uniform (fc.double alone mostly draws subnormals, where nothing is ever flagged),
      // and now and then an all-zero series.
      level: fc.oneof(
        { weight: 9, arbitrary: fc.double({ min: -3, max: 7, noNaN: true }).map((e) => 10 ** e) },
        { weight: 1, arbitrary: fc.constant(0) },
      ),
      noise: fc.double({ min: 0, max: 0.5, noNaN: true }),
      events: fc.array(
        fc.record({
          // Where the event starts, in thousandths of the series (fc.double would mostly give 0 or 1).
          at: fc.integer({ min: 0, max: 999 }).map((k) => k / 1000),
          len: fc.integer({ min: 1, max: 80 }),
          // 1: a flat run (the value held), the others multiply the level.
          factor: fc.constantFrom(0, 0.02, 0.5, 1, 1.6, 5, 40),
        }),
        { minLength: 1, maxLength: 5 },
      ),
      gaps: fc.double({ min: 0, max: 0.1, noNaN: true }),
      seed: fc.integer(),
    })
    .map(({ n, level, noise, events, gaps, seed }) => {
      let s = seed >>> 0 || 1;
      const rand = () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
      const values: (number | null)[] = [];
      let held: number | null = null;
      for (let i = 0; i < n; i++) {
        let v = level * (1 + 0.3 * Math.sin((2 * Math.PI * i) / 96)) * (1 + noise * (rand() - 0.5));
        let flat = false;
        for (const e of events) {
          const start = Math.floor(e.at * n);
          if (i >= start && i < start + e.len) {
            if (e.factor === 1) flat = true;
            else v *= e.factor;
          }
        }
        if (flat && held !== null) v = held;
        held = v;
        values.push(rand() < gaps ? null : v);
      }
      return { timestamps: values.map((_, i) => T0 + i * STEP), values };
    });

/** One more incident, for a part of a series that a test looks at alone (a query's range, a job's live ticks). */
export const incident = fc.record({
  /** Where it starts in that part, in thousandths. */
  at: fc.integer({ min: 0, max: 999 }),
  len: fc.integer({ min: 1, max: 30 }),
  factor: fc.constantFrom(0, 0.02, 0.3, 3, 10),
});

/** The series with the incident placed in its points from index `from` on. */
export function withIncident(
  series: GridSeries,
  { at, len, factor }: { at: number; len: number; factor: number },
  from: number,
): GridSeries {
  const first = from + Math.floor((at / 1000) * (series.values.length - from));
  return {
    ...series,
    values: series.values.map((v, i) => (v !== null && i >= first && i < first + len ? v * factor : v)),
  };
}

/**
 * A quiet daily-shaped series with a 40× spike of 3 points at 80 % of it: flagged by every detector. The
 * properties run it first (fast-check's `examples`), so each can assert it saw anomalous points whatever
 * the random inputs were (those do not always flag: an incident in a history full of them may be normal).
 */
export function spikySeries(n: number): GridSeries {
  const at = Math.floor(0.8 * n);
  const values = Array.from({ length: n }, (_, i) => {
    const v = 1000 * (1 + 0.3 * Math.sin((2 * Math.PI * i) / 96)) * (1 + 0.02 * Math.sin(i * 7.3));
    return i >= at && i < at + 3 ? 40 * v : v;
  });
  return { timestamps: values.map((_, i) => T0 + i * STEP), values };
}
