/**
 * Seasonal component: the value against the same phase of the previous cycles (median of the last
 * `seasons` cycles, plus a slowly tracked level offset), scaled by the MAD of recent residuals.
 * The period is detected automatically from the history seen so far (ACF, `featurize/seasonal.ts`),
 * retried on a doubling schedule until one is found, or fixed by the caller.
 *
 * We chose a seasonal profile over Holt-Winters and augurs MSTL by measurement on NAB (see README):
 * it needs no refit, costs O(seasons) per point, and a median over cycles ignores one bad cycle.
 */
import type { Component, ComponentState, Deviation } from './detector.js';
import { EwStats, Ring, SortedWindow, alphaForHalfLife } from '../featurize/windows.js';
import { detectPeriod } from '../featurize/seasonal.js';
import { cappedZ, flooredScale } from './scale.js';
import { MAD_TO_SIGMA } from './components.js';

export interface SeasonalOptions {
  /** Fixed period in points, or null to detect it. */
  period: number | null;
  seasons: number;
  /** First detection attempt after this many points; then at 2×, 4×, … */
  firstCheck: number;
  maxPeriod: number;
  residualWindow: number;
  clip: number;
}

export const DEFAULT_SEASONAL: SeasonalOptions = {
  period: null,
  seasons: 3,
  firstCheck: 400,
  maxPeriod: 2100,
  residualWindow: 200,
  clip: 4,
};

const HISTORY = 8192;

export class SeasonalComponent implements Component {
  readonly feature = 'seasonal_profile_deviation';
  readonly kindUp = 'seasonal_mismatch' as const;
  readonly kindDown = 'seasonal_mismatch' as const;
  readonly providesBand = true;
  private readonly opts: SeasonalOptions;
  private readonly history = new Ring(HISTORY);
  private seen = 0;
  private nextCheck: number;
  private p: number | null = null;
  /** cycles[phase * seasons + k]: the last `seasons` values at each phase. */
  private cycles = new Float64Array(0);
  private readonly resid: SortedWindow;
  private readonly offset: EwStats;
  private readonly mag = new EwStats(alphaForHalfLife(500));
  private readonly scratch: number[] = [];

  constructor(options: Partial<SeasonalOptions> = {}) {
    this.opts = { ...DEFAULT_SEASONAL, ...options };
    this.nextCheck = this.opts.firstCheck;
    this.resid = new SortedWindow(this.opts.residualWindow);
    this.offset = new EwStats(alphaForHalfLife(50));
  }

  period(): number | null {
    return this.p;
  }

  private adopt(period: number): void {
    this.p = period;
    const s = this.opts.seasons;
    this.cycles = new Float64Array(period * s).fill(NaN);
    // Replay the remembered history into the phase table so scoring starts at once.
    const n = Math.min(this.history.count, period * s);
    for (let i = n - 1; i >= 0; i--) {
      const idx = this.seen - 1 - i;
      this.store(idx % period, this.history.recent(i));
    }
  }

  private store(phase: number, x: number): void {
    const s = this.opts.seasons;
    const base = phase * s;
    this.cycles.copyWithin(base, base + 1, base + s);
    this.cycles[base + s - 1] = x;
  }

  private profile(phase: number): number {
    const s = this.opts.seasons;
    const xs = this.scratch;
    xs.length = 0;
    for (let k = 0; k < s; k++) {
      const v = this.cycles[phase * s + k];
      if (!Number.isNaN(v)) xs.push(v);
    }
    if (xs.length === 0) return NaN;
    xs.sort((a, b) => a - b);
    const m = xs.length >> 1;
    return xs.length % 2 ? xs[m] : (xs[m - 1] + xs[m]) / 2;
  }

  private maybeDetect(): void {
    if (this.opts.period !== null) {
      if (this.p === null && this.seen >= 2) this.adopt(this.opts.period);
      return;
    }
    if (this.p !== null || this.seen < this.nextCheck) return;
    this.nextCheck *= 2;
    const found = detectPeriod(this.history.toArray(), { maxPeriod: this.opts.maxPeriod });
    if (found) this.adopt(found.period);
  }

  step(x: number, out: Deviation): void {
    this.maybeDetect();
    const p = this.p;
    const magnitude = Number.isNaN(this.mag.mean) ? 0 : this.mag.mean;
    let expected = NaN;
    if (p !== null) {
      const prof = this.profile(this.seen % p);
      expected = prof + (Number.isNaN(this.offset.mean) ? 0 : this.offset.mean);
    }
    if (!Number.isNaN(expected) && this.resid.count >= 20) {
      out.expected = expected;
      out.scale = flooredScale(MAD_TO_SIGMA * this.resid.mad(), magnitude);
      out.z = Number.isNaN(x) ? NaN : cappedZ(x - expected, out.scale);
    } else {
      out.z = out.expected = out.scale = NaN;
    }
    if (!Number.isNaN(x)) {
      this.mag.push(Math.abs(x));
      if (p !== null) {
        const phase = this.seen % p;
        const prof = this.profile(phase);
        let stored = x;
        if (!Number.isNaN(prof)) {
          const r = x - expected;
          if (!Number.isNaN(r)) this.resid.push(r);
          // Winsorize what enters the profile so one incident does not become next cycle's normal.
          const lim = this.opts.clip * flooredScale(MAD_TO_SIGMA * this.resid.mad(), magnitude);
          if (this.resid.count >= 20) stored = Math.max(expected - lim, Math.min(expected + lim, x));
          this.offset.push(Math.max(-lim, Math.min(lim, x - prof - (this.offset.mean || 0))) + (this.offset.mean || 0));
        }
        this.store(phase, stored);
      }
    }
    this.history.push(x);
    this.seen++;
  }

  snapshot(): ComponentState {
    return { type: 'seasonal', period: this.p, seasons: this.opts.seasons, seen: this.seen };
  }
}
