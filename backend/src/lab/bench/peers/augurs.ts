/**
 * The peer: Grafana's augurs (MSTL decomposition + AutoETS trend, compiled to wasm) used the way a
 * forecasting library becomes a *causal* anomaly detector. At each point the model is fitted on the
 * trailing window (a few seasons), forecasts one step ahead with a prediction interval, and the
 * point is anomalous when it falls outside; then the window rolls and the model is refitted. That
 * refit per point is what a streaming use of a forecaster costs, and it is what we compare against.
 */
import type { MSTL as MstlClass } from '@bsull/augurs/mstl';
import { loadAugurs } from '../../../forecast/augurs.js';

export type AugursMstl = typeof MstlClass;

/** The wasm is loaded once, by the forecast module's loader (the forecasts use augurs as well). */
export async function loadAugursMstl(): Promise<AugursMstl> {
  return (await loadAugurs()).MSTL;
}

export interface AugursPeerOptions {
  /** Season length in points (the peer is told it; it does not detect one). */
  period: number;
  /** Trailing window the model is fitted on, in seasons. */
  windowPeriods: number;
  /** Prediction interval level, 0–1. */
  level: number;
}

export const DEFAULT_PEER: Omit<AugursPeerOptions, 'period'> = { windowPeriods: 3, level: 0.99 };

export interface PeerPoint {
  anomaly: boolean;
  expected: number;
  lower: number;
  upper: number;
}

/** One series scored causally by refitting MSTL+ETS on a rolling window at every point. */
export class AugursMstlDetector {
  readonly window: number;
  private readonly ring: Float64Array;
  private readonly ordered: Float64Array;
  private head = 0;
  private count = 0;
  private last = NaN;
  /** Fits that threw (e.g. a window augurs rejects); such points are left unscored. */
  failures = 0;

  constructor(
    private readonly MSTL: AugursMstl,
    private readonly options: AugursPeerOptions,
  ) {
    if (!(options.period >= 2)) throw new RangeError(`period must be at least 2, got ${options.period}`);
    if (!(options.level > 0 && options.level < 1))
      throw new RangeError(`level must be in (0, 1), got ${options.level}`);
    this.window = Math.max(2 * options.period, Math.round(options.windowPeriods * options.period));
    this.ring = new Float64Array(this.window);
    this.ordered = new Float64Array(this.window);
  }

  get ready(): boolean {
    return this.count === this.window;
  }

  /**
   * Feed the next value (null = missing). Returns the point's verdict once the window is full,
   * else null. MSTL cannot fit gaps, so a missing point is carried forward into the window, unscored.
   */
  push(value: number | null): PeerPoint | null {
    const missing = value === null || !Number.isFinite(value);
    const x = missing ? this.last : value;
    let verdict: PeerPoint | null = null;
    if (!missing && this.ready) verdict = this.forecast(x);
    if (!Number.isNaN(x)) {
      this.ring[this.head] = x;
      this.head = (this.head + 1) % this.window;
      if (this.count < this.window) this.count++;
      this.last = x;
    }
    return verdict;
  }

  private forecast(x: number): PeerPoint | null {
    const w = this.window;
    for (let i = 0; i < w; i++) this.ordered[i] = this.ring[(this.head + i) % w];
    const model = this.MSTL.ets([this.options.period]);
    try {
      model.fit(this.ordered);
      const f = model.predict(1, this.options.level);
      const lower = f.intervals?.lower[0] ?? NaN;
      const upper = f.intervals?.upper[0] ?? NaN;
      return { anomaly: x < lower || x > upper, expected: f.point[0], lower, upper };
    } catch {
      this.failures++;
      return null;
    } finally {
      model.free();
    }
  }
}

export interface PeerRun {
  series: string;
  period: number;
  window: number;
  level: number;
  /** Points scored (after the first `window` points, which only fill the window). */
  scored: number;
  /** Points the series has after the window; scored < scorable means a prefix was measured. */
  scorable: number;
  ms: number;
  pointsPerSec: number;
  anomalies: number;
  failures: number;
}

export interface PeerMeasureOptions extends Partial<Omit<AugursPeerOptions, 'period'>> {
  /** Stop scoring after this long (a refit per point can take a second on long windows). */
  budgetMs: number;
  /** Always score at least this many points, whatever the budget. */
  minPoints?: number;
  maxPoints?: number;
}

export function measureAugurs(
  MSTL: AugursMstl,
  s: { name: string; values: readonly (number | null)[]; period: number },
  { budgetMs, minPoints = 3, maxPoints = Infinity, ...peer }: PeerMeasureOptions,
): PeerRun {
  const options = { ...DEFAULT_PEER, ...peer, period: s.period };
  // Two untimed fits first: wasm code is compiled lazily and tiered up, as JS is in the engine's warm-up.
  const warm = new AugursMstlDetector(MSTL, options);
  for (let k = 0; k < Math.min(s.values.length, warm.window + 2); k++) warm.push(s.values[k]);

  const detector = new AugursMstlDetector(MSTL, options);
  let i = 0;
  while (i < s.values.length && !detector.ready) detector.push(s.values[i++]);
  const scorable = s.values.length - i;
  let scored = 0;
  let anomalies = 0;
  const t0 = performance.now();
  let ms = 0;
  for (; i < s.values.length && scored < maxPoints; i++) {
    const v = detector.push(s.values[i]);
    scored++;
    if (v?.anomaly) anomalies++;
    ms = performance.now() - t0;
    if (ms > budgetMs && scored >= minPoints) break;
  }
  return {
    series: s.name,
    period: options.period,
    window: detector.window,
    level: options.level,
    scored,
    scorable,
    ms,
    pointsPerSec: scored / (ms / 1000),
    anomalies,
    failures: detector.failures,
  };
}
