/**
 * Inference of a trained model in plain JavaScript, from its saved topology and weights.
 *
 * Why not `model.predict`: detectors are streaming and synchronous (one point in, one deviation out,
 * inside a worker or a continuous job), and a TF.js call per point costs ~0.1–1 ms of op dispatch for
 * a network this small, where this forward pass costs a few microseconds. It also makes scores
 * independent of the backend that trained the model (tfjs-node, wasm, cpu) and needs no TF.js at all,
 * so the service loads and scores models without importing it. forward.test.ts checks it against
 * `model.predict` for every layer kind used here.
 *
 * Supported: Dense (linear, relu, sigmoid, tanh, elu), Dropout (identity at inference), LSTM (Keras
 * gate order i, f, c, o; returnSequences false), Conv1D (valid padding, stride 1), Flatten and
 * GlobalAveragePooling1D, in a Sequential model.
 */

export type Activation = 'linear' | 'relu' | 'sigmoid' | 'tanh' | 'elu' | 'hard_sigmoid';

export type LayerWeights = Record<string, { shape: number[]; values: Float32Array }>;

export type Layer =
  | { kind: 'dense'; units: number; activation: Activation; kernel: Float32Array; bias: Float32Array | null }
  | { kind: 'identity' }
  | { kind: 'flatten' }
  | { kind: 'gap1d' }
  | {
      kind: 'lstm';
      units: number;
      activation: Activation;
      recurrentActivation: Activation;
      kernel: Float32Array;
      recurrentKernel: Float32Array;
      bias: Float32Array | null;
    }
  | {
      kind: 'conv1d';
      filters: number;
      kernelSize: number;
      activation: Activation;
      kernel: Float32Array;
      bias: Float32Array | null;
    };

/** A value with its shape: [features] or [steps, channels]. */
interface Tensor {
  data: Float64Array;
  shape: number[];
}

export class ForwardError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ForwardError';
  }
}

const ACTIVATIONS: Record<string, Activation> = {
  linear: 'linear',
  relu: 'relu',
  sigmoid: 'sigmoid',
  tanh: 'tanh',
  elu: 'elu',
  hard_sigmoid: 'hard_sigmoid',
  hardSigmoid: 'hard_sigmoid',
};

function act(a: Activation, x: number): number {
  switch (a) {
    case 'linear':
      return x;
    case 'relu':
      return x > 0 ? x : 0;
    case 'sigmoid':
      return 1 / (1 + Math.exp(-x));
    case 'tanh':
      return Math.tanh(x);
    case 'elu':
      return x > 0 ? x : Math.exp(x) - 1;
    case 'hard_sigmoid':
      return Math.max(0, Math.min(1, 0.2 * x + 0.5));
  }
}

function activation(name: unknown, where: string): Activation {
  const a = ACTIVATIONS[String(name ?? 'linear')];
  if (!a) throw new ForwardError(`${where}: activation ${JSON.stringify(name)} is not supported`);
  return a;
}

interface KerasLayer {
  class_name: string;
  config: Record<string, unknown>;
}

/** The layers of a saved Sequential topology (tf.io ModelArtifacts.modelTopology). */
function kerasLayers(topology: unknown): KerasLayer[] {
  const t = topology as { class_name?: string; config?: unknown; model_config?: unknown };
  const model = (t?.model_config ?? t) as { class_name?: string; config?: unknown };
  if (model?.class_name !== 'Sequential') {
    throw new ForwardError(`model topology: expected a Sequential model, got ${String(model?.class_name)}`);
  }
  const config = model.config as { layers?: KerasLayer[] } | KerasLayer[];
  const layers = Array.isArray(config) ? config : config?.layers;
  if (!Array.isArray(layers)) throw new ForwardError('model topology: no layers');
  return layers;
}

