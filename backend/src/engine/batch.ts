/**
 * Batch scoring: a whole series in one call. Causal, or (the default for a dashboard range) with the
 * learning prefix scored by a causal pass run backwards in time from the data after it.
 */
import type { Episode, ModelInfo, SeriesInput, SeriesScore, SeriesState } from '../contract/score.js';
import { cleanSeries, type CleanSeries } from '../series/clean.js';
import { EpisodeBuilder, type EpisodePoint } from '../calibration/episodes.js';
import { Z_FLOOR, multiplierFor } from '../contract/sensitivity.js';
import { EngineError } from '../contract/errors.js';
import { SeriesScorer, episodeOptions, resolveParams, type ResolvedParams } from './seriesScorer.js';
import type { ScoreParams } from './types.js';
import { ExplanationLog } from './explanations.js';
import { ArrayText, GridText, JsonText, plain } from './jsonText.js';

/**
 * How far past the learning prefix the backward pass of a non-causal request starts: the detector's
 * learning length times BACKFILL_WARMUPS, at most BACKFILL_CONTEXT points. The backward scorer has
 * left learning after one warm-up, so it scores the prefix from a fitted model with another warm-up of
 * calibration behind it. Bounding it (it used to be 2,000 points whatever the warm-up) halves the cost
 * of a 1,440-point dashboard series, which was scored twice over, and makes the prefix's scores depend
 * only on the first prefix + margin points, so a panel's start scores the same whatever the end of its
 * range. The scores after the prefix never came from this pass.
 * Two warm-ups, not four (issue 15): a third fewer points run backwards for `auto` (300 of 1,740 a
 * dashboard series instead of 500 of 1,940), and a pass that reads less of the day in reverse. From four
 * warm-ups, a business-hours series' panel opening at 09:00 read the evening's fall backwards as a rise
 * and flagged 88 of its first 100 points (`clean_sharp_mornings` seed 1; engine.test.ts), and panels
 * opening at midnight 34 and 69 (seeds 1 and 4); a short incident inside the prefix is flagged either way.
 */
const BACKFILL_WARMUPS = 2;
const BACKFILL_CONTEXT = 2000;

/** Points the backward pass runs through before it reaches the prefix it fills. */
export function backfillMargin(warmup: number): number {
  return Math.min(BACKFILL_CONTEXT, BACKFILL_WARMUPS * Math.max(1, warmup));
}

interface Arrays {
  score: Float64Array;
  /** The score at the learning scale (NAB's input). */
  learningScore: Float64Array;
  expected: Float64Array;
  lower: Float64Array;
  upper: Float64Array;
  direction: (('up' | 'down') | null)[];
  /** When the change flagged at each point began (PointResult.onset; NaN: unknown). */
  onset: Float64Array;
  /** 1 where the point holds an open episode whatever its score (PointResult.holds). */
  holds: Uint8Array;
  explanations: ExplanationLog;
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
    onset: new Float64Array(n).fill(NaN),
    holds: new Uint8Array(n),
    explanations: new ExplanationLog(n),
    firstReady: n,
  };
}

/**
 * Run a scorer over indices `from`, `from + step`, … up to `to` (exclusive) of the cleaned series,
 * writing results into `into` for indices < `limit`. A counted loop rather than a generator: the
 * generator's per-point cost showed in the profile of a dashboard request.
 */
function pass(
  clean: CleanSeries,
  params: ResolvedParams,
  from: number,
  to: number,
  step: 1 | -1,
  into: Arrays,
  limit: number,
) {
  const scorer = new SeriesScorer(params, false);
  // The scorer's own results (NaN for missing), not a StreamPoint's nullable fields (SeriesScorer.advance).
  const p = scorer.result;
  for (let i = from; i !== to; i += step) {
    scorer.advance(clean.timestamps[i], clean.values[i]);
    if (i >= limit) continue;
    into.score[i] = p.score;
    into.learningScore[i] = scorer.learningScore;
    into.expected[i] = p.expected;
    into.lower[i] = p.lower;
    into.upper[i] = p.upper;
    into.direction[i] = p.direction;
    // A backward pass's runs start later in time: no onset from them.
    into.onset[i] = step === 1 ? p.onset : NaN;
    into.holds[i] = p.holds ? 1 : 0;
    if (p.anomaly) into.explanations.record(i, scorer.explainParts());
    if (p.state === 'ok' && i < into.firstReady) into.firstReady = i;
  }
  return scorer;
}

/** A sustained change: at least SUSTAINED of the SUSTAINED_WINDOW points from its first flagged. */
const SUSTAINED_WINDOW = 20;
const SUSTAINED = 10;

