import { SeriesScorer, resolveParams } from '../../engine/seriesScorer.js';
import { typedArraysOf } from './memoryBreakdown.js';

describe('typedArraysOf', () => {
  test('finds every typed array once, by field and index path', () => {
    const shared = new Float32Array(4);
    const root = { a: new Float64Array(3), list: [{ b: new Uint8Array(5) }, shared], again: shared, n: 1 };
    expect(typedArraysOf(root)).toEqual([
      { path: 'a', bytes: 24, buffer: 0, bufferBytes: 24, shared: false },
      { path: 'list[0].b', bytes: 5, buffer: 1, bufferBytes: 5, shared: false },
      { path: 'list[1]', bytes: 16, buffer: 2, bufferBytes: 16, shared: false },
    ]);
  });

  test('numbers the buffers, so views of one are one allocation, and marks those another root reaches', () => {
    const common = new Float64Array(2);
    const columns = new Float64Array(8);
    const root = { x: columns.subarray(0, 4), y: columns.subarray(4, 8), common };
    expect(typedArraysOf(root, '', { mine: new Float64Array(1), common })).toEqual([
      { path: 'x', bytes: 32, buffer: 0, bufferBytes: 64, shared: false },
      { path: 'y', bytes: 32, buffer: 0, bufferBytes: 64, shared: false },
      { path: 'common', bytes: 16, buffer: 1, bufferBytes: 16, shared: true },
    ]);
  });

  test('reaches the windows inside the components of an auto scorer', () => {
    const scorer = new SeriesScorer(resolveParams({ detector: 'auto', options: { period: 1440 } }), true);
    for (let i = 0; i < 3; i++) scorer.detector.update(i);
    const paths = typedArraysOf(scorer).map((t) => t.path);
    expect(paths).toContain('detector.components[0].fallback.win.data');
  });
});
