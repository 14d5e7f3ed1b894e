/**
 * Engine entry points. Everything outside the engine (API, CLI, jobs, NAB runner) goes through here.
 */
import type { Explanation, ModelInfo, SeriesInput, SeriesScore, SeriesState } from '../contract/score.js';
import { cleanSeries, type CleanSeries } from '../series/clean.js';
import { CounterRate } from '../series/counter.js';
import { StateError, checkVersion, dec, enc, parseState } from '../featurize/snapshot.js';
import { DETECTOR_STATE_VERSION } from '../detectors/state.js';
import { EpisodeBuilder } from '../calibration/episodes.js';
import { EscalationTracker } from '../calibration/escalation.js';
import { Z_FLOOR, multiplierFor } from '../calibration/sensitivity.js';
import { EngineError } from './errors.js';
import { SeriesScorer, emptyPoint, episodeOptions, resolveParams, type ResolvedParams } from './scorer.js';
import { STREAM_SNAPSHOT_VERSION, StreamSnapshot } from './state.js';
import type { ScoreParams, ScoringStream, StreamPoint } from './types.js';

export type { ScoreParams, ScoringStream, StreamPoint } from './types.js';
export { StreamSnapshot, STREAM_SNAPSHOT_VERSION } from './state.js';
export { DETECTOR_STATE_VERSION } from '../detectors/state.js';
export { EngineError } from './errors.js';

/** How far past the learning prefix the backward pass of a non-causal request starts. */
const BACKFILL_CONTEXT = 2000;

interface Arrays {
  score: Float64Array;
  /** The score at the learning scale (NAB's input). */
  learningScore: Float64Array;
  expected: Float64Array;
  lower: Float64Array;
  upper: Float64Array;
  direction: (('up' | 'down') | null)[];
  explanations: Map<number, Explanation>;
  /** First index whose point was scored with a fitted model (learning before it). */
  firstReady: number;
}

function allocate(n: number): Arrays {
  return {
    score: new Float64Array(n),
    learningScore: new Float64Array(n),
    expected: new Float64Array(n).fill(NaN),
    lower: new Float64Array(n).fill(NaN),
    upper: new Float64Array(n).fill(NaN),
    direction: new Array(n).fill(null),
    explanations: new Map(),
    firstReady: n,
  };
}

/** Run a scorer over indices `order` of the cleaned series, writing results into `into` for indices < `limit`. */
function pass(
  clean: CleanSeries,
  params: ResolvedParams,
  order: Iterable<number>,
  into: Arrays,
  limit: number,
) {
  const scorer = new SeriesScorer(params, false);
  const p = emptyPoint();
  for (const i of order) {
    scorer.push(clean.timestamps[i], clean.values[i], p);
    if (i >= limit) continue;
    into.score[i] = p.score;
    into.learningScore[i] = scorer.learningScore;
    into.expected[i] = p.expected ?? NaN;
    into.lower[i] = p.lower ?? NaN;
    into.upper[i] = p.upper ?? NaN;
    into.direction[i] = p.direction;
    if (p.anomaly) into.explanations.set(i, scorer.explainLast());
    if (p.state === 'ok' && i < into.firstReady) into.firstReady = i;
  }
  return scorer;
}

/** The params with the cleaned grid's step (when the caller gave none and the grid has one). */
function withStep(params: ResolvedParams, clean: CleanSeries): ResolvedParams {
  const step = clean.report.stepMs;
  return params.stepMs || !(step > 0) ? params : { ...params, stepMs: step };
}

function* range(from: number, to: number) {
  for (let i = from; i < to; i++) yield i;
}
function* rangeDown(from: number, to: number) {
  for (let i = from; i >= to; i--) yield i;
}

const nullable = (a: Float64Array) => Array.from(a, (x) => (Number.isNaN(x) ? null : x));

function checkInput(input: SeriesInput): void {
  if (input.timestamps.length !== input.values.length) {
    throw new EngineError(
      'input',
      `timestamps and values must have the same length (got ${input.timestamps.length} and ${input.values.length})`,
    );
  }
}

/**
 * Score one series (batch). With options.causal every point is scored only from data at or before it.
 * Without it (the default for a dashboard range) the learning prefix at the start of the range is
 * scored from the data after it (a causal pass run backwards in time), so a panel has no blind start.
 */
