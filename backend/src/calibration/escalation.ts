/**
 * Escalation: a point whose score is higher than every score of the previous `span` points, i.e. an
 * episode opening or getting worse. This is when an operator is notified (not at every anomalous
 * point of an ongoing episode), so it is also what the NAB adapter reports as detections.
 * A monotonic deque keeps the running maximum in O(1) amortized per point.
 */
import { StateError, dec, enc, expectSame } from '../featurize/snapshot.js';
import type { EscalationState } from './state.js';

export const DEFAULT_ESCALATION_SPAN = 50;

export class EscalationTracker {
  private readonly idx: number[] = [];
  private readonly val: number[] = [];
  private n = 0;
  constructor(private readonly span = DEFAULT_ESCALATION_SPAN) {}

  /** True when `score` exceeds the maximum of the previous `span` scores (0 before any). */
  push(score: number): boolean {
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
    return { span: this.span, n: this.n, idx: [...this.idx], val: this.val.map(enc) };
  }

  restore(s: EscalationState, path = 'escalation'): void {
    expectSame(`${path}.span`, s.span, this.span);
    if (s.idx.length !== s.val.length) {
      throw new StateError(`${path}.val`, `has ${s.val.length} scores for ${s.idx.length} indices`);
    }
    this.n = s.n;
    this.idx.length = 0;
    this.val.length = 0;
    for (let k = 0; k < s.idx.length; k++) {
      this.idx.push(s.idx[k]);
      this.val.push(dec(s.val[k]));
    }
  }
}
