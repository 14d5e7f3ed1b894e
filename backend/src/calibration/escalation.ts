/**
 * Escalation: when an operator is notified, so also what the NAB adapter reports as detections. Outside
 * an incident, a point whose score is higher than every score of the previous `span` points (an episode
 * opening); inside an open incident (the episodes' hysteresis: open at score ≥ 1, held while ≥ 0.7,
 * closed after ESCALATION_CLOSE_AFTER points below) none, so a sustained incident held for hours is one notification, not one
 * per noisy new maximum. (Measured on NAB with a split-half check: re-notifying when the score beats the
 * incident's peak by 1.2×, 1.5× or 2× is worse on both halves than never.)
 * A monotonic deque keeps the running maximum in O(1) amortized per point.
 */
import { StateError, dec, enc, expectSame } from '../snapshots/codec.js';
import type { EscalationState } from './snapshot.js';
import { DEFAULT_EPISODES } from './episodes.js';
import { Hysteresis } from './hysteresis.js';

export const DEFAULT_ESCALATION_SPAN = 50;
/**
 * Points below the hold level after which an incident is over for notifications: one that flaps back
 * within 30 points is the same incident. NAB standard, split halves: 63.01 / 71.30 at 30 against
 * 62.84 / 71.09 at 3 (the episodes' own).
 */
export const ESCALATION_CLOSE_AFTER = 30;

export class EscalationTracker {
  private readonly idx: number[] = [];
  private readonly val: number[] = [];
  private n = 0;
  private readonly incident = new Hysteresis({ ...DEFAULT_EPISODES, closeAfter: ESCALATION_CLOSE_AFTER });
  constructor(private readonly span = DEFAULT_ESCALATION_SPAN) {}

  /** True when `score` is an escalation (see above). */
  push(score: number): boolean {
    const escalates = this.pushRecent(score) && !this.incident.open;
    this.incident.push(score);
    return escalates;
  }

  /** Whether `score` exceeds the maximum of the previous `span` scores (0 before any). */
  private pushRecent(score: number): boolean {
    const i = this.n++;
    while (this.idx.length && this.idx[0] < i - this.span) {
      this.idx.shift();
      this.val.shift();
    }
    const prevMax = this.val.length ? this.val[0] : 0;
    while (this.val.length && this.val[this.val.length - 1] <= score) {
      this.idx.pop();
      this.val.pop();
    }
    this.idx.push(i);
    this.val.push(score);
    return score > prevMax;
  }

  snapshot(): EscalationState {
    return {
      span: this.span,
      n: this.n,
      idx: [...this.idx],
      val: this.val.map(enc),
      ...this.incident.snapshot(),
    };
  }

  restore(s: EscalationState, path = 'escalation'): void {
    expectSame(`${path}.span`, s.span, this.span);
    if (s.idx.length !== s.val.length) {
      throw new StateError(`${path}.val`, `has ${s.val.length} scores for ${s.idx.length} indices`);
    }
    this.n = s.n;
    this.incident.restore(s);
    this.idx.length = 0;
    this.val.length = 0;
    for (let k = 0; k < s.idx.length; k++) {
      this.idx.push(s.idx[k]);
      this.val.push(dec(s.val[k]));
    }
  }
}
