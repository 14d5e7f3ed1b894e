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

/**
 * A layer ready to run. Weights are copied at build time into float64 arrays in the order the loops
 * read them (output-major, gates interleaved), and every layer owns its output buffer, so a forward
 * pass allocates nothing: scoring calls it once per point.
 */
export type Layer =
  | {
      kind: 'dense';
      units: number;
      inputs: number;
      activation: Activation;
      /** [units][inputs]: one contiguous row per output. */
      weights: Float64Array;
      bias: Float64Array;
      out: Float64Array;
    }
  | { kind: 'identity' }
  | { kind: 'flatten' }
  | { kind: 'gap1d'; out: Float64Array }
  | {
      kind: 'lstm';
      units: number;
      channels: number;
      activation: Activation;
      recurrentActivation: Activation;
      /**
       * [units][channels + units][4 gates]: unit j's input and recurrent weights for gates i, f, c, o
       * side by side, so one pass over [x(t), h(t−1)] yields its four gate sums.
       */
      weights: Float64Array;
      /** [units][4 gates] */
      bias: Float64Array;
      /** [x(t), h(t−1)] */
      xh: Float64Array;
      c: Float64Array;
      /** h(t), written here before it replaces h(t−1) in `xh`. */
      out: Float64Array;
    }
  | {
      kind: 'conv1d';
      filters: number;
      kernelSize: number;
      channels: number;
      activation: Activation;
      /** [filters][kernelSize × channels] */
      weights: Float64Array;
      bias: Float64Array;
      out: Float64Array;
    };

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

/** Keras stores kernels [inputs][outputs]; the loops want [outputs][inputs]. */
function transpose(kernel: Float32Array, inputs: number, outputs: number): Float64Array {
  const t = new Float64Array(inputs * outputs);
  for (let i = 0; i < inputs; i++)
    for (let o = 0; o < outputs; o++) t[o * inputs + i] = kernel[i * outputs + o];
  return t;
}

function biasOf(bias: Float32Array | null, size: number): Float64Array {
  return bias ? Float64Array.from(bias) : new Float64Array(size);
}

