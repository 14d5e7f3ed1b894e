/**
 * SeriesScorer: one series' detector + calibrator + episode builder, fed point by point. The batch
 * path (scoreSeries), the continuous jobs (createStream) and the NAB runner all go through it, so
 * every path produces the same score for the same history.
 */
import type { Direction, Episode, Explanation, SeriesState } from '../contract/score.js';
import type { Detector, DetectorStep } from '../detectors/detector.js';
import { createDetector } from '../detectors/registry.js';
import { componentMask, holdsIncidents, type Deviation } from '../detectors/component.js';
import { Calibrator, DEFAULT_CALIBRATION } from '../calibration/calibrator.js';
import { DEFAULT_EPISODES, EpisodeBuilder, type EpisodePoint } from '../calibration/episodes.js';
import {
  ExplanationFinder,
  explanationOf,
  type ExplainInput,
  type ExplanationParts,
} from '../calibration/explain.js';
import {
  DEFAULT_SENSITIVITY,
  Z_FLOOR,
  parseSensitivity,
  tailRateFor,
  widenFor,
  type Sensitivity,
} from '../contract/sensitivity.js';
import { bandAndScore, emptyBandResult, type BandInput, type BandResult } from '../calibration/band.js';
import { DEFAULT_ACCEPT_NEW_LEVEL_AFTER_MS, LearningGate } from '../calibration/gate.js';
import { OutageRule } from '../calibration/outage.js';
import { shiftHolds } from '../calibration/shiftHold.js';
import { youthFactor } from '../calibration/youth.js';
import { parseDuration } from '../contract/duration.js';
import { StateError, dec, enc, type Num } from '../snapshots/codec.js';
import type {
  CalibratorState,
  EpisodeBuilderState,
  GateState,
  OutageState,
} from '../calibration/snapshot.js';
import type { DetectorState } from '../detectors/snapshot.js';
import type { ScoreParams, StreamPoint, TrainedRef } from './types.js';
import { NEURAL_DETECTORS } from '../contract/models.js';
import { ClockFollower, LocalClock } from './localClock.js';
import { toNeuralModel, type NeuralModel } from '../neural/artifacts.js';

/** A pushed point's results as SeriesScorer.result keeps them (StreamPoint's, with NaN for null). */
export interface PointResult {
  /** x (NaN: missing). */
  value: number;
  missing: boolean;
  score: number;
  /** Whether the point had a band (expected is then the band's, which may itself be NaN). */
  banded: boolean;
  expected: number;
  lower: number;
  upper: number;
  anomaly: boolean;
  direction: Direction | null;
  state: SeriesState;
  /**
   * When the change flagged at this point began, as a sequential test estimates it (its run's first point,
   * ms; Deviation.runPoints): NaN when the point is not anomalous, no such test flagged it, or the step is
   * unknown.
   */
  onset: number;
  /**
   * Evidence that an open episode goes on whatever this point's score (EpisodePoint.holds): the stream's
   * episode builder and the batch path's read the same.
   */
  holds: boolean;
}

/** A scorer's state (the stream snapshot adds its parameters, last timestamp and counter state). */
export interface ScorerState {
  valid: number;
  lastValue: Num;
  /** Whether a negative value has been seen (absent in older snapshots: treated as seen). */
  negativeSeen?: boolean;
  /** The first valid point's timestamp (absent in older snapshots: the series is taken as grown). */
  firstTimestamp?: Num;
  detector: DetectorState;
  calibrator: CalibratorState;
  gate: GateState;
  /** The outage rule's state (absent in older snapshots: drops widen the range as before). */
  outage?: OutageState;
  episodes: EpisodeBuilderState | null;
  /** The local clock's offset from UTC at the last point, ms (with a timezone only; NaN before a point). */
  utcOffset?: Num;
}

