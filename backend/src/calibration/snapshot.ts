/** Snapshot format of the calibration state (JSON; numbers encoded as in snapshots/codec.ts). */
import { z } from 'zod';
import { Direction, Episode, Explanation } from '../contract/score.js';
import { Count, Num, RingState } from '../snapshots/codec.js';
import { MagnitudeState } from '../detectors/scale.js';

/** The tail model (tail.ts): its decaying histogram of learning-scale scores and the quantiles read from it. */
export const TailState = z.object({
  bins: z.array(Num),
  below: Num,
  total: Num,
  weight: Num,
  incident: Count,
  pending: z.array(Num),
  sinceRefresh: Count,
  qHigh: Num,
  qExtreme: Num,
  last: Num,
});
export type TailState = z.infer<typeof TailState>;

/**
 * Per component, the decaying maximum of recent |z| and the range's edge before the current run of
 * anomalous points (the rest of the calibrator is per-point scratch).
 */
export const CalibratorState = z.object({
  range: z.array(Num),
  /** The shown band's ranges (Calibrator.shown; absent before 2026-12-04: restored as `range`). */
  shown: z.array(Num).optional(),
  basis: z.array(Num),
  /** The ranges when the open incident began, its points so far, whether the primary flagged one (absent before 2026-12). */
  saved: z.array(Num).optional(),
  incidentPoints: Count.optional(),
  primaryPoints: Count.optional(),
  /** The score tail (absent before 2026-12: restored as a new series' tail, no widening until it is learnt). */
  tail: TailState.optional(),
  /**
   * Per component, the deviations still to be learnt (Calibrator.learn's delay for a component with a
   * measurement window), null for the others (absent before 2026-12: they start empty).
   */
  delayed: z.array(RingState.nullable()).optional(),
});
export type CalibratorState = z.infer<typeof CalibratorState>;

/** The outage rule (outage.ts): whether a normal point was near zero, and the series' mean |x|. */
export const OutageState = z.object({ zeroSeen: z.boolean(), mag: MagnitudeState });
export type OutageState = z.infer<typeof OutageState>;

/** The episode still open, with what it needs to go on (points below the hold level so far, …). */
export const OpenEpisodeState = z.object({
  start: z.number(),
  lastAnomalous: z.number(),
  peakScore: z.number(),
  peakTime: z.number(),
  direction: Direction,
  anomalousPoints: Count,
  below: Count,
  explanation: Explanation,
  /**
   * Σ (value − expected), Σ expected and their count over the anomalous points (absent before 2026-12), and
   * Σ |value − expected| (absent before 2026-12-06: |Σ (value − expected)|, read as a level shift).
   */
  shift: z
    .object({ sum: z.number(), expectedSum: z.number(), points: Count, absSum: z.number().optional() })
    .optional(),
  /** The earliest onset its points gave, before its start (absent: none, or written before 2026-12). */
  onset: z.number().optional(),
});
export type OpenEpisodeState = z.infer<typeof OpenEpisodeState>;

export const EpisodeBuilderState = z.object({
  open: OpenEpisodeState.nullable(),
  /** Closed episodes kept, oldest first. */
  closed: z.array(Episode),
});
export type EpisodeBuilderState = z.infer<typeof EpisodeBuilderState>;

/** The escalation tracker's monotonic deque (indices and scores) and its point counter. */
export const EscalationState = z.object({
  span: Count,
  n: Count,
  idx: z.array(Count),
  val: z.array(Num),
  /** Whether an incident is open, and its points below the hold level so far. */
  open: z.boolean(),
  below: Count,
});
export type EscalationState = z.infer<typeof EscalationState>;

/** The learning gate: whether an incident is open, since when, and points below the hold level so far. */
export const GateState = z.object({
  open: z.boolean(),
  start: Num,
  below: Count,
  /** Points of the open incident so far, and whether its level was accepted (absent in older snapshots). */
  points: Count.optional(),
  accepted: z.boolean().optional(),
  /** Points learnt outside incidents (absent in older snapshots). */
  normal: Count.optional(),
  /**
   * When the open incident's chain began and when the last incident closed (gate.ts, CHAIN_MS; absent in
   * older snapshots).
   */
  chainStart: Num.optional(),
  closedAt: Num.optional(),
});
export type GateState = z.infer<typeof GateState>;
