import { loadTf, tfjsBackend, useBackend } from './runtime.js';

describe('TensorFlow.js runtime', () => {
  it('loads lazily: nothing is reported before the first use', () => {
    expect(tfjsBackend()).toBeNull();
  });

  it('falls back from tfjs-node (absent here) to the wasm backend, read from the package on disk', async () => {
    const rt = await loadTf();
    expect(['tensorflow', 'wasm', 'cpu']).toContain(rt.backend);
    if (rt.skipped.some((s) => s.startsWith('tensorflow:'))) expect(rt.backend).toBe('wasm');
    expect(tfjsBackend()).toBe(rt.backend);
    const a = rt.tf.tensor2d([
      [1, 2],
      [3, 4],
    ]);
    expect(a.matMul(a).arraySync()).toEqual([
      [7, 10],
      [15, 22],
    ]);
    a.dispose();
  });

  it('shares one load between concurrent callers and can switch to the cpu backend', async () => {
    const [a, b] = await Promise.all([loadTf(), loadTf()]);
    expect(a).toBe(b);
    const before = a.backend;
    expect(await useBackend('cpu')).toBe(true);
    expect(tfjsBackend()).toBe('cpu');
    expect(a.tf.getBackend()).toBe('cpu');
    await useBackend(before);
  });
});
