/**
 * Seasonal component: the value against the same phase of the previous cycles (median of the last
 * `seasons` cycles, plus a slowly tracked level offset), scaled by the MAD of recent residuals.
 *
 * The period is detected automatically from the history seen so far (ACF, `featurize/seasonal.ts`),
 * retried on a schedule as history grows until one is found, or fixed by the caller. Once a base period p is
 * known, a weekly-style multiple (7p: weekdays differ from weekends in most traffic) is tracked as
 * well as soon as enough history exists, and each point is scored by whichever profile has predicted
 * better lately (lower residual MAD): the choice is made by measurement, per series.
 *
 * We chose a seasonal profile over Holt-Winters and augurs MSTL by measurement on NAB (see README):
 * it needs no refit, costs O(seasons) per point, and a median over cycles ignores one bad cycle.
 */
import { INCIDENT_ADAPTATION, type Component, type Deviation, type LearnMode } from './detector.js';
import { EwStats, Ring, SortedWindow, alphaForHalfLife } from '../featurize/windows.js';
import { StateError, dec, enc, encArray, expectLength, expectSame } from '../featurize/snapshot.js';
import { stateOfType, type ComponentState, type ProfileState, type SeasonalState } from './state.js';
import { detectPeriod } from '../featurize/seasonal.js';
import { Magnitude, cappedZ, flooredScale } from './scale.js';
import { MAD_TO_SIGMA } from './components.js';

export interface SeasonalOptions {
  /** Fixed period in points, or null to detect it. */
  period: number | null;
  seasons: number;
  /** First detection attempt after this many points (see maybeTrack for the schedule). */
  firstCheck: number;
  maxPeriod: number;
  residualWindow: number;
  clip: number;
  /** Multiples of the base period also tracked (e.g. 7: a weekly profile over a daily one). */
  multiples: readonly number[];
}

export const DEFAULT_SEASONAL: SeasonalOptions = {
  period: null,
  seasons: 3,
  firstCheck: 400,
  maxPeriod: 2100,
  residualWindow: 100,
  clip: 4,
  multiples: [7],
};

const HISTORY = 8192;
const MIN_RESIDUALS = 20;

/** One seasonal profile of a given period: phase table, level offset and residual spread. */
class Profile {
  /** cycles[phase * seasons + k]: the last `seasons` values at each phase. */
  private readonly cycles: Float64Array;
  readonly resid: SortedWindow;
  private readonly offset = new EwStats(alphaForHalfLife(50));
  /** Recent mean |residual|, to pick between profiles. */
  readonly error = new EwStats(alphaForHalfLife(200));
  private readonly scratch: number[] = [];
  expected = NaN;
  constructor(
    readonly period: number,
    private readonly seasons: number,
    residualWindow: number,
    private readonly clip: number,
  ) {
    this.cycles = new Float64Array(period * seasons).fill(NaN);
    this.resid = new SortedWindow(residualWindow);
  }

  store(phase: number, x: number): void {
    const s = this.seasons;
    const base = phase * s;
    this.cycles.copyWithin(base, base + 1, base + s);
    this.cycles[base + s - 1] = x;
  }

  private median(phase: number): number {
    const s = this.seasons;
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

  /** Expected value at this position (before seeing x); NaN when the phase has no history. */
  predict(position: number): number {
    const prof = this.median(position % this.period);
    this.expected = prof + (Number.isNaN(this.offset.mean) ? 0 : this.offset.mean);
    return this.expected;
  }

  get ready(): boolean {
    return this.resid.count >= MIN_RESIDUALS && !Number.isNaN(this.expected);
  }

  scale(magnitude: number, integral: boolean): number {
    return flooredScale(MAD_TO_SIGMA * this.resid.mad(), magnitude, integral);
  }

  /**
   * Learn x at `position` (call after predict). Winsorized so one incident is not next cycle's normal;
   * during an incident the residual spread does not learn and the level moves by a bounded step.
   */
  learn(position: number, x: number, magnitude: number, integral: boolean, mode: LearnMode): void {
    const phase = position % this.period;
    const expected = this.expected;
    let stored = x;
    if (!Number.isNaN(expected)) {
      const r = x - expected;
      // A profile still warming up learns everything (it must become ready even inside an incident).
      const gated = mode === 'incident' && this.ready;
      if (!gated) {
        this.resid.push(r);
        this.error.push(Math.abs(r));
      }
      const scale = this.scale(magnitude, integral);
      const lim = this.clip * scale;
      // The phase table learns in both modes: the median over `seasons` cycles ignores one bad cycle, and
      // what recurs on most of them becomes normal (the recurring-pattern rule).
      if (this.resid.count >= MIN_RESIDUALS) stored = Math.max(expected - lim, Math.min(expected + lim, x));
      const prof = expected - (Number.isNaN(this.offset.mean) ? 0 : this.offset.mean);
      const off = Number.isNaN(this.offset.mean) ? 0 : this.offset.mean;
      const step = (gated ? INCIDENT_ADAPTATION : this.clip) * scale;
      this.offset.push(off + Math.max(-step, Math.min(step, x - prof - off)));
    }
    this.store(phase, stored);
  }

  snapshot(): ProfileState {
    return {
      period: this.period,
      cycles: encArray(this.cycles),
      resid: this.resid.snapshot(),
      offset: this.offset.snapshot(),
      error: this.error.snapshot(),
      expected: enc(this.expected),
    };
  }

  restore(s: ProfileState, path: string): void {
    expectLength(
      `${path}.cycles`,
      s.cycles.length,
      this.cycles.length,
      `period ${this.period} × ${this.seasons} seasons`,
    );
    for (let i = 0; i < this.cycles.length; i++) this.cycles[i] = dec(s.cycles[i]);
    this.resid.restore(s.resid, `${path}.resid`);
    this.offset.restore(s.offset);
    this.error.restore(s.error);
    this.expected = dec(s.expected);
  }
}

export class SeasonalComponent implements Component {
  readonly feature = 'seasonal_profile_deviation';
  readonly kindUp = 'seasonal_mismatch' as const;
  readonly kindDown = 'seasonal_mismatch' as const;
  readonly providesBand = true;
  readonly affine = true;
  private readonly opts: SeasonalOptions;
  /** Recent values for period detection and for seeding new profiles; released once neither is pending. */
  private history: Ring | null = new Ring(HISTORY);
  private seen = 0;
  private nextCheck: number;
  private profiles: Profile[] = [];
  /** Multiples not yet tracked (waiting for enough history). */
  private pending: number[] = [];
  private readonly mag = new Magnitude();