export interface ResolvedParams {
  detector: NonNullable<ScoreParams['detector']>;
  sensitivity: Sensitivity;
  direction: 'both' | 'up' | 'down';
  period: number | null | 'none';
  minEpisodePoints: number;
  /** Ms an incident lasts before its level is learnt as normal (null: never). */
  acceptNewLevelAfter: number | null;
  /** The trained model a neural detector scores with. */
  model?: NeuralModel | null;
  /** Set when a neural detector had no model and `detector` is the statistical fallback. */
  fallback?: { from: string; reason: string } | null;
  trained?: TrainedRef | null;
  /** The series step in ms when known (batch: the cleaned grid; jobs: their step), else null. */
  stepMs?: number | null;
  /** See ScoreParams.scheduleOffset (absent: 0). */
  scheduleOffset?: number;
  /** The IANA time zone whose local clock the series keeps (ScoreOptions.timezone); absent: none. */
  timezone?: string;
}

/** Scores a neural detector gets while it has no trained model (cold start, corrupt model). */
export const NEURAL_FALLBACK = 'auto' as const;

/** The detector and model to score with: a neural detector without a model falls back (see NEURAL_FALLBACK). */
function resolveDetector(params: ScoreParams): Pick<ResolvedParams, 'detector' | 'model' | 'fallback'> {
  const bundle = params.model ?? null;
  const asked = params.detector ?? bundle?.metadata.detector ?? 'auto';
  if (bundle) {
    // `auto` takes a forecaster's or autoencoder's components alongside its own (NeuralEnsemble).
    const joins = asked === 'auto' && bundle.metadata.detector !== 'classifier';
    if (bundle.metadata.detector !== asked && !joins) {
      throw new RangeError(
        `model ${bundle.metadata.id} is a ${bundle.metadata.detector} model; detector "${asked}" cannot score with it`,
      );
    }
    return { detector: asked, model: toNeuralModel(bundle), fallback: null };
  }
  if ((NEURAL_DETECTORS as readonly string[]).includes(asked)) {
    const t = params.trained;
    const reason = t
      ? `model ${t.id} has no ready version (${t.state}); ${NEURAL_FALLBACK} scores until it has`
      : `no trained model given (train one with POST /api/v1/models, then score with "model"); ${NEURAL_FALLBACK} scores instead`;
    return { detector: NEURAL_FALLBACK, model: null, fallback: { from: asked, reason } };
  }
  return { detector: asked, model: null, fallback: null };
}

export function resolveParams(params: ScoreParams = {}): ResolvedParams {
  const o = params.options ?? {};
  const offset = params.scheduleOffset;
  if (offset !== undefined && !(Number.isInteger(offset) && offset >= 0)) {
    throw new RangeError(`scheduleOffset: expected a whole number of points >= 0, got ${offset}`);
  }
  return {
    ...resolveDetector(params),
    trained: params.trained ?? null,
    // The one range check (RangeError → EngineError 'input'); below here a Sensitivity is already parsed.
    sensitivity:
      params.sensitivity === undefined ? DEFAULT_SENSITIVITY : parseSensitivity(params.sensitivity),
    direction: o.direction ?? 'both',
    period: o.period === undefined || o.period === 'auto' ? null : o.period,
    minEpisodePoints: o.minEpisodePoints ?? DEFAULT_EPISODES.minPoints,
    acceptNewLevelAfter: acceptAfterMs(o.acceptNewLevelAfter),
    stepMs: params.stepMs ?? null,
    ...(params.scheduleOffset ? { scheduleOffset: params.scheduleOffset } : {}),
    ...(o.timezone ? { timezone: o.timezone } : {}),
  };
}

function acceptAfterMs(text: string | undefined): number | null {
  if (text === undefined) return DEFAULT_ACCEPT_NEW_LEVEL_AFTER_MS;
  if (text === 'never') return null;
  const ms = parseDuration(text);
  if (ms === null) throw new RangeError(`acceptNewLevelAfter: expected a duration or "never", got "${text}"`);
  return ms;
}

/**
 * Scratch for explainParts, shared by every scorer (one thread, no re-entry: its parts are read before the
 * next call). One a scorer, with its feature grouping, was 1.2 KiB more of every live stream's state (issue 15).
 */
const EXPLANATIONS = new ExplanationFinder();
const NO_COMPONENTS: ExplainInput['components'] = [];
const NO_SCORES = new Float64Array(0);
const EXPLAIN_INPUT: ExplainInput = {
  components: NO_COMPONENTS,
  componentScores: NO_SCORES,
  driver: -1,
  direction: 'up',
  actual: null,
  expected: null,
  lower: null,
  upper: null,
};

