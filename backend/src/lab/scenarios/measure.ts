/**
 * The figures of one scored scenario, computed from the scored output and the labels alone (no
 * engine here, so hand-built score arrays test it). All counts are in grid points of the scored
 * series; windows are epoch milliseconds, half-open [start, end).
 */
import type { ScenarioKind, Window } from './catalog.js';
import { median } from '../../stats/median.js';
import { DAY_MS, MINUTE_MS } from './traffic.js';

/** The part of a SeriesScore the measures read (a SeriesScore satisfies it, with learningPoints from model). */
export interface ScoredSeries {
  timestamps: readonly number[];
  values: readonly (number | null)[];
  score: readonly number[];
  anomaly: readonly boolean[];
  episodes: readonly { start: number; end: number; peakScore: number }[];
  /** Valid points the detector learns from before it scores (SeriesScore.model.learningPoints). */
  learningPoints: number;
  /** The band (absent: not measured; a twin's band is compared with it, bandTwin). */
  lower?: readonly (number | null)[];
  upper?: readonly (number | null)[];
}

export interface Labels {
  incidents: readonly Window[];
  /** Unlabelled repetitions of a recurring pattern (flagging them is a false alarm). */
  recurrences?: readonly Window[];
  kind: ScenarioKind;
}

export interface MeasureOptions {
  /** Points after an incident's end within which an episode still belongs to it. Default 30. */
  gracePoints?: number;
}

export const DEFAULT_GRACE_POINTS = 30;

export interface ScenarioMetrics {
  incidents: number;
  /** Incidents with at least one anomalous point inside their window. */
  detected: number;
  /** Median over detected incidents of (first anomalous point in the window − its start), points; null: none detected. */
  onsetDelay: number | null;
  /** Anomalous points ÷ points inside incident windows; null: no incident points on the grid. */
  coverage: number | null;
  /**
   * Anomalous points ÷ points in the grace after each incident's end (the points an episode may still
   * take after the incident without counting as false), those inside another incident left out: what
   * holding an incident costs once it is over. Null: no such points on the grid.
   */
  afterEnd: number | null;
  /**
   * The band's width over the same points as afterEnd ÷ its width there on the incident-free twin (the
   * same series scored without its incidents): 1 when an incident leaves no trace in what the series
   * learnt (issue 11: the band after an incident returns to its earlier width). Null: no twin, or no
   * such points with a band on both.
   */
  bandTwin: number | null;
  /** Episodes overlapping no incident window (each extended by the grace after its end). */
  falseEpisodes: number;
  /** Days of scored data after the learning prefix. */
  scoredDays: number;
  /** falseEpisodes ÷ scoredDays; null when nothing was scored. */
  falsePerDay: number | null;
  /**
   * Minutes the false episodes last (each from its first to its last anomalous point, plus one step) ÷
   * scoredDays: how long noise pages, where falsePerDay counts how often. A change that splits one
   * day-long false episode into two short ones raises falsePerDay and lowers this. Null when nothing was
   * scored.
   */
  falseMinutesPerDay: number | null;
  /** repeated kind only: peak score inside the last incident ÷ inside the first; null otherwise or if the first peak is 0. */
  lastFirstRatio: number | null;
  /** recurring kind: unlabelled occurrences, and how many of them had an anomalous point. */
  recurrences: number;
  flaggedRecurrences: number;
}

function medianOf(xs: number[]): number | null {
  return xs.length === 0 ? null : median(xs);
}

/** Median spacing of the timestamps (the grid step); 0 with fewer than two points. */
export function stepOf(timestamps: readonly number[]): number {
  const d: number[] = [];
  for (let i = 1; i < timestamps.length; i++) d.push(timestamps[i] - timestamps[i - 1]);
  return medianOf(d) ?? 0;
}