function weight(weights: LayerWeights, layer: string, name: string, size: number): Float32Array {
  const w = weights[`${layer}/${name}`];
  if (!w) throw new ForwardError(`weights: ${layer}/${name} is missing`);
  if (w.values.length !== size) {
    throw new ForwardError(`weights: ${layer}/${name} has ${w.values.length} values, expected ${size}`);
  }
  return w.values;
}

/**
 * Builds the layer list from a topology and its weights, checking every shape against the input
 * shape, so a model that loads is a model that runs.
 */
export function buildLayers(topology: unknown, weights: LayerWeights, inputShape: number[]): Layer[] {
  let shape = [...inputShape];
  const out: Layer[] = [];
  for (const l of kerasLayers(topology)) {
    const c = l.config;
    const name = String(c.name);
    const where = `layer ${name} (${l.class_name})`;
    const useBias = c.use_bias !== false;
    switch (l.class_name) {
      case 'Dense': {
        if (shape.length !== 1) throw new ForwardError(`${where}: needs a flat input, got [${shape}]`);
        const units = Number(c.units);
        out.push({
          kind: 'dense',
          units,
          activation: activation(c.activation, where),
          kernel: weight(weights, name, 'kernel', shape[0] * units),
          bias: useBias ? weight(weights, name, 'bias', units) : null,
        });
        shape = [units];
        break;
      }
      case 'Dropout':
        out.push({ kind: 'identity' });
        break;
      case 'Flatten':
        out.push({ kind: 'flatten' });
        shape = [shape.reduce((a, b) => a * b, 1)];
        break;
      case 'GlobalAveragePooling1D':
        if (shape.length !== 2) throw new ForwardError(`${where}: needs [steps, channels], got [${shape}]`);
        out.push({ kind: 'gap1d' });
        shape = [shape[1]];
        break;
      case 'LSTM': {
        if (shape.length !== 2) throw new ForwardError(`${where}: needs [steps, channels], got [${shape}]`);
        if (c.return_sequences) throw new ForwardError(`${where}: return_sequences is not supported`);
        const units = Number(c.units);
        out.push({
          kind: 'lstm',
          units,
          activation: activation(c.activation, where),
          recurrentActivation: activation(c.recurrent_activation, where),
          kernel: weight(weights, name, 'kernel', shape[1] * 4 * units),
          recurrentKernel: weight(weights, name, 'recurrent_kernel', units * 4 * units),
          bias: useBias ? weight(weights, name, 'bias', 4 * units) : null,
        });
        shape = [units];
        break;
      }
      case 'Conv1D': {
        if (shape.length !== 2) throw new ForwardError(`${where}: needs [steps, channels], got [${shape}]`);
        const filters = Number(c.filters);
        const k = Number(Array.isArray(c.kernel_size) ? c.kernel_size[0] : c.kernel_size);
        const strides = Array.isArray(c.strides) ? c.strides[0] : (c.strides ?? 1);
        const dilation = Array.isArray(c.dilation_rate) ? c.dilation_rate[0] : (c.dilation_rate ?? 1);
        if (c.padding !== 'valid' || strides !== 1 || dilation !== 1) {
          throw new ForwardError(`${where}: only valid padding, stride 1 and dilation 1 are supported`);
        }
        out.push({
          kind: 'conv1d',
          filters,
          kernelSize: k,
          activation: activation(c.activation, where),
          kernel: weight(weights, name, 'kernel', k * shape[1] * filters),
          bias: useBias ? weight(weights, name, 'bias', filters) : null,
        });
        shape = [shape[0] - k + 1, filters];
        break;
      }
      default:
        throw new ForwardError(`${where}: layer type is not supported by the JavaScript forward pass`);
    }
  }
  return out;
}

function dense(l: Extract<Layer, { kind: 'dense' }>, x: Tensor): Tensor {
  const n = x.data.length;
  const y = new Float64Array(l.units);
  for (let j = 0; j < l.units; j++) {
    let s = l.bias ? l.bias[j] : 0;
    for (let i = 0; i < n; i++) s += x.data[i] * l.kernel[i * l.units + j];
    y[j] = act(l.activation, s);
  }
  return { data: y, shape: [l.units] };
}