export class SeriesScorer {
  readonly detector: Detector;
  readonly calibrator: Calibrator;
  /** Present when the scorer keeps its own episodes (streams); batch scoring builds them afterwards. */
  readonly episodeBuilder: EpisodeBuilder | null;
  private valid = 0;
  private lastValue = NaN;
  /**
   * Traffic series are mostly non-negative (bytes, packets, requests): until a negative value is seen, the
   * band and expected value are clamped at 0, so a dashboard never shows "normal: −3 Mb/s". Display only:
   * scores come from the calibrated deviations, not from the band.
   */
  private negativeSeen = false;
  /** The first valid point's timestamp (NaN before it; -Infinity restored from an older snapshot). */
  private firstTimestamp = NaN;
  /** The local clock the series keeps (ResolvedParams.timezone; null without one: one field a stream). */
  private readonly clock: ClockFollower | null;

  constructor(
    private resolved: ResolvedParams,
    trackEpisodes = true,
  ) {
    const params = resolved;
    this.detector = createDetector(params.detector, {
      period: params.period,
      stepMs: params.stepMs ?? null,
      scheduleOffset: params.scheduleOffset ?? 0,
      ...(params.model ? { model: params.model } : {}),
    });
    this.widen = widenFor(params.sensitivity);
    this.tailRate = tailRateFor(params.sensitivity);
    // Pushed, not map()ped: arrays that stay PACKED when this constructor is optimized (emptyDeviations;
    // sharedConstants deoptimized on the HOLEY ones after ~850 scorers).
    const measurementPoints: (number | undefined)[] = [];
    const readsPrimary: (boolean | undefined)[] = [];
    for (const c of this.detector.components) {
      measurementPoints.push(c.measurementPoints);
      readsPrimary.push(c.readsPrimary);
    }
    this.calibrator = new Calibrator(
      this.detector.components.length,
      DEFAULT_CALIBRATION,
      this.detector.calibration,
      measurementPoints,
      readsPrimary,
    );
    const components = this.detector.components;
    this.sequential = components.findIndex((c) => c.narrowsToShift === true);
    this.spreadTest = components.findIndex((c) => c.spread === true);
    this.bandInput.bandMask = componentMask(components, (c) => c.providesBand);
    this.bandInput.affineMask = componentMask(components, (c) => c.affine);
    this.episodeBuilder = trackEpisodes ? new EpisodeBuilder(episodeOptions(params)) : null;
    this.gate = new LearningGate({
      holdLevel: DEFAULT_EPISODES.holdLevel,
      closeAfter: DEFAULT_EPISODES.closeAfter,
      acceptNewLevelAfter: params.acceptNewLevelAfter,
    });
    this.clock = params.timezone ? new ClockFollower(LocalClock.of(params.timezone)) : null;
  }

  get params(): ResolvedParams {
    return this.resolved;
  }

  /**
   * Score the next points at another sensitivity. The sensitivity only widens or narrows the band
   * (LEARNING_MULTIPLIER, contract/sensitivity.ts): what was learnt stays, so from the next point this
   * scorer gives what one built at that sensitivity would (continuous jobs' live settings, jobs/settings.ts).
   */
  retune(sensitivity: Sensitivity): void {
    this.resolved = { ...this.resolved, sensitivity };
    this.widen = widenFor(sensitivity);
    this.tailRate = tailRateFor(sensitivity);
  }

  get validPoints(): number {
    return this.valid;
  }

  state(): SeriesState {
    if (this.valid === 0) return 'no_data';
    return this.valid < this.detector.warmup ? 'learning' : 'ok';
  }

  /** Feed one point (x NaN = missing). `out` is filled and returned to keep the hot path allocation-free. */
  /** `hold`: score the point but learn nothing from it (a maintenance window, PushOptions). */
  push(timestamp: number, x: number, out: StreamPoint, hold = false): StreamPoint {
    this.advance(timestamp, x, hold);
    const r = this.result;
    out.timestamp = timestamp;
    out.value = r.missing ? null : r.value;
    out.score = r.score;
    out.expected = r.banded ? r.expected : null;
    out.lower = Number.isNaN(r.lower) ? null : r.lower;
    out.upper = Number.isNaN(r.upper) ? null : r.upper;
    out.anomaly = r.anomaly;
    out.direction = r.direction;
    out.state = r.state;
    return out;
  }

