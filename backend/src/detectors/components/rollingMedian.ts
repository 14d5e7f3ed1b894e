/**
 * Value against the rolling median of the previous `window` points, scaled by their MAD. Where the series
 * is stationary around it (its median within STABLE_SCALES of its own slow average), the median holds
 * an incident: it learns none of its points, so a drop of a series without a daily pattern stays
 * anomalous while it lasts instead of becoming the median within half a window.
 */
import { z } from 'zod';
import {
  towardZero,
  stateOfType,
  type Component,
  type Deviation,
  type LearnMode,
  type TaggedState,
} from '../component.js';
import { EwStats, SortedWindow, alphaForHalfLife } from '../../stats/windows.js';
import { EwStatsState, SortedWindowState, expectSame } from '../../snapshots/codec.js';
import { MAD_TO_SIGMA, Magnitude, MagnitudeState, cappedZ } from '../scale.js';

export const RollingMedianState = z.object({
  type: z.literal('rolling_median'),
  window: z.number().int(),
  win: SortedWindowState,
  mag: MagnitudeState,
  /** The median's slow average (absent before 2026-12: started afresh). */
  slow: EwStatsState.optional(),
});
export type RollingMedianState = z.infer<typeof RollingMedianState>;

/**
 * How far (in scales) the median may sit from its slow average for the series to count as stationary,
 * and that average's half-life and warm-up in points. A daily ramp the median chases puts it tens of
 * scales from its average; the median of a stationary series stays within ~0.2. Measured: 1 against 2
 * on NAB (standard 71.98 / 71.12, half A 70.82 both, B 74.72 / 72.91), and against no hold at all
 * (71.87: A 70.00, B 75.58); docs/detection-quality.md.
 */
const STABLE_SCALES = 1;
const STABLE_HALF_LIFE = 300;

export class RollingMedianComponent implements Component<RollingMedianState> {
  readonly feature = 'level_vs_rolling_median';
  readonly kindUp = 'spike' as const;
  readonly kindDown = 'dip' as const;
  readonly providesBand = true;
  readonly affine = true;
  private readonly win: SortedWindow;
  private readonly mag = new Magnitude();
  private readonly slow = new EwStats(alphaForHalfLife(STABLE_HALF_LIFE));
  /** The median and scale of the last step (what `holds` judges). */
  private median = NaN;
  private scale = NaN;
  constructor(
    readonly window: number,
    private readonly minPoints = 10,
    /** Learn nothing inside incidents: the band of a detector whose own evidence says when to flag. */
    private readonly holdInIncidents = false,
  ) {
    this.win = new SortedWindow(window);
  }
  step(x: number, out: Deviation): void {
    if (this.win.count >= this.minPoints) {
      out.expected = this.win.median();
      out.scale = this.mag.floor(MAD_TO_SIGMA * this.win.mad());
      out.z = Number.isNaN(x) ? NaN : cappedZ(x - out.expected, out.scale);
    } else {
      out.z = out.expected = out.scale = NaN;
    }
    this.median = out.expected;
    this.scale = out.scale;
    out.stationary = this.flat;
  }
  /** Whether the series is stationary around the median (see STABLE_SCALES): it can hold an incident. */
  get holds(): boolean {
    return (
      this.slow.n >= STABLE_HALF_LIFE && Math.abs(this.median - this.slow.mean) <= STABLE_SCALES * this.scale
    );
  }
  /**
   * Whether the series is flat around the median: it holds, and the median has also stayed within
   * STABLE_SCALES of its slow average over that average's memory (its exponentially weighted standard
   * deviation), so the median is the series' level (Deviation.stationary: the residual level-shift test
   * reads it). `holds` alone is true for a while at the crest of a slow daily wave whose period is not
   * known yet; there the residual test read the descent as a shift, and the incident it opened froze the
   * median for the rest of the day (a 1,440-point sine: 783 points flagged; with this condition 0, as
   * before the test read medians; NAB 71.57 → 72.64, A 70.74 → 72.23, B 73.84 → 74.44; every scenario row
   * identical on three seed sets). The hold itself with the same condition: 72.50, B 74.14.
   */
  private get flat(): boolean {
    return this.holds && this.slow.std <= STABLE_SCALES * this.scale;
  }
  /**
   * A rolling median learns every point (unless `holdInIncidents`): it is the fallback that follows a
   * series whose pattern is not modelled yet (before a period is known), and freezing it inside an
   * "incident" would lock in false alarms. The exception is a drop toward zero inside an incident: an
   * outage's zeros would otherwise become its expected level, and the recovery would read as a new
   * incident (NAB: half A 62.72 → 63.26 standard, half B unchanged; drop_to_zero's false episodes
   * after the recovery gone).
   */
  learn(x: number, mode: LearnMode, reference = NaN): void {
    if (Number.isNaN(x)) return;
    const outage = mode === 'incident' && this.win.count > 0 && towardZero(x, this.win.median());
    const held = mode === 'incident' && (this.holdInIncidents || this.holds);
    // Given a seasonal profile's expected value (Component.learn), it learns that instead of holding.
    if (mode === 'incident' && !Number.isNaN(reference)) this.win.push(reference);
    else if (!held && !outage) this.win.push(x);
    if (mode === 'normal' && !Number.isNaN(this.median)) this.slow.push(this.median);
    this.mag.push(x);
  }
  snapshot(): RollingMedianState {
    return {
      type: 'rolling_median',
      window: this.window,
      win: this.win.snapshot(),
      mag: this.mag.snapshot(),
      slow: this.slow.snapshot(),
    };
  }
  restore(state: TaggedState, path = 'component'): void {
    const s = stateOfType<RollingMedianState>(state, 'rolling_median', path);
    expectSame(`${path}.window`, s.window, this.window);
    this.win.restore(s.win, `${path}.win`);
    this.mag.restore(s.mag);
    if (s.slow) this.slow.restore(s.slow);
  }
}
