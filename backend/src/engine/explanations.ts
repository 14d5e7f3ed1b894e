/**
 * The explanations of a batch pass's anomalous points, kept as their parts (calibration/explain.ts) and
 * written as text only when an episode asks for one: an episode shows its peak's explanation, one of
 * the many anomalous points it may span. Writing every anomalous point's text (~12 % of the points of a
 * noisy series) was ~9 % of batch scoring's time and a third of what it allocated.
 */
import type { Direction, Explanation, ExplanationKind } from '../contract/score.js';
import {
  MAX_FEATURES,
  emptyExplanationParts,
  explanationOf,
  type ExplanationParts,
} from '../calibration/explain.js';

/** Numbers a record keeps: actual, expected, lower, upper, which of them are null, count, the shares. */
const NUMBERS = 6 + MAX_FEATURES;
/** Strings a record keeps: kind, direction, the feature names. */
const STRINGS = 2 + MAX_FEATURES;

const NULL_ACTUAL = 1;
const NULL_EXPECTED = 2;
const NULL_LOWER = 4;
const NULL_UPPER = 8;

export class ExplanationLog {
  /** Each point's record (−1: none). */
  private readonly recordOf: Int32Array;
  private numbers = new Float64Array(64 * NUMBERS);
  private readonly strings: string[] = [];
  private records = 0;
  private readonly parts = emptyExplanationParts();

  constructor(points: number) {
    this.recordOf = new Int32Array(points).fill(-1);
  }

  /** Keep point i's explanation parts (the object is read now, not kept). */
  record(i: number, p: ExplanationParts): void {
    const r = this.append();
    const at = r * NUMBERS;
    const nums = this.numbers;
    nums[at] = p.actual ?? NaN;
    nums[at + 1] = p.expected ?? NaN;
    nums[at + 2] = p.lower ?? NaN;
    nums[at + 3] = p.upper ?? NaN;
    nums[at + 4] =
      (p.actual === null ? NULL_ACTUAL : 0) |
      (p.expected === null ? NULL_EXPECTED : 0) |
      (p.lower === null ? NULL_LOWER : 0) |
      (p.upper === null ? NULL_UPPER : 0);
    nums[at + 5] = p.count;
    for (let k = 0; k < MAX_FEATURES; k++) nums[at + 6 + k] = p.contributions[k];
    this.strings.push(p.kind, p.direction);
    for (let k = 0; k < MAX_FEATURES; k++) this.strings.push(p.names[k]);
    this.recordOf[i] = r;
  }

  /** Point i's record in `from`, if it has one, as this log's (replacing any of its own). */
  copy(i: number, from: ExplanationLog): void {
    if (from.recordOf[i] < 0) return;
    this.record(i, from.partsOf(from.recordOf[i]));
  }

  /** Point i's explanation, its text written now; undefined when none was recorded. */
  get(i: number): Explanation | undefined {
    const r = this.recordOf[i];
    return r < 0 ? undefined : explanationOf(this.partsOf(r));
  }

  private partsOf(r: number): ExplanationParts {
    const p = this.parts;
    const at = r * NUMBERS;
    const nums = this.numbers;
    const nulls = nums[at + 4];
    p.actual = nulls & NULL_ACTUAL ? null : nums[at];
    p.expected = nulls & NULL_EXPECTED ? null : nums[at + 1];
    p.lower = nulls & NULL_LOWER ? null : nums[at + 2];
    p.upper = nulls & NULL_UPPER ? null : nums[at + 3];
    p.count = nums[at + 5];
    for (let k = 0; k < MAX_FEATURES; k++) p.contributions[k] = nums[at + 6 + k];
    const s = r * STRINGS;
    p.kind = this.strings[s] as ExplanationKind;
    p.direction = this.strings[s + 1] as Direction;
    for (let k = 0; k < MAX_FEATURES; k++) p.names[k] = this.strings[s + 2 + k];
    return p;
  }

  /** A new record's index, the numbers grown (doubled) when full. */
  private append(): number {
    if ((this.records + 1) * NUMBERS > this.numbers.length) {
      const grown = new Float64Array(2 * this.numbers.length);
      grown.set(this.numbers);
      this.numbers = grown;
    }
    return this.records++;
  }
}