  /**
   * Feed one point, its results into `result` (push writes them into a StreamPoint). Batch scoring reads
   * them there: a double written into a StreamPoint's nullable fields is a new heap number, four a point
   * (~7 of the ~81 MB a 50-series request's scoring allocated).
   */
  advance(timestamp: number, x: number, hold = false): void {
    // Where the local clock's offset from UTC changed since the last point (daylight saving time), the
    // detector's time-of-day pattern moves by the change before this point is scored.
    const moved = this.clock === null ? 0 : this.clock.moveAt(timestamp);
    if (moved !== 0) this.detector.moveClock?.(moved);
    const step = this.detector.update(x, timestamp);
    const learning = this.valid < this.detector.warmup;
    const cal = this.calibrator.calibrate(step.deviations);
    const missing = Number.isNaN(x);
    const independent = this.detector.scoreIndependentOfBand === true;
    // A point that would open an episode on its own (the last one was within the plain band, outside an
    // incident) must also exceed the series' score tail at the sensitivity's target rate
    // (calibration/tail.ts; a factor of 1 unless the tail is heavy). Inside an incident, and for the next
    // point of a run beyond the plain band, the plain band judges, so a sustained change is flagged from its
    // second point at the latest. Display only: learning uses the learning-scale score below.
    const tail = this.calibrator.tail;
    const plain = independent || tail.inIncident || tail.last >= this.widen;
    // A young series' ranges have seen fewer points than they will remember (calibration/youth.ts): its
    // shown band is widened to the width they will reach. Display only, as the tail's factor is.
    const young = youthFactor(this.valid, Math.abs(timestamp - this.firstTimestamp));
    // Outside an incident a point must also clear the primary's noise lag: on a morning ramp a seasonal
    // profile's noise scale still holds the night's smaller noise (Profile.noiseLag). Display only, and
    // the same at every sensitivity (the gate's incident is the learning scale's).
    const lag = tail.inIncident ? 1 : (this.detector.components[0]?.noiseLag ?? 1);
    const widen = (plain ? this.widen : this.widen * tail.factor(this.widen, this.tailRate)) * lag * young;
    if (!missing) {
      if (this.valid === 0) this.firstTimestamp = timestamp;
      this.valid++;
      this.lastValue = x;
      if (x < 0) this.negativeSeen = true;
    }
    // While learning there is no band to judge by, so none is shown (and nothing is anomalous).
    // A detector whose score is its own evidence gets the plain band (scored without x).
    const band = learning ? null : this.bandOf(independent ? NaN : x, step, tail.inIncident, widen, false);
    if (band && independent && !missing) {
      band.score =
        this.params.direction === 'both' || sideOf(x, band.expected) === this.params.direction
          ? cal.score / this.widen
          : 0;
      band.anomaly = band.score >= 1;
      band.driver = cal.driver;
    }
    // The score at the learning scale: what the gate, the tail and NAB read, whatever the sensitivity.
    this.learningScore = (band ? band.score : 0) * widen;
    // What is shown and flagged: the same band from the shown ranges, which leave out an incident's
    // outliers (Calibrator.shownBoundary, SHOWN_OUTLIER); the same primary and expected value.
    // Written into the same object as `band` (this.band); never null where the learning band is not.
    if (band && !independent) this.bandOf(x, step, tail.inIncident, widen, true);
    const score = band ? band.score : 0;
    const direction: Direction | null = band?.anomaly ? sideOf(x, band.expected) : null;
    const r = this.result;
    r.value = x;
    r.missing = missing;
    r.score = score;
    r.banded = band !== null;
    r.expected = band ? band.expected : NaN;
    r.lower = band && Number.isFinite(band.lower) ? band.lower : NaN;
    r.upper = band && Number.isFinite(band.upper) ? band.upper : NaN;
    r.anomaly = band ? band.anomaly : false;
    r.direction = direction;
    r.onset = direction === null ? NaN : this.onsetOf(timestamp, direction, step.deviations);
    r.state = missing ? (this.valid === 0 ? 'no_data' : this.state()) : learning ? 'learning' : 'ok';
    this.lastDriver = band ? band.driver : -1;
    const spread = this.spreadTest;
    // Display: the spread test's score at the shown ranges, as the shown band was judged by, and the
    // sequential test's run as it holds the learning gate's incident (one episode for a held shift), here
    // on a seasonal profile too: it changes what is grouped, not what is learnt.
    const shown = this.calibrator.shownScores;
    r.holds = (spread >= 0 && shown[spread] >= 1) || this.shiftHolds(x, step.deviations, band, shown, true);
    if (this.episodeBuilder) {
      const p = this.episodePoint;
      p.timestamp = timestamp;
      p.score = score;
      p.direction = direction;
      p.deviation = band ? x - band.expected : NaN;
      p.expected = band?.expected ?? NaN;
      p.onset = r.onset;
      p.holds = r.holds;
      this.episodeBuilder.push(p, this.explainLastPoint);
    }

    // The gate judges at the learning scale: what is learnt does not depend on the sensitivity.
    const noisy = spread >= 0 && this.calibrator.componentScores[spread] >= 1;
    const mode = this.gate.next(
      timestamp,
      this.learningScore,
      x,
      band ? band.expected : NaN,
      noisy || this.shiftHolds(x, step.deviations, band, this.calibrator.componentScores),
    );
    if (this.gate.acceptedAfter > 0) this.detector.acceptLevel?.(this.gate.acceptedAfter);
    if (hold) {
      // Held (a maintenance window): scored, but learnt as a missing point is, so nothing moves.
      this.detector.learn(NaN, mode, NaN);
      return;
    }
    if (this.gate.opened && mode === 'incident') this.detector.incidentOpened?.();
    // While the primary holds (a learnt seasonal profile, or a median the series is stationary around) and
    // itself scores the point as anomalous, the other components learn its expected value instead of an
    // incident's points, and a sustained incident keeps the calibration ranges it began with
    // (Calibrator.learn). Without that (the first days of a series, before its period is known, or a
    // median chasing a trend), a daily ramp the fallback median cannot follow must still widen the
    // ranges, or it pages every day.
    const holds = holdsIncidents(this.detector.components[0]);
    const trusted = mode === 'incident' && holds && this.calibrator.componentScores[0] >= 1;
    const primaryExpected = step.deviations[0].expected;
    // Where the primary anticipates the series (a learnt seasonal profile), an incident's points teach the
    // other components' level estimates what it expected, flagged by the primary or not (Detector.learn): a
    // shift the CUSUM holds is not flagged by the primary point by point. Not where the primary is a
    // median the series is stationary around: NAB low FP half B 64.18 → 63.98 and kpi_drop_40pct's false
    // episodes 0.02 → 0.04 a day (seeds 1–8) there; with a seasonal profile only, NAB is identical.
    const reference =
      mode === 'incident' && this.detector.components[0].anticipates === true ? primaryExpected : NaN;
    this.detector.learn(x, mode, trusted ? primaryExpected : NaN, reference);
    if (!missing) {
      // The band's expected is its primary component's, so the drop is measured against that component.
      const outage = band !== null && band.primary >= 0 && this.outage.isOutage(x, band.expected, mode);
      // The point the gate accepts a new level at was scored against the old one (the detector moves to the
      // new level from the next point): learnt normally, its z, still the incident's, widened every range by
      // the growth a run of high scores may bring, and a lasting change's band was 2.4–2.8× the width it has
      // on the same series without the change for the day after (relative to expected; 0.9–1.4× since).
      this.calibrator.learn(
        step.deviations,
        this.gate.acceptedAfter > 0 ? 'incident' : mode,
        holds,
        outage ? band.primary : -1,
      );
      this.outage.learn(x, mode);
      // An incident whose level was accepted is still an incident to the tail, while it stays open: its points
      // are learnt normally (the new level becomes normal), but their scores, high while the components
      // adapt, are not the series' own noise. Learnt, a lasting 40 % drop on a stationary series widened
      // every isolated point's band for a week (upper edge 3× the new level, lower 0; README, "Detection
      // quality").
      if (band) tail.learn(this.learningScore, this.gate.open ? 'incident' : mode, this.gate.chained);
    }
  }

