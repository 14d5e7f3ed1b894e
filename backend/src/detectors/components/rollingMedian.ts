/** Value against the rolling median of the previous `window` points, scaled by their MAD. */
import { z } from 'zod';
import {
  towardZero,
  stateOfType,
  type Component,
  type Deviation,
  type LearnMode,
  type TaggedState,
} from '../component.js';
import { SortedWindow } from '../../stats/windows.js';
import { SortedWindowState, expectSame } from '../../snapshots/codec.js';
import { MAD_TO_SIGMA, Magnitude, MagnitudeState, cappedZ } from '../scale.js';

export const RollingMedianState = z.object({
  type: z.literal('rolling_median'),
  window: z.number().int(),
  win: SortedWindowState,
  mag: MagnitudeState,
});
export type RollingMedianState = z.infer<typeof RollingMedianState>;

export class RollingMedianComponent implements Component<RollingMedianState> {
  readonly feature = 'level_vs_rolling_median';
  readonly kindUp = 'spike' as const;
  readonly kindDown = 'dip' as const;
  readonly providesBand = true;
  readonly affine = true;
  private readonly win: SortedWindow;
  private readonly mag = new Magnitude();
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
  }
  /**
   * A rolling median learns every point (unless `holdInIncidents`): it is the fallback that follows a
   * series whose pattern is not modelled yet (before a period is known), and freezing it inside an
   * "incident" would lock in false alarms. The exception is a drop toward zero inside an incident: an
   * outage's zeros would otherwise become its expected level, and the recovery would read as a new
   * incident (NAB: half A 62.72 → 63.26 standard, half B unchanged; drop_to_zero's false episodes
   * after the recovery gone).
   */
  learn(x: number, mode: LearnMode): void {
    if (Number.isNaN(x)) return;
    const outage = mode === 'incident' && this.win.count > 0 && towardZero(x, this.win.median());
    if ((mode === 'normal' || !this.holdInIncidents) && !outage) this.win.push(x);
    this.mag.push(x);
  }
  snapshot(): RollingMedianState {
    return {
      type: 'rolling_median',
      window: this.window,
      win: this.win.snapshot(),
      mag: this.mag.snapshot(),
    };
  }
  restore(state: TaggedState, path = 'component'): void {
    const s = stateOfType<RollingMedianState>(state, 'rolling_median', path);
    expectSame(`${path}.window`, s.window, this.window);
    this.win.restore(s.win, `${path}.win`);
    this.mag.restore(s.mag);
  }
}