/**
 * The first flagged index in [from, to] where a sustained change begins (the forward pass's scores),
 * else to + 1. Sustained, not any flag: a spike read backwards is a spike, and the pass keeps its reach.
 */
function sustainedFrom(score: Float64Array, from: number, to: number): number {
  let flagged = 0;
  for (let i = from; i < score.length && i < to + SUSTAINED_WINDOW; i++) {
    if (score[i] >= 1) flagged++;
    if (i - SUSTAINED_WINDOW >= from && score[i - SUSTAINED_WINDOW] >= 1) flagged--;
    const first = i - SUSTAINED_WINDOW + 1;
    if (first >= from && flagged >= SUSTAINED && score[first] >= 1) return first;
  }
  return to + 1;
}

/** The params with the cleaned grid's step (when the caller gave none and the grid has one). */
function withStep(params: ResolvedParams, clean: CleanSeries): ResolvedParams {
  const step = clean.report.stepMs;
  return params.stepMs || !(step > 0) ? params : { ...params, stepMs: step };
}

function flags(score: Float64Array): boolean[] {
  const out: boolean[] = [];
  for (let i = 0; i < score.length; i++) out.push(score[i] >= 1);
  return out;
}

/** NaN (missing) as null, as the contract has it. */
function nullable(a: Float64Array): (number | null)[] {
  const out: (number | null)[] = [];
  for (let i = 0; i < a.length; i++) out.push(Number.isNaN(a[i]) ? null : a[i]);
  return out;
}

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
  return assemble(scoreArrays(input, params), AS_ARRAYS) as SeriesScore;
}

/**
 * JSON.stringify(scoreSeries(input, params)), the same text, for answers that are sent as text (the
 * API): NaN is written as null by JSON.stringify itself, so the nullable arrays are not built (a
 * boxed number per element) and stay packed doubles.
 */
export function scoreSeriesJson(input: SeriesInput, params: ScoreParams = {}): string {
  return scoreSeriesJsonPieces(input, params).join('');
}

/**
 * scoreSeriesJson's text in pieces, one per key of the answer, for a writer that takes them one after
 * another (api/utf8.ts). A whole series' text (~155 KB for 1,440 points) is past V8's large-object size
 * (128 KB): JSON.stringify built it as a rope, and flattening that into the old generation took ~0.7 ms a
 * series (~17 ms of a dashboard request's 25 series), against ~0.1 ms for pieces that stay young.
 */
export function scoreSeriesJsonPieces(input: SeriesInput, params: ScoreParams = {}): string[] {
  const scored = scoreArrays(input, params);
  // The timestamps' text is the grid's (kept for the next series on it); their array is not built.
  return jsonPieces(assemble(scored, ARRAYS_AS_TEXT, new JsonText(gridText.of(scored.clean.timestamps))));
}

/** The last grid's text (one per thread: the engine is synchronous). */
const gridText = new GridText();

/** How assemble writes the per-point arrays: as the contract's arrays, or as their JSON text. */
interface ArrayWriter {
  /** Every element a number (NaN only where the JSON text may show null). */
  numbers(a: Float64Array): unknown;
  /** NaN means missing (null). */
  nullable(a: Float64Array): unknown;
  anomalies(score: Float64Array): unknown;
  directions(direction: readonly (string | null)[], score: Float64Array): unknown;
}

const AS_ARRAYS: ArrayWriter = {
  numbers: plain,
  nullable,
  anomalies: flags,
  directions: (direction, score) => direction.map((d, i) => (score[i] >= 1 ? d : null)),
};

/** JSON.stringify writes NaN as null, so a nullable array's text is its numbers' (scoreSeriesJson). */
const arrayText = new ArrayText();
const ARRAYS_AS_TEXT: ArrayWriter = {
  numbers: (a) => arrayText.numbers(a),
  nullable: (a) => arrayText.numbers(a),
  anomalies: (score) => arrayText.anomalies(score),
  directions: (direction, score) => arrayText.directions(direction, score),
};

/** JSON.stringify(object) as pieces whose concatenation is that text (a key's value whole in one). */
function jsonPieces(object: object): string[] {
  const pieces: string[] = [];
  for (const [key, value] of Object.entries(object)) {
    const text = value instanceof JsonText ? value.text : (JSON.stringify(value) as string | undefined);
    // What JSON.stringify leaves out of an object (undefined, functions).
    if (text === undefined) continue;
    pieces.push(`${pieces.length === 0 ? '{' : ','}${JSON.stringify(key)}:`, text);
  }
  pieces.push(pieces.length === 0 ? '{}' : '}');
  return pieces;
}