  /**
   * The point's band and score, into this.band, from this.bandInput refilled: against the learning
   * ranges, or (`shown`) the shown band's (Calibrator.shownBoundary).
   */
  private bandOf(
    x: number,
    step: DetectorStep,
    inIncident: boolean,
    widen: number,
    shown: boolean,
  ): BandResult | null {
    // One input object, refilled: a literal per point was an eighth of what batch scoring allocated.
    const input = this.bandInput;
    input.x = x;
    input.components = this.detector.components;
    input.deviations = step.deviations;
    input.bandDeviation = step.band;
    input.boundary = shown ? this.calibrator.shownBoundary : this.calibrator.boundary;
    input.componentScores = shown ? this.calibrator.shownScores : this.calibrator.componentScores;
    input.bandBoundary = this.calibrator.multiplier * Z_FLOOR;
    input.direction = this.params.direction;
    input.clampAtZero = !this.negativeSeen;
    input.inIncident = inIncident;
    input.widen = widen;
    return bandAndScore(input, this.band);
  }

  /** The point handed to the episode builder, refilled (it reads it during push only), and its explanation. */
  private readonly episodePoint: EpisodePoint = {
    timestamp: NaN,
    score: 0,
    direction: null,
    deviation: NaN,
    expected: NaN,
    onset: NaN,
    holds: false,
  };
  private readonly explainLastPoint = (): Explanation => this.explainLast();
  private readonly band: BandResult = emptyBandResult();
  private readonly bandInput: BandInput = {
    x: NaN,
    components: [],
    deviations: [],
    bandDeviation: null,
    boundary: [],
    componentScores: [],
    bandBoundary: NaN,
    direction: 'both',
    clampAtZero: true,
    inIncident: false,
    widen: 1,
    bandMask: 0,
    affineMask: 0,
  };
  private readonly gate: LearningGate;
  private readonly outage = new OutageRule();
  /** The sensitivity's factor on the band (see BandInput.widen), before the tail's factor on isolated points. */
  private widen: number;
  /** The sensitivity's target rate for the score tail (tailRateFor). */
  private tailRate: number;
  /** The last point's score at the learning scale (its shown score × the band's widening). */
  learningScore = 0;
  private lastDriver = -1;
  /** The component whose runs say when a change began (Component.narrowsToShift), or -1. */
  private readonly sequential: number = -1;
  /** The component whose score ≥ 1 holds an open incident (Component.spread), or -1. */
  private readonly spreadTest: number = -1;

