/**
 * Groups anomalous points into episodes, with hysteresis so a flapping score does not open a new
 * episode every other point: an open episode stays open while scores stay above `holdLevel`, and
 * closes after `closeAfter` consecutive points below it. Episodes shorter than `minPoints` anomalous
 * points are dropped. Severity maps the peak score to 0–100 (score 1 → 0, 2 → 50, 4 → 75).
 */
import type { Direction, Episode, Explanation, SeverityLabel } from '../contract/score.js';
import { StateError } from '../featurize/snapshot.js';
import { Hysteresis, type HysteresisOptions } from './hysteresis.js';
import type { EpisodeBuilderState, OpenEpisodeState } from './state.js';

export interface EpisodeOptions extends HysteresisOptions {
  minPoints: number;
}

export const DEFAULT_EPISODES: EpisodeOptions = { minPoints: 1, holdLevel: 0.7, closeAfter: 3 };

export function severityOf(peakScore: number): number {
  if (!(peakScore > 1)) return 0;
  return Math.min(100, Math.round(100 * (1 - 1 / peakScore) * 10) / 10);
}

export function severityLabel(severity: number): SeverityLabel {
  return severity >= 75 ? 'critical' : severity >= 50 ? 'major' : severity >= 25 ? 'minor' : 'warning';
}

/** What the episode builder needs to know about one scored point. */
export interface EpisodePoint {
  timestamp: number;
  score: number;
  direction: Direction | null;
}

interface Open {
  start: number;
  lastAnomalous: number;
  peakScore: number;
  peakTime: number;
  direction: Direction;
  anomalousPoints: number;
  explanation: Explanation;
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
    if (!this.hold.push(p.score, direction !== null)) return o ? this.close() : null;
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
      return null;
    }
    o.lastAnomalous = p.timestamp;
    o.anomalousPoints++;
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
      explanation: o.explanation,
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
