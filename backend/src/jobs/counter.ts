/**
 * Counters in continuous jobs. The engine's batch path turns counters into rates while cleaning, but
 * its ScoringStream scores the values it is pushed as they are, so a job converts a counter series to
 * its per-second rate before pushing. A decrease is a reset; the interval across it has no known rate
 * and is pushed as missing. The stream then sees, and reports, the rate.
 */
import type { ScoreOptions } from '../contract/score.js';
import type { ScoringStream } from '../engine/index.js';
import { looksLikeCounter } from '../series/clean.js';

/** A stream fed with counter values that scores their rate. The first point only primes it (returns null). */
export function counterRateStream(inner: ScoringStream): ScoringStream {
  let prevT = NaN;
  let prevV = NaN;
  return {
    push(timestamp: number, value: number | null) {
      if (!(timestamp > prevT) && !Number.isNaN(prevT)) return null;
      // A gap: the next rate spans it, from the last value seen.
      if (value === null) return inner.push(timestamp, null);
      if (Number.isNaN(prevV)) {
        prevT = timestamp;
        prevV = value;
        return null;
      }
      const reset = value < prevV;
      const rate = (value - prevV) / ((timestamp - prevT) / 1000);
      prevT = timestamp;
      prevV = value;
      // Across a reset the count before it is lost, so the rate of that interval is unknown. Prometheus
      // takes the new value as the increase, which understates the rate and looks like a dip; the job
      // reports the point as missing instead.
      return inner.push(timestamp, reset ? null : rate);
    },
    episodes: () => inner.episodes(),
    state: () => inner.state(),
  };
}

/**
 * Whether a series is a counter: as configured, or for "auto" (the default) judged once from the
 * first batch of points the job sees (the backfill, normally thousands of points; fewer than about 10
 * are never judged a counter).
 */
export function isCounter(option: ScoreOptions['counter'], firstValues: readonly (number | null)[]): boolean {
  if (option === true || option === false) return option;
  return looksLikeCounter(firstValues.map((v) => (v === null ? NaN : v)));
}
