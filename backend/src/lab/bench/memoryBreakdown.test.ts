import { SeriesScorer, resolveParams } from '../../engine/seriesScorer.js';
import { typedArraysOf } from './memoryBreakdown.js';

describe('typedArraysOf', () => {
  test('finds every typed array once, by field and index path', () => {
    const shared = new Float32Array(4);
    const root = { a: new Float64Array(3), list: [{ b: new Uint8Array(5) }, shared], again: shared, n: 1 };
    expect(typedArraysOf(root)).toEqual([
      { path: 'a', bytes: 24 },
      { path: 'list[0].b', bytes: 5 },
      { path: 'list[1]', bytes: 16 },
    ]);
  });

  test('reaches the windows inside the components of an auto scorer', () => {
    const scorer = new SeriesScorer(resolveParams({ detector: 'auto', options: { period: 1440 } }), true);
    for (let i = 0; i < 3; i++) scorer.detector.update(i);
    const paths = typedArraysOf(scorer).map((t) => t.path);
    expect(paths).toContain('detector.components[0].fallback.win.data');
  });
});
