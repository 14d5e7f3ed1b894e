/**
 * Job state across restarts for series scored by a trained model (lstm, autoencoder). The engine cannot
 * snapshot such a stream: the neural detector's snapshot() throws (detectors/neural.ts), and its state
 * is only meaningful together with the model it was built with. What can be kept is what the stream
 * was fed: a stream is deterministic, so a fresh stream of the same model version, pushed the same
 * points, is in exactly the state of the original (its detector, calibration, gate and episodes).
 *
 * So a series' stream is wrapped when it is created with a model: the wrapper records every point
 * pushed (timestamp and value, 16 bytes a point), and the snapshot stores them with the params and
 * the model id and version. A restart replays them into a new stream of the same version, if that
 * version is the one loaded (jobs/persistence.ts). A stream lives from the fit window it was built on
 * until the next refit or model swap, so the record is bounded by the fit window plus fit_every; past
 * `limit` points (a job without fit_every) recording stops and the series re-learns after a restart.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { z } from 'zod';
import type { PushOptions, ScoreParams, ScoringStream, StreamPoint } from '../engine/index.js';
import type { TrainedRef } from '../engine/types.js';
import type { Sensitivity } from '../contract/sensitivity.js';
import type { ModelBundle } from '../neural/artifacts.js';

/** The params a series' stream was created with, without the model (JSON-safe). */
export type RecordedParams = Omit<ScoreParams, 'model' | 'trained'>;

export interface ModelVersionRef {
  id: string;
  version: number;
}

/** A recorded neural stream in a job state snapshot. */
export const NeuralStreamState = z.object({
  params: z.record(z.string(), z.unknown()),
  model: z.object({ id: z.string(), version: z.number().int() }),
  /** false: more points than the record holds were pushed; the series re-learns after a restart. */
  complete: z.boolean(),
  count: z.number().int().min(0),
  /** Float64 little-endian, base64: the timestamps and values pushed (NaN: a missing value). */
  timestamps: z.string(),
  values: z.string(),
});
export type NeuralStreamState = z.infer<typeof NeuralStreamState>;

const INITIAL_CAPACITY = 1024;
const YIELD_EVERY = 2000;

function toBase64(a: Float64Array, n: number): string {
  const out = Buffer.alloc(n * 8);
  for (let i = 0; i < n; i++) out.writeDoubleLE(a[i], i * 8);
  return out.toString('base64');
}

function fromBase64(text: string, n: number, what: string): Float64Array {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.byteLength !== n * 8) {
    throw new Error(`${what}: ${bytes.byteLength} bytes for ${n} points`);
  }
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = bytes.readDoubleLE(i * 8);
  return out;
}

/** A stream that records the points pushed into it, to be replayed after a restart. */
export class RecordedStream implements ScoringStream {
  private ts = new Float64Array(INITIAL_CAPACITY);
  private vs = new Float64Array(INITIAL_CAPACITY);
  private n = 0;
  private lastT = -Infinity;
  private complete = true;

  constructor(
    readonly inner: ScoringStream,
    readonly params: RecordedParams,
    readonly model: ModelVersionRef,
    private readonly limit: number,
  ) {}

  push(timestamp: number, value: number | null, options?: PushOptions): StreamPoint | null {
    // The engine ignores a point not after the last one: it changes nothing, so it is not recorded.
    // A point is recorded before it is pushed: a push that throws is replayed (and throws) alike.
    if (timestamp > this.lastT) {
      this.lastT = timestamp;
      // The record replays points as usual: one held by a maintenance window would be learnt otherwise,
      // so the record is given up and a restart rebuilds the series from the fit window instead.
      if (options?.hold) this.giveUp();
      else this.record(timestamp, value === null ? NaN : value);
    }
    return this.inner.push(timestamp, value, options);
  }

  private giveUp(): void {
    this.complete = false;
    this.ts = new Float64Array(0);
    this.vs = new Float64Array(0);
    this.n = 0;
  }

  private record(t: number, v: number): void {
    if (!this.complete) return;
    if (this.n >= this.limit) {
      this.giveUp();
      return;
    }
    if (this.n === this.ts.length) {
      const size = Math.min(this.limit, this.ts.length * 2);
      const ts = new Float64Array(size);
      const vs = new Float64Array(size);
      ts.set(this.ts);
      vs.set(this.vs);
      this.ts = ts;
      this.vs = vs;
    }
    this.ts[this.n] = t;
    this.vs[this.n] = v;
    this.n++;
  }

  episodes() {
    return this.inner.episodes();
  }

  state() {
    return this.inner.state();
  }

  period() {
    return this.inner.period?.() ?? null;
  }

  sensitivity() {
    return this.inner.sensitivity();
  }

  /** The record keeps the params it was created with: a restart replays at them, then the job retunes. */
  setSensitivity(sensitivity: Sensitivity): void {
    this.inner.setSensitivity(sensitivity);
  }

  /** A neural stream has no engine snapshot; jobs/persistence.ts stores recorded() instead. */
  snapshot(): never {
    throw new Error(
      'a stream scored by a trained model is persisted as its recorded points (jobs/replay.ts)',
    );
  }

  /** Points recorded so far. */
  get recordedPoints(): number {
    return this.n;
  }

  recorded(): NeuralStreamState {
    return {
      params: this.params as Record<string, unknown>,
      model: { ...this.model },
      complete: this.complete,
      count: this.n,
      timestamps: toBase64(this.ts, this.n),
      values: toBase64(this.vs, this.n),
    };
  }
}

/**
 * A new stream of `bundle` (which must be the recorded version), fed the recorded points: in the state
 * the recorded stream was in. Throws when the record is damaged. Yields to the event loop now and then.
 */
export async function replayStream(
  state: NeuralStreamState,
  bundle: ModelBundle,
  trained: TrainedRef,
  createStream: (params: ScoreParams) => ScoringStream,
  limit: number,
): Promise<RecordedStream> {
  if (!state.complete) throw new Error('the record of its points is incomplete');
  if (bundle.metadata.version !== state.model.version) {
    throw new Error(`model version ${bundle.metadata.version} is not the recorded ${state.model.version}`);
  }
  const ts = fromBase64(state.timestamps, state.count, 'timestamps');
  const vs = fromBase64(state.values, state.count, 'values');
  const params = state.params as RecordedParams;
  const stream = new RecordedStream(
    createStream({ ...params, model: bundle, trained }),
    params,
    { ...state.model },
    limit,
  );
  for (let i = 0; i < state.count; i++) {
    try {
      stream.push(ts[i], Number.isNaN(vs[i]) ? null : vs[i]);
    } catch {
      // The original push threw here too (the job logged it then); the stream goes on as it did.
    }
    if ((i + 1) % YIELD_EVERY === 0) await yieldToEventLoop();
  }
  return stream;
}

/** Most points a neural series' stream records: its fit window plus a refit interval, with room. */
export function recordLimit(spec: {
  fitWindowMs: number;
  fitEveryMs: number | null;
  stepMs: number;
}): number {
  const window = Math.ceil(spec.fitWindowMs / spec.stepMs);
  const untilRefit = Math.ceil((spec.fitEveryMs ?? spec.fitWindowMs) / spec.stepMs);
  return Math.ceil(1.25 * (window + untilRefit)) + 16;
}