export function scoreSeries(input: SeriesInput, params: ScoreParams = {}): SeriesScore {
  checkInput(input);
  let resolved: ResolvedParams;
  try {
    resolved = resolveParams(params);
  } catch (e) {
    throw new EngineError('input', (e as Error).message);
  }
  const causal = params.options?.causal ?? false;
  const clean = cleanSeries(input.timestamps, input.values, { counter: params.options?.counter ?? 'auto' });
  const n = clean.values.length;
  const arrays = allocate(n);
  resolved = withStep(resolved, clean);
  const forward = pass(clean, resolved, range(0, n), arrays, n);
  let state: SeriesState = forward.state();

  if (!causal && arrays.firstReady > 0 && forward.state() !== 'no_data') {
    // Backfill the learning prefix (or the whole range, if it never left learning) from a backward pass.
    const prefix = Math.min(arrays.firstReady, n);
    const start = Math.min(n - 1, prefix + BACKFILL_CONTEXT);
    const back = allocate(n);
    const backward = pass(clean, resolved, rangeDown(start, 0), back, prefix);
    for (let i = 0; i < prefix; i++) {
      if (Number.isNaN(clean.values[i])) continue;
      arrays.score[i] = back.score[i];
      arrays.expected[i] = back.expected[i];
      arrays.lower[i] = back.lower[i];
      arrays.upper[i] = back.upper[i];
      arrays.direction[i] = back.direction[i];
      const ex = back.explanations.get(i);
      if (ex) arrays.explanations.set(i, ex);
    }
    if (state === 'learning' && backward.state() === 'ok' && back.firstReady < prefix) state = 'ok';
  }

  const builder = new EpisodeBuilder(episodeOptions(resolved));
  for (let i = 0; i < n; i++) {
    const dir = arrays.score[i] >= 1 ? arrays.direction[i] : null;
    const point = {
      timestamp: clean.timestamps[i],
      score: arrays.score[i],
      direction: dir,
      deviation: clean.values[i] - arrays.expected[i],
      expected: arrays.expected[i],
    };
    builder.push(point, () => {
      const ex = arrays.explanations.get(i);
      if (!ex) throw new EngineError('calibration', `no explanation recorded for anomalous point ${i}`);
      return ex;
    });
  }

  const model: ModelInfo = {
    detector: resolved.detector,
    components: forward.detector.components.map((c) => c.feature),
    period: forward.detector.period(),
    threshold: multiplierFor(resolved.sensitivity) * Z_FLOOR,
    learningPoints: forward.detector.warmup,
    causal,
    ...(resolved.trained ? { trained: resolved.trained } : {}),
    ...(resolved.fallback ? { fallback: resolved.fallback } : {}),
  };
  // A neural detector without its model: the statistical fallback's scores, and the state says so.
  if (resolved.fallback && state !== 'no_data') state = 'learning';
  return {
    labels: input.labels ?? {},
    unit: input.unit ?? null,
    state,
    detector: resolved.detector,
    model,
    cleaning: clean.report,
    timestamps: Array.from(clean.timestamps),
    values: nullable(clean.values),
    score: Array.from(arrays.score),
    expected: nullable(arrays.expected),
    lower: nullable(arrays.lower),
    upper: nullable(arrays.upper),
    anomaly: Array.from(arrays.score, (s) => s >= 1),
    direction: arrays.direction.map((d, i) => (arrays.score[i] >= 1 ? d : null)),
    episodes: builder.episodes(),
  };
}

/**
 * A causal stream for continuous scoring. Points must arrive in time order; late ones are ignored.
 * With `options.counter: true` pushed values are counter readings and the stream scores their rate
 * (the same conversion as batch cleaning); "auto" cannot be decided point by point, so a caller that
 * wants detection decides it from history with `looksLikeCounter` first.
 */
export function createStream(params: ScoreParams = {}): ScoringStream {
  return openStream(resolveParams(params), params.options?.counter === true, null);
}

/**
 * A stream restored from `ScoringStream.snapshot()` (possibly through JSON.stringify / JSON.parse): fed
 * the same points, it returns exactly what the snapshotted stream would have. A snapshot that is
 * corrupt, of another format version or not restorable by this build throws an EngineError ('input')
 * saying where and what is wrong.
 */
