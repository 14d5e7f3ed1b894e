/** Streaming: a causal scorer fed point by point, and its snapshot/restore. */
import { CounterRate } from '../series/counter.js';
import { StateError, checkVersion, dec, enc, parseState } from '../snapshots/codec.js';
import { DETECTOR_STATE_VERSION } from '../detectors/snapshot.js';
import { EngineError } from '../contract/errors.js';
import type { Episode, SeriesState } from '../contract/score.js';
import type { Sensitivity } from '../contract/sensitivity.js';
import { SeriesScorer, emptyPoint, resolveParams, type ResolvedParams } from './seriesScorer.js';
import { STREAM_SNAPSHOT_VERSION, StreamSnapshot } from './snapshot.js';
import { upgradeStreamSnapshot } from './upgrade.js';
import type { PushOptions, ScoreParams, ScoringStream, StreamPoint } from './types.js';

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
 * saying where and what is wrong. A snapshot of the previous detector version is upgraded (upgrade.ts).
 */
export function restoreStream(written: unknown): ScoringStream {
  try {
    checkVersion(written, 'version', STREAM_SNAPSHOT_VERSION, 'stream snapshots');
    const snapshot = upgradeStreamSnapshot(written, (params) => {
      const { counter, ...resolved } = params;
      return openStream(resolved, counter, null).snapshot();
    });
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
  initial: ResolvedParams,
  counterInput: boolean,
  from: StreamSnapshot | null,
): ScoringStream {
  return new LiveStream(initial, counterInput ? new CounterRate() : null, from);
}

/**
 * A class, not an object of closures: its methods live once on the prototype, where seven closures
 * and their context cost ~500 bytes of heap per stream (×200,000 streams in a job).
 */
class LiveStream implements ScoringStream {
  private readonly scorer: SeriesScorer;
  private lastT = -Infinity;

  constructor(
    private resolved: ResolvedParams,
    private readonly counter: CounterRate | null,
    from: StreamSnapshot | null,
  ) {
    this.scorer = new SeriesScorer(resolved, true);
    if (from) {
      this.scorer.restore(from);
      if (counter && from.counter) counter.restore(from.counter);
      this.lastT = dec(from.lastTimestamp);
    }
  }

  push(timestamp: number, value: number | null, options?: PushOptions): StreamPoint | null {
    if (!(timestamp > this.lastT)) return null;
    this.lastT = timestamp;
    let x = typeof value === 'number' && Number.isFinite(value) ? value : NaN;
    if (this.counter) x = this.counter.push(timestamp, x);
    return this.scorer.push(timestamp, x, emptyPoint(), options?.hold === true);
  }

  episodes(): Episode[] {
    return this.scorer.episodes();
  }

  state(): SeriesState {
    return this.scorer.state();
  }

  period(): number | null {
    return this.scorer.detector.period();
  }

  sensitivity(): Sensitivity {
    return this.resolved.sensitivity;
  }

  setSensitivity(sensitivity: Sensitivity): void {
    if (sensitivity === this.resolved.sensitivity) return;
    this.resolved = { ...this.resolved, sensitivity };
    this.scorer.retune(sensitivity);
  }

  snapshot(): StreamSnapshot {
    const { resolved, counter } = this;
    const { detector, sensitivity, direction, period, minEpisodePoints, acceptNewLevelAfter } = resolved;
    const {
      valid,
      lastValue,
      negativeSeen,
      firstTimestamp,
      detector: detectorState,
      calibrator,
      gate,
      outage,
      episodes,
      utcOffset,
    } = this.scorer.snapshot();
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
        ...(resolved.scheduleOffset ? { scheduleOffset: resolved.scheduleOffset } : {}),
        ...(resolved.timezone ? { timezone: resolved.timezone } : {}),
      },
      lastTimestamp: enc(this.lastT),
      counter: counter?.snapshot() ?? null,
      valid,
      lastValue,
      negativeSeen,
      firstTimestamp,
      detector: detectorState,
      calibrator,
      gate,
      outage,
      episodes: episodes ?? { open: null, closed: [] },
      ...(utcOffset === undefined ? {} : { utcOffset }),
    };
  }
}
