/**
 * Cold start from similar series: a series that joins a group (a job's `groups:`, e.g. a new link at a
 * site) starts from the group's normalized seasonal profile instead of learning from scratch. The
 * siblings' recent values, each divided by its own median level, give the group's shape per phase of
 * the period (the median across siblings and cycles) and its relative noise; the new series' level is
 * read from its first points against that shape. A few cycles of the shape at that level, with noise of
 * the group's size, are then scored into the new series' stream before its own points (and thrown
 * away): its detector starts with a period, a profile and a noise scale.
 *
 * Pure: arrays in, points out. Streams of series without a group never see any of it.
 */
import type { ScoringStream } from '../engine/index.js';
import { gaussian, hashString } from '../sources/simulator/prng.js';
import type { Labels } from '../sources/source.js';
import { groupOf } from './incidents.js';
import { median } from '../stats/median.js';

export interface SiblingHistory {
  timestamps: readonly number[];
  values: readonly (number | null)[];
}

export interface GroupProfile {
  periodMs: number;
  stepMs: number;
  /** value / level at each phase bin of the period (bin = ⌊(t mod period) / step⌋) */
  shape: Float64Array;
  /** the spread (σ, from the MAD) of value / level − shape, pooled over siblings and bins */
  noise: number;
}

/** Phase bins a profile needs filled by its siblings' points (the rest are interpolated). */
const MIN_COVERAGE = 0.9;
/** A shape value below this is taken as this when dividing by it (a near-zero phase says little of the level). */
const SHAPE_FLOOR = 1e-3;
const MAD_TO_SIGMA = 1.4826;

const binOf = (t: number, periodMs: number, stepMs: number, bins: number) =>
  Math.min(bins - 1, Math.floor((((t % periodMs) + periodMs) % periodMs) / stepMs));

/**
 * The group's normalized profile from its siblings' histories, or null when they do not cover the
 * period (fewer than 90 % of its phase bins seen) or their levels are not positive.
 */
export function groupProfile(
  siblings: readonly SiblingHistory[],
  periodMs: number,
  stepMs: number,
): GroupProfile | null {
  const bins = Math.round(periodMs / stepMs);
  if (!(bins >= 2) || siblings.length === 0) return null;
  const byBin: number[][] = Array.from({ length: bins }, () => []);
  const normalized: Array<{ bin: number; r: number }> = [];
  for (const s of siblings) {
    const finite = s.values.filter((v): v is number => v !== null && Number.isFinite(v));
    const level = median(finite);
    if (!(level > 0)) continue;
    s.timestamps.forEach((t, i) => {
      const v = s.values[i];
      if (v === null || !Number.isFinite(v)) return;
      const bin = binOf(t, periodMs, stepMs, bins);
      byBin[bin].push(v / level);
      normalized.push({ bin, r: v / level });
    });
  }
  const shape = new Float64Array(bins).fill(NaN);
  let filled = 0;
  byBin.forEach((list, b) => {
    if (list.length > 0) {
      shape[b] = median(list);
      filled++;
    }
  });
  if (filled < MIN_COVERAGE * bins) return null;
  fillGaps(shape);
  const noise = MAD_TO_SIGMA * median(normalized.map(({ bin, r }) => Math.abs(r - shape[bin])));
  return { periodMs, stepMs, shape, noise: Number.isFinite(noise) ? noise : 0 };
}

/** Empty bins take the nearest filled ones' mean (circularly: the period wraps). */
function fillGaps(shape: Float64Array): void {
  const n = shape.length;
  for (let b = 0; b < n; b++) {
    if (!Number.isNaN(shape[b])) continue;
    let before = NaN;
    let after = NaN;
    for (let d = 1; d < n && (Number.isNaN(before) || Number.isNaN(after)); d++) {
      if (Number.isNaN(before) && !Number.isNaN(shape[(b - d + n) % n])) before = shape[(b - d + n) % n];
      if (Number.isNaN(after) && !Number.isNaN(shape[(b + d) % n])) after = shape[(b + d) % n];
    }
    shape[b] = (before + after) / 2;
  }
}

