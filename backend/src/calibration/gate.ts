/**
 * Which points a series learns from. Points inside an open incident are learnt in `incident` mode (the
 * baselines move toward them by a bounded step, spreads and calibration ranges not at all), so a sustained
 * shift stays anomalous while it lasts, a second identical incident scores like the first, and the band
 * after an incident returns to its earlier width.
 *
 * The incident follows the episodes' hysteresis: it opens at a score ≥ 1, stays open while scores stay at
 * or above `holdLevel`, and ends after `closeAfter` points below it. Once it has lasted
 * `acceptNewLevelAfter` (ms; null = never), its points are learnt normally: the new level becomes normal
 * (the explicit adaptation horizon), and at that point the detector is told (`acceptedAfter`,
 * Detector.acceptLevel) so a seasonal profile moves its table to the new level at once. The incident stays
 * open (`open`) while its scores hold: the score tail does not learn it as the series' noise. A point near
 * zero during a drop (below ZERO_FRACTION of expected) is never accepted: traffic going to zero does not
 * become normal by waiting.
 *
 * The horizon is also never longer than the normal history the series had learnt when the incident
 * opened, nor shorter than a quarter of it (MIN_HOLD): a series that was quiet for its first seven hours
 * and then rose into its day had no more evidence for the quiet level than for the new one, and held its
 * first morning as a level shift for the whole day, paging on the days after too until its period was
 * found. After days of normal history this bound is past any horizon and changes nothing; the quarter
 * keeps an incident the detector holds held for a few hours however little came before it (a request
 * whose range begins shortly before it).
 */
import { towardZero, type LearnMode } from '../detectors/detector.js';
import { dec, enc } from '../snapshots/codec.js';
import { Hysteresis, type HysteresisOptions } from './hysteresis.js';
import type { GateState } from './snapshot.js';

/** Default adaptation horizon: a new level is accepted after one day of being anomalous. */
export const DEFAULT_ACCEPT_NEW_LEVEL_AFTER_MS = 24 * 3600_000;

/** The shortest hold, as a fraction of the horizon, when little normal history came before an incident. */
export const MIN_HOLD = 0.25;

/**
 * Where the normal history's count stops (~2,000 years at a 1-minute step): past any horizon, and a
 * count the snapshot schema accepts (a safe integer) however long a series runs.
 */
const NORMAL_CAP = 2 ** 30;

export interface GateOptions extends HysteresisOptions {
  acceptNewLevelAfter: number | null;
}

export class LearningGate {
  private readonly incident: Hysteresis;
  private start = NaN;
  /** Points of the open incident so far (this one included). */
  private points = 0;
  /** Whether the open incident's level has been accepted. */
  private accepted = false;
  /**
   * Points learnt outside any incident so far (the series' normal history). It does not move while an
   * incident is open, so it is also that incident's evidence: the longest it is held before its level is
   * accepted.
   */
  private normal = 0;
  /**
   * Set by `next` at the point where the open incident's level is accepted (for that point only): the
   * incident's points before it, else 0. The scorer tells the detector (Detector.acceptLevel).
   */
  acceptedAfter = 0;
  /** Whether the last point opened an incident (Detector.incidentOpened). */
  opened = false;
  constructor(private readonly opts: GateOptions) {
    this.incident = new Hysteresis(opts);
  }

  /**
   * The mode to learn this point in, given its final score (0 while learning or missing). `holds`: evidence
   * that an open incident goes on whatever this point's score (Hysteresis.push). A burst of noise has many
   * points near expected, and three in a row closed its incident: its other points were then learnt as
   * normal, and the band after it was 3.4× its width on the same series without it (issue 11).
   */
  next(timestamp: number, score: number, x: number, expected: number, holds = false): LearnMode {
    const wasOpen = this.incident.open;
    this.acceptedAfter = 0;
    this.opened = false;
    if (!this.incident.push(score, score >= 1, holds)) {
      if (this.normal < NORMAL_CAP) this.normal++;
      return 'normal';
    }
    if (!wasOpen) {
      this.start = timestamp;
      this.points = 0;
      this.accepted = false;
      this.opened = true;
    }
    this.points++;
    const horizon = this.opts.acceptNewLevelAfter;
    // Absolute: a non-causal request's backward pass runs through time the other way.
    const lasted = Math.abs(timestamp - this.start);
    const past =
      horizon !== null && (lasted >= horizon || (this.points > this.normal && lasted >= MIN_HOLD * horizon));
    if (past && !towardZero(x, expected)) {
      if (!this.accepted) this.acceptedAfter = this.points - 1;
      this.accepted = true;
      return 'normal';
    }
    return 'incident';
  }

  /** Whether an incident is open after the last point, accepted (learnt normally) or not. */
  get open(): boolean {
    return this.incident.open;
  }

  snapshot(): GateState {
    const { open, below } = this.incident.snapshot();
    return {
      open,
      start: enc(this.start),
      below,
      points: this.points,
      accepted: this.accepted,
      normal: this.normal,
    };
  }

  restore(s: GateState): void {
    this.incident.restore(s);
    this.start = dec(s.start);
    this.points = s.points ?? 0;
    this.accepted = s.accepted ?? false;
    // An older snapshot comes from a series past its learning: its normal history bounds nothing.
    this.normal = s.normal ?? NORMAL_CAP;
  }
}