/** Index of the first timestamp ≥ t (timestamps ascending). */
function lowerBound(timestamps: readonly number[], t: number): number {
  let lo = 0;
  let hi = timestamps.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (timestamps[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Grid indices [from, to) inside a window. */
function indices(timestamps: readonly number[], w: Window): [number, number] {
  return [lowerBound(timestamps, w.start), lowerBound(timestamps, w.end)];
}

/** First index the detector scores: after `learningPoints` valid values. */
export function firstScoredIndex(s: ScoredSeries): number {
  let valid = 0;
  for (let i = 0; i < s.values.length; i++) {
    const v = s.values[i];
    if (v === null || Number.isNaN(v)) continue;
    if (valid >= s.learningPoints) return i;
    valid++;
  }
  return s.values.length;
}

interface WindowHits {
  points: number;
  anomalous: number;
  firstAnomalous: number | null;
  peak: number;
}

function hits(s: ScoredSeries, w: Window): WindowHits {
  const [from, to] = indices(s.timestamps, w);
  let anomalous = 0;
  let firstAnomalous: number | null = null;
  let peak = 0;
  for (let i = from; i < to; i++) {
    if (s.anomaly[i]) {
      anomalous++;
      if (firstAnomalous === null) firstAnomalous = i - from;
    }
    if (s.score[i] > peak) peak = s.score[i];
  }
  return { points: to - from, anomalous, firstAnomalous, peak };
}

/**
 * Grid indices within `span` ms after any incident's end that lie in no incident (once each): between
 * flaps 8 minutes apart, the next flaps are incidents, not what the last one left behind.
 */
function pointsAfter(timestamps: readonly number[], incidents: readonly Window[], span: number): number[] {
  const mark = new Uint8Array(timestamps.length);
  for (const w of incidents) {
    const [from, to] = indices(timestamps, { start: w.end, end: w.end + span });
    mark.fill(1, from, to);
  }
  for (const w of incidents) {
    const [from, to] = indices(timestamps, w);
    mark.fill(0, from, to);
  }
  const out: number[] = [];
  for (let i = 0; i < mark.length; i++) if (mark[i] === 1) out.push(i);
  return out;
}

/** Σ (upper − lower) on `s` ÷ the same on `twin`, over the points of `at` with a finite band on both. */
function widthRatio(s: ScoredSeries, twin: ScoredSeries, at: readonly number[]): number | null {
  const width = (x: ScoredSeries, i: number) => (x.upper?.[i] ?? NaN) - (x.lower?.[i] ?? NaN);
  let own = 0;
  let theirs = 0;
  for (const i of at) {
    const a = width(s, i);
    const b = width(twin, i);
    if (!Number.isFinite(a) || !Number.isFinite(b)) continue;
    own += a;
    theirs += b;
  }
  return theirs > 0 ? own / theirs : null;
}

/**
 * The figures of `s` against its labels; `twin` (optional) is the same series scored without its
 * incidents, on the same grid (ScenarioMetrics.bandTwin).
 */
export function measure(
  s: ScoredSeries,
  labels: Labels,
  options: MeasureOptions = {},
  twin?: ScoredSeries,
): ScenarioMetrics {
  const grace = options.gracePoints ?? DEFAULT_GRACE_POINTS;
  const step = stepOf(s.timestamps);
  const perIncident = labels.incidents.map((w) => hits(s, w));
  const detected = perIncident.filter((h) => h.anomalous > 0);
  const points = perIncident.reduce((a, h) => a + h.points, 0);
  const anomalous = perIncident.reduce((a, h) => a + h.anomalous, 0);
  const after = pointsAfter(s.timestamps, labels.incidents, grace * step);
  const afterPoints = after.length;

  const extended = labels.incidents.map((w) => ({ start: w.start, end: w.end + grace * step }));
  // An episode [start, end] (its first and last anomalous timestamps) overlaps [a, b) when start < b and end ≥ a.
  const falses = s.episodes.filter((e) => !extended.some((w) => e.start < w.end && e.end >= w.start));
  const falseEpisodes = falses.length;
  const falseMinutes = falses.reduce((sum, e) => sum + (e.end - e.start + step) / MINUTE_MS, 0);
  const scoredPoints = s.timestamps.length - firstScoredIndex(s);
  const scoredDays = (scoredPoints * step) / DAY_MS;

  let lastFirstRatio: number | null = null;
  if (labels.kind === 'repeated' && perIncident.length >= 2) {
    const first = perIncident[0].peak;
    const last = perIncident[perIncident.length - 1].peak;
    lastFirstRatio = first > 0 ? last / first : null;
  }
  const recurrences = (labels.recurrences ?? []).map((w) => hits(s, w));

  return {
    incidents: labels.incidents.length,
    detected: detected.length,
    onsetDelay: medianOf(detected.map((h) => h.firstAnomalous as number)),
    coverage: points > 0 ? anomalous / points : null,
    afterEnd: afterPoints > 0 ? after.filter((i) => s.anomaly[i]).length / afterPoints : null,
    bandTwin: twin ? widthRatio(s, twin, after) : null,
    falseEpisodes,
    scoredDays,
    falsePerDay: scoredDays > 0 ? falseEpisodes / scoredDays : null,
    falseMinutesPerDay: scoredDays > 0 ? falseMinutes / scoredDays : null,
    lastFirstRatio,
    recurrences: recurrences.length,
    flaggedRecurrences: recurrences.filter((h) => h.anomalous > 0).length,
  };
}