export function restoreStream(snapshot: unknown): ScoringStream {
  try {
    checkVersion(snapshot, 'version', STREAM_SNAPSHOT_VERSION, 'stream snapshots');
    const detector = (snapshot as { detector?: unknown } | null)?.detector;
    checkVersion(detector, 'detector.version', DETECTOR_STATE_VERSION, 'detector snapshots');
    const s = parseState(StreamSnapshot, snapshot, '');
    const p = s.params;
    if (s.detector.detector !== p.detector) {
      throw new StateError(
        'detector.detector',
        `is "${s.detector.detector}" but params.detector is "${p.detector}"`,
      );
    }
    if (s.detector.period !== p.period) {
      const was = JSON.stringify(s.detector.period);
      throw new StateError('detector.period', `is ${was} but params.period is ${JSON.stringify(p.period)}`);
    }
    if ((s.counter !== null) !== p.counter) {
      throw new StateError(
        'counter',
        p.counter ? 'is null but params.counter is true' : 'is set but params.counter is false',
      );
    }
    const { counter, ...resolved } = p;
    return openStream(resolved, counter, s);
  } catch (e) {
    if (e instanceof StateError) throw new EngineError('input', `invalid stream snapshot: ${e.message}`);
    throw e;
  }
}

function openStream(
  resolved: ResolvedParams,
  counterInput: boolean,
  from: StreamSnapshot | null,
): ScoringStream {
  const scorer = new SeriesScorer(resolved, true);
  const counter = counterInput ? new CounterRate() : null;
  let lastT = -Infinity;
  if (from) {
    scorer.restore(from);
    if (counter && from.counter) counter.restore(from.counter);
    lastT = dec(from.lastTimestamp);
  }
  return {
    push(timestamp: number, value: number | null): StreamPoint | null {
      if (!(timestamp > lastT)) return null;
      lastT = timestamp;
      let x = typeof value === 'number' && Number.isFinite(value) ? value : NaN;
      if (counter) x = counter.push(timestamp, x);
      return scorer.push(timestamp, x, emptyPoint());
    },
    episodes: () => scorer.episodes(),
    state: () => scorer.state(),
    snapshot(): StreamSnapshot {
      const { detector, sensitivity, direction, period, minEpisodePoints, acceptNewLevelAfter } = resolved;
      const {
        valid,
        lastValue,
        negativeSeen,
        detector: detectorState,
        calibrator,
        gate,
        outage,
        episodes,
      } = scorer.snapshot();
      return {
        version: STREAM_SNAPSHOT_VERSION,
        params: {
          detector,
          sensitivity,
          direction,
          period,
          minEpisodePoints,
          acceptNewLevelAfter,
          counter: counter !== null,
        },
        lastTimestamp: enc(lastT),
        counter: counter?.snapshot() ?? null,
        valid,
        lastValue,
        negativeSeen,
        detector: detectorState,
        calibrator,
        gate,
        outage,
        episodes: episodes ?? { open: null, closed: [] },
      };
    },
  };
}

/**
 * NAB-format anomaly scores in [0, 1], computed causally, one per input row: s / (1 + s) at the points
 * where the calibrated score s escalates (calibration/escalation.ts), 0 elsewhere. NAB counts the
 * first detection in each window and every detection outside one, so reporting escalations (what an
 * operator is paged on) rather than every point of an ongoing episode is the faithful mapping.
 */
export function nabAnomalyScores(
  timestamps: number[],
  values: number[],
  params: ScoreParams = {},
): Float64Array {
  const clean = cleanSeries(timestamps, values, { counter: params.options?.counter ?? 'auto' });
  const resolved = withStep(resolveParams(params), clean);
  const arrays = allocate(clean.values.length);
  pass(clean, resolved, range(0, clean.values.length), arrays, clean.values.length);
  const escalation = new EscalationTracker();
  // At the learning scale (SeriesScorer.learningScore): NAB picks its own threshold, so the result does
  // not depend on the sensitivity nor on the display-only tail rule (calibration/tail.ts).
  const onGrid = arrays.learningScore.map((s) => (escalation.push(s) ? s / (1 + s) : 0));
  const out = new Float64Array(timestamps.length);
  const t0 = clean.timestamps[0];
  const step = clean.report.stepMs;
  for (let i = 0; i < timestamps.length; i++) {
    const k =
      step > 0 ? Math.min(onGrid.length - 1, Math.max(0, Math.round((timestamps[i] - t0) / step))) : 0;
    out[i] = onGrid[k] ?? 0;
  }
  return out;
}
