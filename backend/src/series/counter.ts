/**
 * Counter → per-second rate, one sample at a time, shared by batch cleaning and live streams so both
 * paths treat counters identically.
 *
 * A decrease is a reset. The count accumulated before the reset is lost, so the rate of the interval
 * across it is unknown: it is reported as missing (NaN). PromQL's rate() takes the new value as the
 * increase instead, which understates that interval and would look like a dip to a detector.
 */
import { z } from 'zod';
import { Count, Num, dec, enc } from '../snapshots/codec.js';

/** Snapshot of a CounterRate (numbers encoded as in snapshots/codec.ts). */
export const CounterRateState = z.object({ prevT: Num, prevV: Num, resets: Count });
export type CounterRateState = z.infer<typeof CounterRateState>;

export class CounterRate {
  private prevT = NaN;
  private prevV = NaN;
  resets = 0;

  /** Rate for this sample; NaN for the first sample, a reset, a missing value or a non-increasing time. */
  push(timestamp: number, value: number): number {
    if (Number.isNaN(value)) return NaN;
    const prevT = this.prevT;
    const prevV = this.prevV;
    this.prevT = timestamp;
    this.prevV = value;
    if (Number.isNaN(prevV)) return NaN;
    const dt = (timestamp - prevT) / 1000;
    if (!(dt > 0)) return NaN;
    if (value < prevV) {
      this.resets++;
      return NaN;
    }
    return (value - prevV) / dt;
  }

  snapshot(): CounterRateState {
    return { prevT: enc(this.prevT), prevV: enc(this.prevV), resets: this.resets };
  }

  restore(s: CounterRateState): void {
    this.prevT = dec(s.prevT);
    this.prevV = dec(s.prevV);
    this.resets = s.resets;
  }
}
