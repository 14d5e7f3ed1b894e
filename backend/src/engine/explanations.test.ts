import { emptyExplanationParts, explanationOf, type ExplanationParts } from '../calibration/explain.js';
import { ExplanationLog } from './explanations.js';

function parts(over: Partial<ExplanationParts>): ExplanationParts {
  const p = { ...emptyExplanationParts(), ...over };
  p.names = [...(over.names ?? ['level_shift', 'rate_of_change', ''])];
  p.contributions = Float64Array.from(over.contributions ?? [0.6, 0.4, 0]);
  return p;
}

describe('ExplanationLog', () => {
  it('gives back the explanation of the parts recorded, nulls and NaN kept apart', () => {
    const log = new ExplanationLog(5);
    const a = parts({
      kind: 'level_shift',
      direction: 'down',
      actual: 3,
      expected: NaN,
      lower: null,
      upper: 7,
      count: 2,
    });
    const b = parts({ actual: null, expected: null, lower: 1, upper: null, count: 1 });
    log.record(1, a);
    log.record(3, b);
    expect(log.get(0)).toBeUndefined();
    expect(log.get(1)).toEqual(explanationOf(a));
    expect(log.get(1)?.expected).toBeNaN();
    expect(log.get(3)).toEqual(explanationOf(b));
    expect(log.get(3)?.actual).toBeNull();
  });

  it("copies another log's record over its own, and keeps its own where the other has none", () => {
    const mine = new ExplanationLog(3);
    const other = new ExplanationLog(3);
    const own = parts({ actual: 1, count: 1 });
    const theirs = parts({ actual: 2, count: 2 });
    mine.record(0, own);
    mine.record(1, own);
    other.record(1, theirs);
    mine.copy(0, other);
    mine.copy(1, other);
    expect(mine.get(0)).toEqual(explanationOf(own));
    expect(mine.get(1)).toEqual(explanationOf(theirs));
  });

  it('grows past its first storage', () => {
    const log = new ExplanationLog(1000);
    for (let i = 0; i < 1000; i++) log.record(i, parts({ actual: i, count: 1 }));
    expect(log.get(999)?.actual).toBe(999);
    expect(log.get(0)?.actual).toBe(0);
  });
});
