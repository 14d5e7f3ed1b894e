/**
 * A small stand-in for the engine's ScoringStream, for job tests and dry runs that must not depend on
 * a detector's behaviour: the expected value is the mean of the previous `window` values, the band is
 * ± `tolerance` × expected, and consecutive anomalous points form one episode.
 */
import type { Episode, SeriesState } from '../contract/score.js';
import type { ScoringStream, StreamPoint } from '../engine/index.js';
import { DEFAULT_SENSITIVITY, type Sensitivity } from '../contract/sensitivity.js';

export interface FakeStreamOptions {
  /** Points averaged for the expected value (default 5). */
  window?: number;
  /** Half-width of the band relative to the expected value (default 0.5). */
  tolerance?: number;
  /** Points before the stream leaves `learning` (default 3). */
  learning?: number;
  /** The season it reports (ScoringStream.period), in points (default: none). */
  period?: number | null;
}

export function createFakeStream(options: FakeStreamOptions = {}): ScoringStream {
  const window = options.window ?? 5;
  const tolerance = options.tolerance ?? 0.5;
  const learning = options.learning ?? 3;
  const recent: number[] = [];
  const episodes: Episode[] = [];
  let last = -Infinity;
  let seen = 0;
  let state: SeriesState = 'no_data';
  let sensitivity = DEFAULT_SENSITIVITY;

  return {
    push(timestamp: number, value: number | null): StreamPoint | null {
      if (timestamp <= last) return null;
      last = timestamp;
      const open = episodes.at(-1)?.open ? episodes.at(-1) : undefined;
      if (value === null) {
        return {
          timestamp,
          value,
          score: 0,
          expected: null,
          lower: null,
          upper: null,
          anomaly: false,
          direction: null,
          state,
        };
      }
      seen++;
      const expected = recent.length > 0 ? recent.reduce((a, b) => a + b, 0) / recent.length : value;
      const half = Math.max(Math.abs(expected) * tolerance, 1e-9);
      state = seen > learning ? 'ok' : 'learning';
      const score = state === 'ok' ? Math.abs(value - expected) / half : 0;
      const anomaly = score >= 1;
      const direction = anomaly ? (value > expected ? 'up' : 'down') : null;
      if (anomaly && direction) {
        if (open && open.direction === direction) {
          open.end = timestamp;
          if (score > open.peakScore) Object.assign(open, { peakScore: score, peakTime: timestamp });
        } else {
          if (open) open.open = false;
          episodes.push({
            start: timestamp,
            end: timestamp,
            peakTime: timestamp,
            peakScore: score,
            severity: Math.min(100, 25 * score),
            severityLabel: score >= 3 ? 'critical' : score >= 2 ? 'major' : 'minor',
            direction,
            open: true,
            explanation: {
              kind: direction === 'up' ? 'spike' : 'dip',
              summary: `${direction === 'up' ? 'above' : 'below'} the recent mean`,
              expected,
              actual: value,
              features: [{ name: 'value', contribution: 1 }],
            },
          });
        }
      } else if (open) {
        open.open = false;
      }
      // Anomalous values do not pull the expectation along, as a robust detector's would not.
      if (!anomaly) {
        recent.push(value);
        if (recent.length > window) recent.shift();
      }
      return {
        timestamp,
        value,
        score,
        expected,
        lower: expected - half,
        upper: expected + half,
        anomaly,
        direction,
        state,
      };
    },
    episodes: () => episodes.map((e) => ({ ...e })),
    state: () => state,
    period: () => options.period ?? null,
    // Kept, not applied: the fake's band is its tolerance whatever the sensitivity (as for every param).
    sensitivity: () => sensitivity,
    setSensitivity: (s: Sensitivity) => {
      sensitivity = s;
    },
    snapshot: () => {
      throw new Error('the fake stream has no snapshot (only engine streams can be restored)');
    },
  };
}
