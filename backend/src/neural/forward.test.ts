import type { LayersModel, Sequential, Tensor } from '@tensorflow/tfjs';
import { decodeWeights, joinWeightData } from './artifacts.js';
import { buildLayers, forward, ForwardError } from './forward.js';
import { loadTf } from '../models/runtime.js';

type Tf = Awaited<ReturnType<typeof loadTf>>['tf'];

interface Saved {
  topology: unknown;
  bytes: Uint8Array;
  specs: { name: string; shape: number[]; dtype: string }[];
}

/** Topology and weights as the service reads them from a saved model. */
async function saved(model: LayersModel): Promise<Saved> {
  const { tf } = await loadTf();
  const out: Saved[] = [];
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      out.push({
        topology: a.modelTopology,
        bytes: joinWeightData(a.weightData as ArrayBuffer),
        specs: a.weightSpecs as Saved['specs'],
      });
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (out.length !== 1) throw new Error('model was not saved');
  return out[0];
}

/** Large enough weights that every activation leaves its linear range. */
const init = (tf: Tf, seed: number) => tf.initializers.randomNormal({ mean: 0, stddev: 0.6, seed });

const CASES: { name: string; inputShape: number[]; build: (tf: Tf) => Sequential }[] = [
  {
    name: 'dense layers with every activation, and dropout',
    inputShape: [10],
    build: (tf) => {
      const m = tf.sequential();
      const acts = ['relu', 'tanh', 'elu', 'hardSigmoid', 'linear', 'sigmoid'] as const;
      acts.forEach((activation, k) => {
        m.add(
          tf.layers.dense({
            units: 7 - (k % 2),
            activation,
            kernelInitializer: init(tf, k),
            biasInitializer: init(tf, 50 + k),
            ...(k === 0 ? { inputShape: [10] } : {}),
          }),
        );
        if (k === 1) m.add(tf.layers.dropout({ rate: 0.3 }));
      });
      return m;
    },
  },
  {
    name: 'LSTM with sigmoid gates (the loop scoring uses)',
    inputShape: [12, 3],
    build: (tf) => {
      const m = tf.sequential();
      m.add(
        tf.layers.lstm({
          units: 9,
          inputShape: [12, 3],
          recurrentActivation: 'sigmoid',
          kernelInitializer: init(tf, 1),
          recurrentInitializer: init(tf, 2),
          biasInitializer: init(tf, 3),
        }),
      );
      m.add(tf.layers.dense({ units: 2, kernelInitializer: init(tf, 4) }));
      return m;
    },
  },
  {
    name: 'LSTM with hard-sigmoid gates and no bias (the general loop)',
    inputShape: [8, 1],
    build: (tf) => {
      const m = tf.sequential();
      m.add(
        tf.layers.lstm({
          units: 5,
          inputShape: [8, 1],
          recurrentActivation: 'hardSigmoid',
          useBias: false,
          kernelInitializer: init(tf, 5),
          recurrentInitializer: init(tf, 6),
        }),
      );
      return m;
    },
  },
  {
    name: 'Conv1D, flatten and global average pooling',
    inputShape: [16, 3],
    build: (tf) => {
      const m = tf.sequential();
      m.add(
        tf.layers.conv1d({
          filters: 6,
          kernelSize: 5,
          activation: 'relu',
          inputShape: [16, 3],
          kernelInitializer: init(tf, 7),
          biasInitializer: init(tf, 8),
        }),
      );
      m.add(
        tf.layers.conv1d({ filters: 4, kernelSize: 3, activation: 'tanh', kernelInitializer: init(tf, 9) }),
      );
      m.add(tf.layers.globalAveragePooling1d());
      m.add(tf.layers.dense({ units: 3, kernelInitializer: init(tf, 10) }));
      return m;
    },
  },
  {
    name: 'Conv1D then flatten',
    inputShape: [10, 2],
    build: (tf) => {
      const m = tf.sequential();
      m.add(
        tf.layers.conv1d({ filters: 3, kernelSize: 4, inputShape: [10, 2], kernelInitializer: init(tf, 11) }),
      );
      m.add(tf.layers.flatten());
      m.add(tf.layers.dense({ units: 1, activation: 'sigmoid', kernelInitializer: init(tf, 12) }));
      return m;
    },
  },
];

describe('the JavaScript forward pass', () => {
  it.each(CASES)('$name: matches model.predict to 4 decimals, call after call', async (c) => {
    const { tf } = await loadTf();
    const model = c.build(tf);
    const s = await saved(model);
    const layers = buildLayers(s.topology, decodeWeights(s.specs, s.bytes), c.inputShape);
    const size = c.inputShape.reduce((a, b) => a * b, 1);
    const batch = 5;
    const xs = Float64Array.from(
      { length: batch * size },
      (_, i) => 1.5 * Math.sin(i * 0.7) + 0.3 * Math.cos(i),
    );
    const predicted = (
      model.predict(tf.tensor(Array.from(xs), [batch, ...c.inputShape])) as Tensor
    ).arraySync() as number[][];
    // Each example twice, interleaved: buffers reused between calls must not leak state.
    for (const k of [0, 1, 2, 3, 4, 0, 3]) {
      const ours = Array.from(forward(layers, xs.subarray(k * size, (k + 1) * size), c.inputShape));
      expect(ours).toHaveLength(predicted[k].length);
      ours.forEach((v, j) => expect(v).toBeCloseTo(predicted[k][j], 4));
    }
    // The inputs differ enough for the check to mean something.
    expect(new Set(predicted.map((p) => p[0].toFixed(3))).size).toBeGreaterThan(2);
    model.dispose();
  });

  it('refuses weights of the wrong size, naming the layer and the sizes', async () => {
    const { tf } = await loadTf();
    const s = await saved(CASES[1].build(tf));
    const weights = decodeWeights(s.specs, s.bytes);
    const name = Object.keys(weights).find((k) => k.endsWith('/recurrent_kernel'))!;
    weights[name] = { shape: [1], values: new Float32Array(3) };
    expect(() => buildLayers(s.topology, weights, [12, 3])).toThrow(ForwardError);
    expect(() => buildLayers(s.topology, weights, [12, 3])).toThrow(`${name} has 3 values, expected 324`);
  });
});