  /**
   * Whether the sequential test's run holds an open incident at this point (calibration/shiftHold.ts), by
   * its score in `scores`: the learning scale's for the gate, the shown band's for the episodes, which
   * (`anyPrimary`) read it whatever the band's primary.
   */
  private shiftHolds(
    x: number,
    devs: readonly Deviation[],
    band: BandResult | null,
    scores: ArrayLike<number>,
    anyPrimary = false,
  ): boolean {
    const c = this.sequential;
    if (c < 0 || band === null || band.primary < 0) return false;
    const anticipates = !anyPrimary && this.detector.components[band.primary].anticipates === true;
    return shiftHolds(devs[c], scores[c], DEFAULT_EPISODES.holdLevel, x, band.expected, anticipates);
  }

  /**
   * When the change flagged at `timestamp` in `direction` began: the first point of the sequential test's
   * run, where that test scores ≥ 1 on the same side (NaN otherwise, or without a known step). A point
   * counts as one step, missing ones included only through the step (an estimate, as the run is).
   */
  private onsetOf(timestamp: number, direction: Direction, devs: readonly Deviation[]): number {
    const c = this.sequential;
    const stepMs = this.params.stepMs;
    if (c < 0 || !(stepMs != null && stepMs > 0)) return NaN;
    const d = devs[c];
    const run = d.runPoints;
    if (run === undefined || !(run > 1) || !(this.calibrator.componentScores[c] >= 1)) return NaN;
    if (d.z > 0 !== (direction === 'up')) return NaN;
    return timestamp - (run - 1) * stepMs;
  }

