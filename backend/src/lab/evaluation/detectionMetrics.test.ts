import { evaluateDetection, evaluatePooled, pointAdjusted, rocAuc, segments } from './detectionMetrics.js';

// Hand-computed case: two labelled segments, [2, 4] and [7, 8]; flags at 0 (false alarm) and 4
// (the third point of the first segment).
const labels = [0, 0, 1, 1, 1, 0, 0, 1, 1, 0].map(Boolean);
const flags = [1, 0, 0, 0, 1, 0, 0, 0, 0, 0].map(Boolean);
const scores = [0.9, 0.1, 0.5, 0.6, 1.2, 0.2, 0.3, 0.4, 0.05, 0.0];

describe('evaluation metrics', () => {
  test('point-wise precision, recall and F1: tp 1, fp 1, fn 4', () => {
    const m = evaluateDetection(scores, flags, labels, 2);
    expect(m.confusion).toEqual({ tp: 1, fp: 1, fn: 4, tn: 4 });
    expect(m.precision).toBe(0.5);
    expect(m.recall).toBe(0.2);
    expect(m.f1).toBeCloseTo(2 / 7, 12);
    expect(m).toMatchObject({ points: 10, labelled: 5, flagged: 2, segments: 2 });
  });

  test('ROC-AUC counts labelled-above-unlabelled pairs: 18 of 25', () => {
    expect(rocAuc(scores, labels)).toBeCloseTo(18 / 25, 12);
  });

  test('ROC-AUC: ties count half, a perfect ranking is 1, one class only is undefined', () => {
    expect(rocAuc([1, 1, 1, 1], [true, false, true, false])).toBe(0.5);
    expect(rocAuc([0, 1, 2, 3], [false, false, true, true])).toBe(1);
    expect(rocAuc([3, 2, 1, 0], [false, false, true, true])).toBe(0);
    expect(rocAuc([1, 2], [false, false])).toBeNaN();
  });

  test('segments are runs of labelled points, including at both ends', () => {
    expect(segments(labels)).toEqual([
      [2, 4],
      [7, 8],
    ]);
    expect(segments([true, false, true].map(Boolean))).toEqual([
      [0, 0],
      [2, 2],
    ]);
    expect(segments([])).toEqual([]);
  });

  test('point-adjusted with delay 2: a flag at the 3rd point detects the whole first segment', () => {
    const m = evaluateDetection(scores, flags, labels, 2);
    expect(m.segmentsDetected).toBe(1);
    expect(m.pointAdjusted).toMatchObject({ tp: 3, fp: 1, fn: 2, precision: 0.75, recall: 0.6 });
    expect(m.pointAdjusted.f1).toBeCloseTo(2 / 3, 12);
  });

  test('point-adjusted with delay 1: the flag comes too late, the segment is missed and the flag is not a false positive', () => {
    expect(pointAdjusted(flags, labels, 1)).toEqual({ tp: 0, fp: 1, fn: 5, tn: 4, detected: 0, segments: 2 });
    expect(evaluateDetection(scores, flags, labels, 1).pointAdjusted.f1).toBe(0);
  });

  test('delay 0 needs the first point; a negative or fractional delay is refused', () => {
    expect(pointAdjusted([true, false], [true, true], 0).tp).toBe(2);
    expect(pointAdjusted([false, true], [true, true], 0).tp).toBe(0);
    expect(() => pointAdjusted(flags, labels, -1)).toThrow('delay must be an integer ≥ 0, got -1');
    expect(() => pointAdjusted(flags, labels, 1.5)).toThrow('delay must be an integer ≥ 0, got 1.5');
  });

  test('no flags and no labels: every ratio is 0, not NaN', () => {
    const m = evaluateDetection([0, 0], [false, false], [false, false], 3);
    expect(m).toMatchObject({ precision: 0, recall: 0, f1: 0, segments: 0 });
    expect(m.rocAuc).toBeNaN();
  });
});

describe('metrics of several series together', () => {
  test('sums the confusions, counts segments per series, and ranks all points in one ROC-AUC', () => {
    // The same series twice: every count doubles, the ratios and the AUC stay.
    const one = { scores, flags, labels };
    const m = evaluatePooled([one, one], 2);
    const single = evaluateDetection(scores, flags, labels, 2);
    expect(m.confusion).toEqual({ tp: 2, fp: 2, fn: 8, tn: 8 });
    expect(m.pointAdjusted).toMatchObject({
      tp: 2 * single.pointAdjusted.tp,
      fp: 2 * single.pointAdjusted.fp,
    });
    expect(m.segments).toBe(4);
    expect(m.segmentsDetected).toBe(2 * single.segmentsDetected);
    expect(m.precision).toBe(single.precision);
    expect(m.rocAuc).toBeCloseTo(single.rocAuc, 12);
  });

  test('a labelled run at the end of one series and the start of the next stays two segments', () => {
    const a = { scores: [0, 0, 2], flags: [false, false, true], labels: [false, false, true] };
    const b = { scores: [0, 0, 0], flags: [false, false, false], labels: [true, true, false] };
    const m = evaluatePooled([a, b], 0);
    expect(m.segments).toBe(2);
    expect(m.segmentsDetected).toBe(1);
    // Point adjustment would have credited b's run had the series been joined.
    expect(m.pointAdjusted).toMatchObject({ tp: 1, fn: 2, fp: 0 });
    expect(m.rocAuc).toBeCloseTo(2 / 3, 12);
  });
});