function activationFn(a: Activation): (x: number) => number {
  switch (a) {
    case 'linear':
      return (x) => x;
    case 'relu':
      return (x) => (x > 0 ? x : 0);
    case 'sigmoid':
      return (x) => 1 / (1 + Math.exp(-x));
    case 'tanh':
      return Math.tanh;
    case 'elu':
      return (x) => (x > 0 ? x : Math.exp(x) - 1);
    case 'hard_sigmoid':
      return (x) => Math.max(0, Math.min(1, 0.2 * x + 0.5));
  }
}

function lstm(l: Extract<Layer, { kind: 'lstm' }>, x: Tensor): Tensor {
  const [steps, channels] = x.shape;
  const u = l.units;
  const g = 4 * u;
  const h = new Float64Array(u);
  const c = new Float64Array(u);
  const z = new Float64Array(g);
  const rec = activationFn(l.recurrentActivation);
  const out = activationFn(l.activation);
  const { kernel, recurrentKernel, bias } = l;
  for (let t = 0; t < steps; t++) {
    // Row-major kernels: accumulate row by row, so the inner loop walks memory in order.
    if (bias) for (let j = 0; j < g; j++) z[j] = bias[j];
    else z.fill(0);
    for (let i = 0; i < channels; i++) {
      const xi = x.data[t * channels + i];
      const row = i * g;
      for (let j = 0; j < g; j++) z[j] += xi * kernel[row + j];
    }
    for (let i = 0; i < u; i++) {
      const hi = h[i];
      const row = i * g;
      for (let j = 0; j < g; j++) z[j] += hi * recurrentKernel[row + j];
    }
    for (let j = 0; j < u; j++) {
      c[j] = rec(z[u + j]) * c[j] + rec(z[j]) * out(z[2 * u + j]);
      h[j] = rec(z[3 * u + j]) * out(c[j]);
    }
  }
  return { data: h, shape: [u] };
}

function conv1d(l: Extract<Layer, { kind: 'conv1d' }>, x: Tensor): Tensor {
  const [steps, channels] = x.shape;
  const outSteps = steps - l.kernelSize + 1;
  const f = l.filters;
  const y = new Float64Array(outSteps * f);
  for (let t = 0; t < outSteps; t++) {
    for (let o = 0; o < f; o++) {
      let s = l.bias ? l.bias[o] : 0;
      for (let k = 0; k < l.kernelSize; k++) {
        for (let i = 0; i < channels; i++) {
          s += x.data[(t + k) * channels + i] * l.kernel[(k * channels + i) * f + o];
        }
      }
      y[t * f + o] = act(l.activation, s);
    }
  }
  return { data: y, shape: [outSteps, f] };
}

/** Runs one example (flattened row-major in `shape`) through the layers. */
export function forward(layers: readonly Layer[], input: Float64Array, shape: number[]): Float64Array {
  let x: Tensor = { data: input, shape };
  for (const l of layers) {
    switch (l.kind) {
      case 'dense':
        x = dense(l, x);
        break;
      case 'lstm':
        x = lstm(l, x);
        break;
      case 'conv1d':
        x = conv1d(l, x);
        break;
      case 'flatten':
        x = { data: x.data, shape: [x.data.length] };
        break;
      case 'gap1d': {
        const [steps, ch] = x.shape;
        const y = new Float64Array(ch);
        for (let t = 0; t < steps; t++) for (let i = 0; i < ch; i++) y[i] += x.data[t * ch + i];
        for (let i = 0; i < ch; i++) y[i] /= steps;
        x = { data: y, shape: [ch] };
        break;
      }
      case 'identity':
        break;
    }
  }
  return x.data;
}
