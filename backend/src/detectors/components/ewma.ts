/**
 * Value against an exponentially weighted mean, scaled by the EW deviation of residuals. Updates are
 * winsorized at `clip` deviations so an incident does not drag the baseline along ("incidents must not
 * become the new normal").
 */
import { z } from 'zod';
import {
  stateOfType,
  type Component,
  type Deviation,
  type LearnMode,
  type TaggedState,
} from '../component.js';
import { alphaForHalfLife } from '../../stats/windows.js';
import { Count, Num, dec, enc, expectSame } from '../../snapshots/codec.js';
import { Magnitude, MagnitudeState, cappedZ } from '../scale.js';

export const EwmaState = z.object({
  type: z.literal('ewma'),
  halfLife: z.number(),
  mean: Num,
  variance: Num,
  n: Count,
  mag: MagnitudeState,
});
export type EwmaState = z.infer<typeof EwmaState>;

export class EwmaComponent implements Component<EwmaState> {
  readonly feature = 'level_vs_ewma';
  readonly kindUp = 'spike' as const;
  readonly kindDown = 'dip' as const;
  readonly providesBand = true;
  readonly affine = true;
  private mean = NaN;
  private variance = NaN;
  private n = 0;
  private readonly alpha: number;
  private readonly mag = new Magnitude();
  constructor(
    readonly halfLife: number,
    private readonly clip = 4,
    private readonly minPoints = 10,
  ) {
    this.alpha = alphaForHalfLife(halfLife);
  }
  step(x: number, out: Deviation): void {
    const sd = Math.sqrt(this.variance);
    if (this.n >= this.minPoints) {
      out.expected = this.mean;
      out.scale = this.mag.floor(sd);
      out.z = Number.isNaN(x) ? NaN : cappedZ(x - this.mean, out.scale);
    } else {
      out.z = out.expected = out.scale = NaN;
    }
  }
  learn(x: number, mode: LearnMode): void {
    if (Number.isNaN(x)) return;
    const sd = Math.sqrt(this.variance);
    this.mag.push(x);
    this.n++;
    if (Number.isNaN(this.mean)) {
      this.mean = x;
      this.variance = 0;
      return;
    }
    const limit = this.clip * this.mag.floor(sd);
    const r = Math.max(-limit, Math.min(limit, x - this.mean));
    // During warm-up the variance is still tiny, so do not clip yet.
    const resid = this.n < this.minPoints ? x - this.mean : r;
    this.mean += this.alpha * resid;
    // Inside an incident the level follows (winsorized), the spread does not learn.
    if (mode === 'normal') this.variance = (1 - this.alpha) * (this.variance + this.alpha * resid * resid);
  }
  snapshot(): EwmaState {
    return {
      type: 'ewma',
      halfLife: this.halfLife,
      mean: enc(this.mean),
      variance: enc(this.variance),
      n: this.n,
      mag: this.mag.snapshot(),
    };
  }
  restore(state: TaggedState, path = 'component'): void {
    const s = stateOfType<EwmaState>(state, 'ewma', path);
    expectSame(`${path}.halfLife`, s.halfLife, this.halfLife);
    this.mean = dec(s.mean);
    this.variance = dec(s.variance);
    this.n = s.n;
    this.mag.restore(s.mag);
  }
}