  /** The last point's results (advance); NaN where a StreamPoint has null, `banded` whether it had a band. */
  readonly result: PointResult = {
    value: NaN,
    missing: true,
    score: 0,
    banded: false,
    expected: NaN,
    lower: NaN,
    upper: NaN,
    anomaly: false,
    direction: null,
    state: 'no_data',
    onset: NaN,
    holds: false,
  };

  /** Explanation of the point just pushed (valid until the next push). */
  explainLast(): Explanation {
    return explanationOf(this.explainParts());
  }

  /**
   * What explainLast's explanation is made of, in one refilled object (valid until the next call): batch
   * scoring keeps these for every anomalous point and writes text only for the few an episode shows.
   */
  explainParts(): ExplanationParts {
    const r = this.result;
    const input = EXPLAIN_INPUT;
    input.components = this.detector.components;
    // The shares of the scores the shown band was judged by (a score-independent detector's are the learning ones).
    const shown = this.detector.scoreIndependentOfBand !== true;
    input.componentScores = shown ? this.calibrator.shownScores : this.calibrator.componentScores;
    input.driver = this.lastDriver;
    input.direction = r.direction ?? 'up';
    input.actual = r.missing ? null : r.value;
    input.expected = r.banded ? r.expected : null;
    input.lower = Number.isNaN(r.lower) ? null : r.lower;
    input.upper = Number.isNaN(r.upper) ? null : r.upper;
    const parts = EXPLANATIONS.find(input);
    // Not kept past the call: a scratch object must not hold on to a scorer's components.
    input.components = NO_COMPONENTS;
    input.componentScores = NO_SCORES;
    return parts;
  }

  episodes(): Episode[] {
    return this.episodeBuilder?.episodes() ?? [];
  }

  get last(): number {
    return this.lastValue;
  }

  /**
   * The whole state between two pushes. What `push` keeps for `explainLast` (last driver, direction and
   * point) and the calibrator's per-point scores are not included: the next push rewrites them first.
   */
  snapshot(): ScorerState {
    return {
      valid: this.valid,
      lastValue: enc(this.lastValue),
      negativeSeen: this.negativeSeen,
      firstTimestamp: enc(this.firstTimestamp),
      detector: this.detector.snapshot(),
      calibrator: this.calibrator.snapshot(),
      gate: this.gate.snapshot(),
      outage: this.outage.snapshot(),
      episodes: this.episodeBuilder?.snapshot() ?? null,
      ...(this.clock ? { utcOffset: enc(this.clock.utcOffset) } : {}),
    };
  }

  /** Load a (schema-checked) snapshot into this freshly constructed scorer; throws a StateError on a mismatch. */
  restore(s: ScorerState): void {
    this.detector.restore(s.detector);
    this.calibrator.restore(s.calibrator);
    this.gate.restore(s.gate);
    if (s.outage) this.outage.restore(s.outage);
    else this.outage.restoreLegacy();
    if ((s.episodes === null) !== (this.episodeBuilder === null)) {
      throw new StateError(
        'episodes',
        this.episodeBuilder ? 'are missing' : 'are set, this scorer keeps none',
      );
    }
    if (this.episodeBuilder && s.episodes) this.episodeBuilder.restore(s.episodes);
    this.valid = s.valid;
    this.lastValue = dec(s.lastValue);
    this.negativeSeen = s.negativeSeen ?? true;
    // Older snapshots: the series is taken as grown (youthFactor 1), its band as it was shown before.
    this.firstTimestamp = s.firstTimestamp === undefined ? -Infinity : dec(s.firstTimestamp);
    // A snapshot from before the timezone option: the offset is taken from the next point (no move then).
    if (this.clock) this.clock.utcOffset = s.utcOffset === undefined ? NaN : dec(s.utcOffset);
  }
}

const sideOf = (x: number, expected: number): Direction => (x >= expected ? 'up' : 'down');

export function episodeOptions(params: ResolvedParams) {
  return { ...DEFAULT_EPISODES, minPoints: params.minEpisodePoints };
}

export function emptyPoint(): StreamPoint {
  return {
    timestamp: 0,
    value: null,
    score: 0,
    expected: null,
    lower: null,
    upper: null,
    anomaly: false,
    direction: null,
    state: 'no_data',
  };
}
