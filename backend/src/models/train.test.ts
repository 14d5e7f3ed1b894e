import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scoreSeries } from '../engine/index.js';
import {
  fileHandler,
  joinWeightData,
  readModelDir,
  toNeuralModel,
  writeModelDir,
} from '../neural/artifacts.js';
import { inputSize } from '../neural/features.js';
import { forward } from '../neural/forward.js';
import { loadTf } from './runtime.js';
import { trainModel, TrainingError } from './train.js';

/** 5-minute points with a daily-like period of 48 points, a little noise, seeded. */
function series(n: number, spikeAt: number[] = []) {
  let seed = 7;
  const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5;
  const t0 = Date.UTC(2024, 0, 1);
  const timestamps = Array.from({ length: n }, (_, i) => t0 + i * 300_000);
  const values = timestamps.map((_, i) => 100 + 20 * Math.sin((2 * Math.PI * i) / 48) + 2 * rnd());
  for (const i of spikeAt) values[i] += 60;
  return { timestamps, values };
}

describe('training a neural detector', () => {
  const dir = { path: '' };
  beforeAll(async () => {
    dir.path = await mkdtemp(join(tmpdir(), 'tl-train-'));
  });
  afterAll(async () => {
    await rm(dir.path, { recursive: true, force: true });
  });

  it.each(['autoencoder', 'lstm'] as const)(
    '%s: the JavaScript forward pass matches model.predict, and a spike after training scores ≥ 1',
    async (detector) => {
      const train = series(500);
      const result = await trainModel({
        id: `t-${detector}`,
        version: 1,
        detector,
        series: train,
        options: { epochs: detector === 'lstm' ? 3 : 15, window: 16 },
      });
      const { metadata } = result;
      expect(metadata.features.period).toBe(48);
      expect(metadata.calibration.sigma).toBeGreaterThan(0);

      // Same numbers as TF.js itself on a few inputs.
      const { tf } = await loadTf();
      const model = await tf.loadLayersModel(
        tf.io.fromMemory({
          modelTopology: result.artifacts.modelTopology as object,
          weightSpecs: result.artifacts.weightSpecs,
          weightData: result.artifacts.weightData,
        }),
      );
      const neural = toNeuralModel(result.bundle);
      const size = inputSize(metadata.features);
      const xs = Float64Array.from({ length: 3 * size }, (_, i) => Math.sin(i / 3));
      const predicted = (
        model.predict(tf.tensor(Array.from(xs), [3, ...metadata.features.inputShape])) as {
          arraySync(): number[][];
        }
      ).arraySync();
      for (let k = 0; k < 3; k++) {
        const ours = forward(
          neural.layers,
          xs.subarray(k * size, (k + 1) * size),
          metadata.features.inputShape,
        );
        ours.forEach((v, j) => expect(v).toBeCloseTo(predicted[k][j], 4));
      }

      const test = series(800, [650]);
      const scored = scoreSeries(test, { detector, model: result.bundle, options: { causal: true } });
      expect(scored.model.fallback).toBeUndefined();
      expect(scored.score[650]).toBeGreaterThanOrEqual(1);
      expect(scored.direction[650]).toBe('up');
      expect(scored.expected[700]).not.toBeNull();

      // Files round trip: tf.io handler and the service's reader give the same weights.
      const versionDir = join(dir.path, detector, 'v1');
      await writeModelDir(versionDir, metadata, result.artifacts);
      const loaded = await readModelDir(versionDir);
      const again = scoreSeries(test, { detector, model: loaded, options: { causal: true } });
      expect(again.score).toEqual(scored.score);
      const viaTf = await tf.loadLayersModel(fileHandler(versionDir));
      expect(viaTf.layers.length).toBe(model.layers.length);
    },
    60000,
  );

  it('two trainings on the same series with the same seed give the same weights; another seed others', async () => {
    // fit's own shuffle drew from Math.random: the same request trained a different model each time.
    const train = (seed: number) =>
      trainModel({
        id: 'same',
        version: 1,
        detector: 'autoencoder',
        series: series(400),
        options: { epochs: 3, window: 12 },
        seed,
      });
    const weights = async (seed: number) =>
      Array.from(joinWeightData((await train(seed)).artifacts.weightData!));
    const first = await weights(42);
    expect(await weights(42)).toEqual(first);
    expect(await weights(43)).not.toEqual(first);
  }, 60000);

  it("auto with a trained model adds the model's components to its own, each calibrated", async () => {
    const { bundle } = await trainModel({
      id: 'with-auto',
      version: 1,
      detector: 'lstm',
      series: series(500),
      options: { epochs: 2, window: 16 },
    });
    const test = series(800, [650]);
    const alone = scoreSeries(test, { detector: 'auto', options: { causal: true } });
    const joined = scoreSeries(test, { detector: 'auto', model: bundle, options: { causal: true } });
    expect(joined.detector).toBe('auto');
    expect(joined.model.components).toEqual([...alone.model.components, 'forecast_residual']);
    expect(joined.anomaly[650]).toBe(true);
    expect(() => scoreSeries(test, { detector: 'robust', model: bundle })).toThrow(
      'model with-auto is a lstm model; detector "robust" cannot score with it',
    );
  }, 30000);

  it('classifier refuses labels without both classes, with a message saying so', async () => {
    await expect(
      trainModel({
        id: 'c',
        version: 1,
        detector: 'classifier',
        series: series(300),
        options: { epochs: 1 },
      }),
    ).rejects.toThrow(
      new TrainingError(
        'classifier needs labels with both classes: 0 of 269 training windows are labelled anomalous (no labels given: pass labelled anomalous ranges)',
      ),
    );
  });

  it('a neural detector without a model falls back to a statistical detector and says so', () => {
    const scored = scoreSeries(series(400), { detector: 'autoencoder' });
    expect(scored.detector).toBe('auto');
    expect(scored.state).toBe('learning');
    expect(scored.model.fallback?.from).toBe('autoencoder');
  });
});