/** Keras LSTM kernels ([inputs][4·units], gates i, f, c, o) to [units][channels + units][4]. */
function fuseLstm(
  kernel: Float32Array,
  recurrent: Float32Array,
  bias: Float32Array | null,
  channels: number,
  units: number,
): { weights: Float64Array; bias: Float64Array } {
  const n = channels + units;
  const g = 4 * units;
  const weights = new Float64Array(units * n * 4);
  const b = new Float64Array(units * 4);
  for (let j = 0; j < units; j++) {
    for (let gate = 0; gate < 4; gate++) {
      const col = gate * units + j;
      for (let k = 0; k < channels; k++) weights[(j * n + k) * 4 + gate] = kernel[k * g + col];
      for (let k = 0; k < units; k++) weights[(j * n + channels + k) * 4 + gate] = recurrent[k * g + col];
      b[j * 4 + gate] = bias ? bias[col] : 0;
    }
  }
  return { weights, bias: b };
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
        const inputs = shape[0];
        const kernel = weight(weights, name, 'kernel', inputs * units);
        out.push({
          kind: 'dense',
          units,
          inputs,
          activation: activation(c.activation, where),
          weights: transpose(kernel, inputs, units),
          bias: biasOf(useBias ? weight(weights, name, 'bias', units) : null, units),
          out: new Float64Array(units),
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
        out.push({ kind: 'gap1d', out: new Float64Array(shape[1]) });
        shape = [shape[1]];
        break;
      case 'LSTM': {
        if (shape.length !== 2) throw new ForwardError(`${where}: needs [steps, channels], got [${shape}]`);
        if (c.return_sequences) throw new ForwardError(`${where}: return_sequences is not supported`);
        const units = Number(c.units);
        const channels = shape[1];
        const fused = fuseLstm(
          weight(weights, name, 'kernel', channels * 4 * units),
          weight(weights, name, 'recurrent_kernel', units * 4 * units),
          useBias ? weight(weights, name, 'bias', 4 * units) : null,
          channels,
          units,
        );
        out.push({
          kind: 'lstm',
          units,
          channels,
          activation: activation(c.activation, where),
          recurrentActivation: activation(c.recurrent_activation, where),
          weights: fused.weights,
          bias: fused.bias,
          xh: new Float64Array(channels + units),
          c: new Float64Array(units),
          out: new Float64Array(units),
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
        const channels = shape[1];
        const outSteps = shape[0] - k + 1;
        // Kernel [k][channels][filters]: per filter, the k × channels window is contiguous in the input.
        const kernel = weight(weights, name, 'kernel', k * channels * filters);
        out.push({
          kind: 'conv1d',
          filters,
          kernelSize: k,
          channels,
          activation: activation(c.activation, where),
          weights: transpose(kernel, k * channels, filters),
          bias: biasOf(useBias ? weight(weights, name, 'bias', filters) : null, filters),
          out: new Float64Array(Math.max(0, outSteps) * filters),
        });
        shape = [outSteps, filters];
        break;
      }
      default:
        throw new ForwardError(`${where}: layer type is not supported by the JavaScript forward pass`);
    }
  }
  return out;
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

function act(a: Activation, x: number): number {
  switch (a) {
    case 'linear':
      return x;
    case 'relu':
      return x > 0 ? x : 0;
    case 'sigmoid':
      return sigmoid(x);
    case 'tanh':
      return Math.tanh(x);
    case 'elu':
      return x > 0 ? x : Math.exp(x) - 1;
    case 'hard_sigmoid':
      return Math.max(0, Math.min(1, 0.2 * x + 0.5));
  }
}

function dense(l: Extract<Layer, { kind: 'dense' }>, x: Float64Array): Float64Array {
  const { inputs, weights, bias, out } = l;
  for (let j = 0, row = 0; j < l.units; j++, row += inputs) {
    let s = bias[j];
    for (let i = 0; i < inputs; i++) s += x[i] * weights[row + i];
    out[j] = act(l.activation, s);
  }
  return out;
}

/**
 * The LSTM over `steps` steps of x (row-major [steps][channels]) from a zero state; returns h. The
 * usual Keras activations (sigmoid gates, tanh) have their own loop without the activation switch:
 * that loop is where scoring an LSTM spends its time.
 */
function lstm(l: Extract<Layer, { kind: 'lstm' }>, x: Float64Array, steps: number): Float64Array {
  const { units: u, channels: ch, weights: w, bias, xh, c, out: h } = l;
  const n = ch + u;
  const usual = l.recurrentActivation === 'sigmoid' && l.activation === 'tanh';
  xh.fill(0);
  c.fill(0);
  for (let t = 0; t < steps; t++) {
    for (let k = 0; k < ch; k++) xh[k] = x[t * ch + k];
    for (let j = 0; j < u; j++) {
      let zi = bias[4 * j];
      let zf = bias[4 * j + 1];
      let zc = bias[4 * j + 2];
      let zo = bias[4 * j + 3];
      for (let k = 0, p = 4 * n * j; k < n; k++, p += 4) {
        const v = xh[k];
        zi += v * w[p];
        zf += v * w[p + 1];
        zc += v * w[p + 2];
        zo += v * w[p + 3];
      }
      if (usual) {
        const cj = c[j] / (1 + Math.exp(-zf)) + Math.tanh(zc) / (1 + Math.exp(-zi));
        c[j] = cj;
        h[j] = Math.tanh(cj) / (1 + Math.exp(-zo));
      } else {
        const rec = l.recurrentActivation;
        const cj = act(rec, zf) * c[j] + act(rec, zi) * act(l.activation, zc);
        c[j] = cj;
        h[j] = act(rec, zo) * act(l.activation, cj);
      }
    }
    // h(t) becomes the recurrent input only once every unit has read h(t−1).
    for (let j = 0; j < u; j++) xh[ch + j] = h[j];
  }
  return h;
}

function conv1d(l: Extract<Layer, { kind: 'conv1d' }>, x: Float64Array): Float64Array {
  const { filters: f, weights, bias, out } = l;
  const span = l.kernelSize * l.channels;
  const outSteps = out.length / f;
  for (let t = 0; t < outSteps; t++) {
    const from = t * l.channels;
    for (let o = 0, row = 0; o < f; o++, row += span) {
      let s = bias[o];
      for (let i = 0; i < span; i++) s += x[from + i] * weights[row + i];
      out[t * f + o] = act(l.activation, s);
    }
  }
  return out;
}

/**
 * Runs one example (flattened row-major in `shape`) through the layers. The result is the last
 * layer's own buffer: it is overwritten by the next call with the same layers (copy it to keep it).
 */
export function forward(layers: readonly Layer[], input: Float64Array, shape: number[]): Float64Array {
  let x = input;
  // [steps, channels] while the value is a sequence; steps = 0 once it is flat.
  let steps = shape.length === 2 ? shape[0] : 0;
  for (const l of layers) {
    switch (l.kind) {
      case 'dense':
        x = dense(l, x);
        break;
      case 'lstm':
        x = lstm(l, x, steps);
        steps = 0;
        break;
      case 'conv1d':
        x = conv1d(l, x);
        steps = l.out.length / l.filters;
        break;
      case 'flatten':
        steps = 0;
        break;
      case 'gap1d': {
        const y = l.out;
        const ch = y.length;
        y.fill(0);
        for (let t = 0; t < steps; t++) for (let i = 0; i < ch; i++) y[i] += x[t * ch + i];
        for (let i = 0; i < ch; i++) y[i] /= steps;
        x = y;
        steps = 0;
        break;
      }
      case 'identity':
        break;
    }
  }
  return x;
}
