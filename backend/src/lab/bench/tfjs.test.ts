import { formatTfjsReport, measureTfjs } from './tfjs.js';

describe('bench: TensorFlow.js section', () => {
  test('measures training and predict per available backend and engine scoring, and prints them', async () => {
    const r = await measureTfjs({
      trainPoints: 300,
      epochs: 1,
      scorePoints: 500,
      detectors: ['autoencoder', 'lstm', 'classifier'],
      api: null,
    });
    const wasm = r.backends.find((b) => b.backend === 'wasm');
    const cpu = r.backends.find((b) => b.backend === 'cpu');
    expect(wasm?.available).toBe(true);
    expect(cpu?.available).toBe(true);
    for (const b of r.backends.filter((x) => x.available)) {
      expect(b.training.map((t) => t.detector)).toEqual(['autoencoder', 'lstm', 'classifier']);
      for (const t of [...b.training, ...b.predict]) expect(t.windowsPerSec).toBeGreaterThan(0);
    }
    expect(r.scoring.map((s) => s.detector)).toEqual(['autoencoder', 'lstm', 'classifier']);
    expect(r.scoring.every((s) => s.pointsPerSec > 0)).toBe(true);
    const text = formatTfjsReport(r);
    expect(text).toContain(`TensorFlow.js (the service picks: ${r.defaultBackend})`);
    expect(text).toMatch(/wasm +autoencoder/);
    expect(text).toMatch(/^ {2}classifier +[\d,]+$/m);
  }, 60_000);
});
