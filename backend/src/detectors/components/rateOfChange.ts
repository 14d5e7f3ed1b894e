/** Step-to-step change against the rolling distribution of changes (rate of change). */
import { z } from 'zod';
import {
  stateOfType,
  type Component,
  type Deviation,
  type LearnMode,
  type TaggedState,
} from '../component.js';
import { SortedWindow } from '../../stats/windows.js';
import { Num, SortedWindowState, dec, enc, expectSame } from '../../snapshots/codec.js';
import { MAD_TO_SIGMA, Magnitude, MagnitudeState, cappedZ } from '../scale.js';

export const RateOfChangeState = z.object({
  type: z.literal('rate_of_change'),
  window: z.number().int(),
  prev: Num,
  win: SortedWindowState,
  mag: MagnitudeState,
});
export type RateOfChangeState = z.infer<typeof RateOfChangeState>;

export class RateOfChangeComponent implements Component<RateOfChangeState> {
  readonly feature = 'rate_of_change';
  readonly kindUp = 'rate_of_change' as const;
  readonly kindDown = 'rate_of_change' as const;
  readonly providesBand = false;
  readonly affine = true;
  private readonly win: SortedWindow;
  private prev = NaN;
  private readonly mag = new Magnitude();
  constructor(
    readonly window: number,
    private readonly minPoints = 10,
  ) {
    this.win = new SortedWindow(window);
  }
  step(x: number, out: Deviation): void {
    const d = x - this.prev;
    if (this.win.count >= this.minPoints && !Number.isNaN(d)) {
      const med = this.win.median();
      out.expected = NaN;
      out.scale = this.mag.floor(MAD_TO_SIGMA * this.win.mad());
      out.z = cappedZ(d - med, out.scale);
    } else {
      out.z = out.expected = out.scale = NaN;
    }
  }
  learn(x: number, mode: LearnMode): void {
    const d = x - this.prev;
    // The changes of an incident are not the series' normal changes; the previous value always moves on.
    if (!Number.isNaN(d) && mode === 'normal') this.win.push(d);
    if (!Number.isNaN(x)) {
      this.mag.push(x);
      this.prev = x;
    }
  }
  snapshot(): RateOfChangeState {
    return {
      type: 'rate_of_change',
      window: this.window,
      prev: enc(this.prev),
      win: this.win.snapshot(),
      mag: this.mag.snapshot(),
    };
  }
  restore(state: TaggedState, path = 'component'): void {
    const s = stateOfType<RateOfChangeState>(state, 'rate_of_change', path);
    expectSame(`${path}.window`, s.window, this.window);
    this.prev = dec(s.prev);
    this.win.restore(s.win, `${path}.win`);
    this.mag.restore(s.mag);
  }
}
