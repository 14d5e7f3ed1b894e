import type {
  DetectorName,
  Direction,
  Episode,
  ScoreOptions,
  SeriesScore,
  SeriesState,
} from '../contract/score.js';
import type { StreamSnapshot } from './snapshot.js';
import type { Sensitivity } from '../contract/sensitivity.js';
import type { ModelBundle } from '../neural/artifacts.js';

export interface ScoreParams {
  detector?: DetectorName;
  /** 0–100, default 50. */
  sensitivity?: number;
  options?: ScoreOptions;
  /** A trained model (models/): a neural detector scores with it. Plain data, so it crosses to workers. */
  model?: ModelBundle | null;
  /** Which trained model was asked for, reported in the response (also when it is not ready). */
  trained?: TrainedRef | null;
  /**
   * The series step in ms, when the caller knows it (continuous jobs: their scrape step); batch scoring
   * takes it from the cleaned grid. Lets a detected period snap to a day or a week. A stream opened
   * without it keeps the period as detected: one 1-minute scenario series' day was found as 1,453
   * points, so its daily table drifted 13 minutes a day and the table's median lagged the daily shape
   * (2–6 σ off the noise-free level from 17:00 to 23:00).
   */
  stepMs?: number;
  /**
   * Points a stream's periodic work (period detection) is shifted by (continuous jobs: a stable hash of
   * the series, so a job's series spread it over ticks); 0 when absent, as in batch scoring.
   */
  scheduleOffset?: number;
}

export interface TrainedRef {
  id: string;
  version: number | null;
  state: 'ready' | 'training' | 'failed' | 'quarantined' | 'missing';
}

/** One point scored by a live stream (continuous jobs). */
export interface StreamPoint {
  timestamp: number;
  value: number | null;
  score: number;
  expected: number | null;
  lower: number | null;
  upper: number | null;
  anomaly: boolean;
  direction: Direction | null;
  state: SeriesState;
}

/** Incremental, causal scoring of one series: what continuous jobs hold per series. */
/** How a pushed point is learnt. */
export interface PushOptions {
  /**
   * Scored as usual but learnt as a missing point is: the baselines, spreads and calibration ranges do
   * not move. For points inside a maintenance window (jobs/suppression.ts), so that planned work does
   * not become normal.
   */
  hold?: boolean;
}

export interface ScoringStream {
  /** Feed the next point (timestamps must increase; older or duplicate points are ignored, returning null). */
  push(timestamp: number, value: number | null, options?: PushOptions): StreamPoint | null;
  /** Episodes seen so far, the last one possibly still open. */
  episodes(): Episode[];
  state(): SeriesState;
  /** The sensitivity it scores at now. */
  sensitivity(): Sensitivity;
  /**
   * Score from the next point at another sensitivity, keeping everything learnt (the sensitivity only
   * widens or narrows the band): what a continuous job's live sensitivity setting does. The snapshot
   * records the new one.
   */
  setSensitivity(sensitivity: Sensitivity): void;
  /**
   * The season the detector found, in points (a day of traffic: 1440 at a 1-minute step); null while it
   * has none (too little history, or a detector without seasonality). Optional: test streams may omit it.
   */
  period?(): number | null;
  /**
   * The stream's whole state, as plain JSON-safe data (engine/snapshot.ts): `restoreStream` of it (also
   * after JSON.stringify / JSON.parse) continues with exactly the points, scores and episodes this
   * stream would produce. Call it between pushes.
   */
  snapshot(): StreamSnapshot;
}

export type { SeriesScore, StreamSnapshot };
