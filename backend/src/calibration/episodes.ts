/**
 * Groups anomalous points into episodes, with hysteresis so a flapping score does not open a new
 * episode every other point: an open episode stays open while scores stay above `holdLevel`, and
 * closes after `closeAfter` consecutive points below it. Episodes shorter than `minPoints` anomalous
 * points are dropped. Severity maps the peak score to 0–100 (contract/severity.ts).
 */
import type { Direction, Episode, Explanation } from '../contract/score.js';
import { severityLabel, severityOf } from '../contract/severity.js';
import { StateError } from '../snapshots/codec.js';
import { fmt } from './explain.js';
import { Hysteresis, type HysteresisOptions } from './hysteresis.js';
import type { EpisodeBuilderState, OpenEpisodeState } from './snapshot.js';

export interface EpisodeOptions extends HysteresisOptions {
  minPoints: number;
}

export const DEFAULT_EPISODES: EpisodeOptions = { minPoints: 1, holdLevel: 0.7, closeAfter: 3 };

/** What the episode builder needs to know about one scored point. */
export interface EpisodePoint {
  timestamp: number;
  score: number;
  direction: Direction | null;
  /** value − expected (NaN or absent when either is unknown). */
  deviation?: number;
  /** expected, for the deviation's relative size (NaN or absent when unknown). */
  expected?: number;
  /**
   * When the change flagged at this point began, as a sequential test estimates it (ms; NaN or absent:
   * unknown). An episode's "level shift since T" says the earliest its points give, if before its start.
   */
  onset?: number;
  /**
   * Evidence that an open episode goes on whatever this point's score (Hysteresis.push: a spread test
   * scoring ≥ 1, a sequential test's established run, calibration/shiftHold.ts), as it holds the learning
   * gate's incident: a burst of noise or a held shift is one episode, not one for each run of its points
   * beyond the band (absent: false).
   */
  holds?: boolean;
}

/**
 * An episode with at least this many anomalous points is explained as a level shift since its start,
 * with its mean size: at a 1-minute step, 10 minutes of a changed level is what an operator calls a
 * shift rather than a spike.
 */
export const SUSTAINED_POINTS = 10;

interface Open {
  start: number;
  lastAnomalous: number;
  peakScore: number;
  peakTime: number;
  direction: Direction;
  anomalousPoints: number;
  explanation: Explanation;
  /** Sums over the anomalous points with a known deviation (see `sustained`). */
  shift?: ShiftSums;
  /** The earliest onset its anomalous points gave, when before `start` (EpisodePoint.onset). */
  onset?: number;
}

interface ShiftSums {
  /** Σ (value − expected). */
  sum: number;
  /** Σ |value − expected| (absent in an older snapshot's open episode: |sum|). */
  absSum?: number;
  /** Σ expected, over the same points. */
  expectedSum: number;
  points: number;
}

function fmtTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/**
 * The largest lean of a lasting episode's anomalous points to one side of expected (|Σ deviation| /
 * Σ |deviation|) still read as a change of the noise rather than of the level: a burst of noise is
 * flagged on both sides (components/spread.ts), and "level shift up since T: +4 % on average" was its
 * explanation.
 */
export const BOTH_SIDES_SHARE = 0.5;

/**
 * The peak's explanation, restated once the episode has lasted: as "level shift since T" with its mean
 * size, or, when its anomalous points lie on both sides of expected, as "variance change since T".
 */
function sustained(o: Open): Explanation {
  const sh = o.shift;
  if (o.anomalousPoints < SUSTAINED_POINTS || !sh || sh.points === 0) return o.explanation;
  const mean = sh.sum / sh.points;
  if (!Number.isFinite(mean)) return o.explanation;
  const since = o.onset ?? o.start;
  const flagged = since < o.start ? ` (flagged from ${fmtTime(o.start).slice(11)})` : '';
  const absSum = sh.absSum ?? Math.abs(sh.sum);
  if (Math.abs(sh.sum) < BOTH_SIDES_SHARE * absSum) {
    const spread = absSum / sh.points;
    const share = sh.expectedSum !== 0 ? absSum / Math.abs(sh.expectedSum) : NaN;
    const pct = Number.isFinite(share) ? ` (${Math.round(share * 1000) / 10} %)` : '';
    const summary =
      `variance change since ${fmtTime(since)}${flagged}: ${sh.points} anomalous points on both sides of ` +
      `expected, ±${fmt(spread)}${pct} from it on average; at the peak, ${o.explanation.summary}`;
    return { ...o.explanation, kind: 'variance_change', summary, since };
  }
  const rel = sh.expectedSum !== 0 ? sh.sum / Math.abs(sh.expectedSum) : NaN;
  const sign = mean > 0 ? '+' : '';
  const pct = Number.isFinite(rel) ? ` (${sign}${Math.round(rel * 1000) / 10} %)` : '';
  const summary =
    `level shift ${o.direction} since ${fmtTime(since)}${flagged}: ${sign}${fmt(mean)}${pct} on average over ` +
    `${sh.points} anomalous points; at the peak, ${o.explanation.summary}`;
  return { ...o.explanation, kind: 'level_shift', summary, since, shift: mean };
}