/** The new series' level against the profile, from its first points (the median of value / shape). */
export function levelAgainst(
  profile: GroupProfile,
  timestamps: readonly number[],
  values: readonly (number | null)[],
): number {
  const bins = profile.shape.length;
  const ratios: number[] = [];
  timestamps.forEach((t, i) => {
    const v = values[i];
    if (v === null || !Number.isFinite(v)) return;
    const s = profile.shape[binOf(t, profile.periodMs, profile.stepMs, bins)];
    ratios.push(v / Math.max(s, SHAPE_FLOOR));
  });
  return median(ratios);
}

export interface PrimingOptions {
  /** cycles of the profile scored before the series' first point */
  cycles: number;
  /** the series' first timestamp: priming ends one step before it */
  firstTimestamp: number;
  /** seeds the noise, so a series is primed the same way every time (e.g. a hash of its key) */
  seed: number;
}

/**
 * The points a new series' stream is primed with: `cycles` periods of the profile at `level`, with
 * seeded noise of the group's spread, ending one step before its first point. Noise matters: a profile
 * without it teaches the detector too narrow a band (measured: the bench's new link then has a false
 * episode in its first hours).
 */
export function primingPoints(
  profile: GroupProfile,
  level: number,
  { cycles, firstTimestamp, seed }: PrimingOptions,
): { timestamps: number[]; values: number[] } {
  const { periodMs, stepMs, shape, noise } = profile;
  const n = Math.round((cycles * periodMs) / stepMs);
  const timestamps: number[] = [];
  const values: number[] = [];
  for (let i = n; i >= 1; i--) {
    const t = firstTimestamp - i * stepMs;
    const base = shape[binOf(t, periodMs, stepMs, shape.length)];
    timestamps.push(t);
    values.push(Math.max(0, level * (base + noise * gaussian(seed, i))));
  }
  return { timestamps, values };
}

/** Cycles of the group's profile a new series is primed with: enough for the period to be detected. */
export const PRIMING_CYCLES = 3;

/** What priming needs of a series already in the job: its labels, its stream's period, its recent points. */
export interface GroupMember {
  labels: Labels;
  stream: Pick<ScoringStream, 'period'>;
  ring: { values(): SiblingHistory };
}

/** The period most of the members' streams found, in points; null when none found one. */
function commonPeriod(members: readonly GroupMember[]): number | null {
  const counts = new Map<number, number>();
  for (const m of members) {
    const p = m.stream.period?.() ?? null;
    if (p !== null && p > 1) counts.set(p, (counts.get(p) ?? 0) + 1);
  }
  let best: number | null = null;
  for (const [p, n] of counts) if (best === null || n > counts.get(best)!) best = p;
  return best;
}

/**
 * Primes a new series' stream from its group: the siblings (the job's series with the same value of the
 * first group label) give the profile at the period their streams found, the new series' first points
 * its level. Returns the last priming timestamp, or null when nothing was pushed (no group label, no
 * sibling with a period, too little history, no positive level): the stream then learns from scratch.
 */
export function primeFromGroup(
  stream: Pick<ScoringStream, 'push'>,
  series: { key: string; labels: Labels; timestamps: readonly number[]; values: readonly (number | null)[] },
  members: Iterable<GroupMember & { key: string }>,
  groups: readonly string[],
  stepMs: number,
  retention?: { points: number; tooShort: (periodPoints: number, neededPoints: number) => void },
): number | null {
  const group = groupOf(series.labels, groups);
  if (!group || series.timestamps.length === 0) return null;
  const [name, value] = Object.entries(group)[0];
  const siblings = [...members].filter((m) => m.key !== series.key && m.labels[name] === value);
  const period = commonPeriod(siblings);
  if (period === null) return null;
  // No sibling can ever cover the period: said, rather than the series silently learning from scratch.
  const needed = Math.ceil(MIN_COVERAGE * period);
  if (retention && retention.points < needed) {
    retention.tooShort(period, needed);
    return null;
  }
  const profile = groupProfile(
    siblings.map((m) => m.ring.values()),
    period * stepMs,
    stepMs,
  );
  if (!profile) return null;
  const level = levelAgainst(profile, series.timestamps, series.values);
  if (!(level > 0)) return null;
  const priming = primingPoints(profile, level, {
    cycles: PRIMING_CYCLES,
    firstTimestamp: series.timestamps[0],
    seed: hashString(series.key),
  });
  priming.timestamps.forEach((t, i) => stream.push(t, priming.values[i]));
  return priming.timestamps.at(-1) ?? null;
}