/** What a batch scoring computes, before it becomes the response's arrays. */
interface Scored {
  input: SeriesInput;
  resolved: ResolvedParams;
  causal: boolean;
  clean: CleanSeries;
  arrays: Arrays;
  state: SeriesState;
  forward: SeriesScorer;
  episodes: Episode[];
}

function scoreArrays(input: SeriesInput, params: ScoreParams): Scored {
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
  const forward = pass(clean, resolved, 0, n, 1, arrays, n);
  let state: SeriesState = forward.state();

  if (!causal && arrays.firstReady > 0 && forward.state() !== 'no_data') {
    // Backfill the learning prefix (or the whole range, if it never left learning) from a backward pass.
    // It starts before a sustained change the forward pass flags within its reach: run back across it, the
    // pass learnt the new level and flagged the prefix, the level before it, as a change the other way (a
    // drop two hours into a six-hour range read as a rise in its first hour). Its prefix points left
    // unscored then (inside the pass's own learning) show no band rather than that mirror.
    const prefix = Math.min(arrays.firstReady, n);
    const reach = Math.min(n - 1, prefix + backfillMargin(forward.detector.warmup));
    const start = Math.min(reach, sustainedFrom(arrays.score, prefix, reach) - 1);
    const back = allocate(n);
    const backward = pass(clean, resolved, start, -1, -1, back, prefix);
    for (let i = 0; i < prefix; i++) {
      if (Number.isNaN(clean.values[i])) continue;
      arrays.score[i] = back.score[i];
      arrays.expected[i] = back.expected[i];
      arrays.lower[i] = back.lower[i];
      arrays.upper[i] = back.upper[i];
      arrays.direction[i] = back.direction[i];
      arrays.holds[i] = back.holds[i];
      arrays.explanations.copy(i, back.explanations);
    }
    if (state === 'learning' && backward.state() === 'ok' && back.firstReady < prefix) state = 'ok';
  }

  const builder = new EpisodeBuilder(episodeOptions(resolved));
  // One point and one closure, refilled (the builder reads them during push only).
  let at = 0;
  const point: EpisodePoint = {
    timestamp: 0,
    score: 0,
    direction: null,
    deviation: NaN,
    expected: NaN,
    onset: NaN,
    holds: false,
  };
  const explainAt = () => {
    const ex = arrays.explanations.get(at);
    if (!ex) throw new EngineError('calibration', `no explanation recorded for anomalous point ${at}`);
    return ex;
  };
  for (let i = 0; i < n; i++) {
    at = i;
    point.timestamp = clean.timestamps[i];
    point.score = arrays.score[i];
    point.direction = arrays.score[i] >= 1 ? arrays.direction[i] : null;
    point.deviation = clean.values[i] - arrays.expected[i];
    point.expected = arrays.expected[i];
    point.onset = arrays.onset[i];
    point.holds = arrays.holds[i] === 1;
    builder.push(point, explainAt);
  }

  return { input, resolved, causal, clean, arrays, state, forward, episodes: builder.episodes() };
}

/**
 * The response's shape (the contract's key order), its per-point arrays written by `write` (the
 * contract's arrays, or their JSON text); `timestamps` is the grid's array unless the caller gives it.
 */
function assemble(
  { input, resolved, causal, clean, arrays, state: scoredState, forward, episodes }: Scored,
  write: ArrayWriter,
  timestamps: unknown = plain(clean.timestamps),
): Record<keyof SeriesScore, unknown> {
  let state = scoredState;
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
    timestamps,
    values: write.nullable(clean.values),
    score: write.numbers(arrays.score),
    expected: write.nullable(arrays.expected),
    lower: write.nullable(arrays.lower),
    upper: write.nullable(arrays.upper),
    anomaly: write.anomalies(arrays.score),
    direction: write.directions(arrays.direction, arrays.score),
    episodes,
  };
}

/**
 * The score at the learning scale (the default sensitivity's, SeriesScorer.learningScore) of every
 * point of the cleaned grid, each from the data at or before it: what an evaluation picks its own
 * threshold on (lab/nab). `grid` is the cleaned series the scores are aligned to.
 */
export function causalLearningScores(
  timestamps: number[],
  values: number[],
  params: ScoreParams = {},
): { scores: Float64Array; grid: CleanSeries } {
  const clean = cleanSeries(timestamps, values, { counter: params.options?.counter ?? 'auto' });
  const resolved = withStep(resolveParams(params), clean);
  const arrays = allocate(clean.values.length);
  pass(clean, resolved, 0, clean.values.length, 1, arrays, clean.values.length);
  return { scores: arrays.learningScore, grid: clean };
}