/** Keep the earliest onset a point gives, when it is before the episode's start. */
function addOnset(o: Open, p: EpisodePoint): void {
  const t = p.onset;
  if (t !== undefined && t < (o.onset ?? o.start)) o.onset = t;
}

function addShift(o: Open, p: EpisodePoint): void {
  const d = p.deviation;
  const e = p.expected;
  if (d === undefined || e === undefined || !Number.isFinite(d) || !Number.isFinite(e)) return;
  const sh = (o.shift ??= { sum: 0, absSum: 0, expectedSum: 0, points: 0 });
  // Values near ±1.8e308 overflow the sums (the contract's shift is a finite number, and a variance
  // change's summary prints the mean distance): such a point is left out of the averages, as a point with
  // no known deviation is. The absolute sum overflows first where the points alternate sides.
  const absSum = (sh.absSum ?? Math.abs(sh.sum)) + Math.abs(d);
  if (!Number.isFinite(absSum) || !Number.isFinite(sh.sum + d) || !Number.isFinite(sh.expectedSum + e))
    return;
  sh.absSum = absSum;
  sh.sum += d;
  sh.expectedSum += e;
  sh.points++;
}

export class EpisodeBuilder {
  private open: Open | null = null;
  /** Open exactly while `open` is set; it keeps the open episode's points below the hold level. */
  private readonly hold: Hysteresis;
  private readonly closed: Episode[] = [];
  constructor(
    private readonly opts: EpisodeOptions = DEFAULT_EPISODES,
    private readonly maxClosed = 1000,
  ) {
    this.hold = new Hysteresis(opts);
  }

  /**
   * Feed one point. `explain` is called only at a new peak, so explanation work stays off the hot path.
   * Returns the episode that closed at this point, if any.
   */
  push(p: EpisodePoint, explain: () => Explanation): Episode | null {
    const o = this.open;
    const direction = (p.score >= 1 && p.direction) || null;
    if (!this.hold.push(p.score, direction !== null, p.holds === true)) return o ? this.close() : null;
    if (!direction) return null;
    if (!o) {
      this.open = {
        start: p.timestamp,
        lastAnomalous: p.timestamp,
        peakScore: p.score,
        peakTime: p.timestamp,
        direction,
        anomalousPoints: 1,
        explanation: explain(),
      };
      addShift(this.open, p);
      addOnset(this.open, p);
      return null;
    }
    o.lastAnomalous = p.timestamp;
    o.anomalousPoints++;
    addShift(o, p);
    addOnset(o, p);
    if (p.score > o.peakScore) {
      o.peakScore = p.score;
      o.peakTime = p.timestamp;
      o.direction = direction;
      o.explanation = explain();
    }
    return null;
  }

  private toEpisode(o: Open, open: boolean): Episode {
    const severity = severityOf(o.peakScore);
    return {
      start: o.start,
      end: o.lastAnomalous,
      peakTime: o.peakTime,
      peakScore: o.peakScore,
      severity,
      severityLabel: severityLabel(severity),
      direction: o.direction,
      open,
      explanation: sustained(o),
    };
  }

  private close(): Episode | null {
    const o = this.open;
    this.open = null;
    if (!o || o.anomalousPoints < this.opts.minPoints) return null;
    const ep = this.toEpisode(o, false);
    this.closed.push(ep);
    if (this.closed.length > this.maxClosed) this.closed.shift();
    return ep;
  }

  /** Closed episodes plus the open one (if it already has `minPoints` anomalous points). */
  episodes(): Episode[] {
    const out = [...this.closed];
    if (this.open && this.open.anomalousPoints >= this.opts.minPoints)
      out.push(this.toEpisode(this.open, true));
    return out;
  }

  get isOpen(): boolean {
    return this.open !== null;
  }

  snapshot(): EpisodeBuilderState {
    return { open: this.open ? this.openState(this.open) : null, closed: structuredClone(this.closed) };
  }

  /** The open episode as saved, with its points below the hold level where they have always been. */
  private openState(o: Open): OpenEpisodeState {
    return {
      start: o.start,
      lastAnomalous: o.lastAnomalous,
      peakScore: o.peakScore,
      peakTime: o.peakTime,
      direction: o.direction,
      anomalousPoints: o.anomalousPoints,
      below: this.hold.below,
      explanation: structuredClone(o.explanation),
      ...(o.shift ? { shift: { ...o.shift } } : {}),
      ...(o.onset !== undefined ? { onset: o.onset } : {}),
    };
  }

  restore(s: EpisodeBuilderState, path = 'episodes'): void {
    if (s.closed.length > this.maxClosed) {
      throw new StateError(
        `${path}.closed`,
        `has ${s.closed.length} episodes, the builder keeps at most ${this.maxClosed}`,
      );
    }
    if (s.open) {
      const { below, ...open } = structuredClone(s.open);
      this.open = open;
      this.hold.restore({ open: true, below });
    } else {
      this.open = null;
      this.hold.restore({ open: false, below: 0 });
    }
    this.closed.length = 0;
    for (const e of s.closed) this.closed.push(structuredClone(e));
  }
}