  constructor(options: Partial<SeasonalOptions> = {}) {
    this.opts = { ...DEFAULT_SEASONAL, ...options };
    this.nextCheck = this.opts.firstCheck;
  }

  /** The period currently scoring (the best profile), or null before one is known. */
  period(): number | null {
    return this.best()?.period ?? null;
  }

  private best(): Profile | null {
    let best: Profile | null = null;
    for (const p of this.profiles) {
      if (!p.ready) continue;
      if (!best || p.error.mean < best.error.mean) best = p;
    }
    return best ?? this.profiles[0] ?? null;
  }

  private track(period: number): void {
    const p = new Profile(period, this.opts.seasons, this.opts.residualWindow, this.opts.clip);
    // Replay remembered history into the phase table so scoring starts at once.
    const h = this.history;
    const n = h ? Math.min(h.count, period * this.opts.seasons) : 0;
    for (let i = n - 1; i >= 0; i--) p.store((this.seen - 1 - i) % period, h!.recent(i));
    this.profiles.push(p);
  }

  private adopt(base: number): void {
    this.track(base);
    this.pending = this.opts.multiples.map((k) => k * base).filter((p) => p * this.opts.seasons <= HISTORY);
  }

  private maybeTrack(): void {
    if (this.profiles.length === 0) {
      if (this.opts.period !== null) {
        if (this.seen >= 2) this.adopt(this.opts.period);
        return;
      }
      if (this.seen < this.nextCheck) return;
      // Doubling, then steps of 800 once past 3,200 so a daily period at 1-minute steps (1,440,
      // needing 3,600 points) is found on the third day rather than the fifth; once the history
      // window is full, a check every half window (a series without a period stops paying for it).
      const step = this.nextCheck < 3200 ? this.nextCheck : this.nextCheck < HISTORY ? 800 : HISTORY / 2;
      this.nextCheck += step;
      const found = detectPeriod(this.history!.toArray(), { maxPeriod: this.opts.maxPeriod });
      if (found) this.adopt(found.period);
      return;
    }
    // A multiple joins once two of its cycles are in memory.
    if (this.pending.length && this.seen >= 2 * this.pending[0]) this.track(this.pending.shift()!);
    if (this.pending.length === 0) this.history = null;
  }

  step(x: number, out: Deviation): void {
    this.maybeTrack();
    for (const p of this.profiles) p.predict(this.seen);
    const best = this.best();
    if (best && best.ready) {
      out.expected = best.expected;
      out.scale = best.scale(this.mag.value, this.mag.integral);
      out.z = Number.isNaN(x) ? NaN : cappedZ(x - best.expected, out.scale);
    } else {
      out.z = out.expected = out.scale = NaN;
    }
  }

  learn(x: number, mode: LearnMode): void {
    if (!Number.isNaN(x)) {
      const magnitude = this.mag.value;
      const integral = this.mag.integral;
      for (const p of this.profiles) p.learn(this.seen, x, magnitude, integral, mode);
      this.mag.push(x);
    }
    this.history?.push(x);
    this.seen++;
  }

  snapshot(): SeasonalState {
    return {
      type: 'seasonal',
      fixedPeriod: this.opts.period,
      seasons: this.opts.seasons,
      seen: this.seen,
      nextCheck: this.nextCheck,
      history: this.history?.snapshot() ?? null,
      profiles: this.profiles.map((p) => p.snapshot()),
      pending: [...this.pending],
      mag: this.mag.snapshot(),
    };
  }

  restore(state: ComponentState, path = 'component'): void {
    const s = stateOfType(state, 'seasonal', path);
    expectSame(`${path}.fixedPeriod`, s.fixedPeriod, this.opts.period);
    expectSame(`${path}.seasons`, s.seasons, this.opts.seasons);
    if (s.history === null && (s.profiles.length === 0 || s.pending.length > 0)) {
      throw new StateError(
        `${path}.history`,
        'is null, but period detection or a pending multiple still needs it',
      );
    }
    if (s.history) {
      expectSame(`${path}.history.size`, s.history.size, HISTORY);
      this.history = Ring.fromSnapshot(s.history, `${path}.history`);
    } else this.history = null;
    this.profiles = s.profiles.map((ps, i) => {
      const at = `${path}.profiles[${i}]`;
      // Checked before allocating the phase table, so a corrupt period cannot ask for a huge one.
      const seasons = this.opts.seasons;
      expectLength(
        `${at}.cycles`,
        ps.cycles.length,
        ps.period * seasons,
        `period ${ps.period} × ${seasons} seasons`,
      );
      const p = new Profile(ps.period, seasons, this.opts.residualWindow, this.opts.clip);
      p.restore(ps, at);
      return p;
    });
    this.pending = [...s.pending];
    this.seen = s.seen;
    this.nextCheck = s.nextCheck;
    this.mag.restore(s.mag);
  }
}
