/**
 * Uses `primary` where it has an opinion, else `fallback` (e.g. seasonal before a period is known). Its
 * parts are leaves, components other than a fallback, as is a detector's band: the format nests no deeper.
 */
import { z } from 'zod';
import {
  emptyDeviation,
  holdsIncidents,
  stateOfType,
  type Component,
  type Deviation,
  type LearnMode,
  type TaggedState,
} from '../component.js';
import { KMeansState } from '../kmeans.js';
import { SeasonalState } from '../seasonal/state.js';
import { EwmaState } from './ewma.js';
import { LevelShiftState } from './levelShift.js';
import { RateOfChangeState } from './rateOfChange.js';
import { ResidualShiftState } from './residualShift.js';
import { CusumState } from './cusum.js';
import { SpreadState } from './spread.js';
import { RollingMedianState } from './rollingMedian.js';

/** The snapshot of every component but a fallback, in the order an unknown type's error lists them. */
export const LEAF_STATES = [
  RollingMedianState,
  EwmaState,
  RateOfChangeState,
  LevelShiftState,
  ResidualShiftState,
  CusumState,
  SpreadState,
  SeasonalState,
  KMeansState,
] as const;

/** The error of a union of component snapshots on a type it does not know: the types this build has. */
export function unknownComponentType(types: readonly string[]) {
  return (issue: { code: string }) =>
    issue.code === 'invalid_union'
      ? `unknown component type, expected one of ${types.join(', ')}`
      : undefined;
}

export const LeafComponentState = z.discriminatedUnion('type', LEAF_STATES, {
  error: unknownComponentType(LEAF_STATES.map((s) => s.shape.type.value)),
});
export type LeafComponentState = z.infer<typeof LeafComponentState>;

export const FallbackState = z.object({
  type: z.literal('fallback'),
  usingPrimary: z.boolean(),
  primary: LeafComponentState,
  fallback: LeafComponentState,
});
export type FallbackState = z.infer<typeof FallbackState>;

export class FallbackComponent implements Component<FallbackState> {
  readonly providesBand: boolean;
  readonly affine: boolean;
  private readonly tmp = emptyDeviation();
  private usingPrimary = false;
  constructor(
    private readonly primary: Component<LeafComponentState>,
    private readonly fallback: Component<LeafComponentState>,
  ) {
    this.providesBand = primary.providesBand && fallback.providesBand;
    this.affine = primary.affine && fallback.affine;
  }
  get feature(): string {
    return this.usingPrimary ? this.primary.feature : this.fallback.feature;
  }
  get kindUp() {
    return this.usingPrimary ? this.primary.kindUp : this.fallback.kindUp;
  }
  get anticipates(): boolean {
    return this.usingPrimary ? this.primary.anticipates === true : this.fallback.anticipates === true;
  }
  get noiseLag(): number {
    return this.usingPrimary ? (this.primary.noiseLag ?? 1) : 1;
  }
  get holds(): boolean {
    return holdsIncidents(this.usingPrimary ? this.primary : this.fallback);
  }
  get kindDown() {
    return this.usingPrimary ? this.primary.kindDown : this.fallback.kindDown;
  }
  step(x: number, out: Deviation): void {
    this.primary.step(x, out);
    this.fallback.step(x, this.tmp);
    this.usingPrimary = !Number.isNaN(out.expected) || !Number.isNaN(out.z);
    out.stationary = !this.usingPrimary && this.tmp.stationary === true;
    if (!this.usingPrimary) {
      out.pattern = NaN;
      out.z = this.tmp.z;
      out.expected = this.tmp.expected;
      out.scale = this.tmp.scale;
    }
  }
  acceptLevel(points: number): void {
    this.primary.acceptLevel?.(points);
  }
  moveClock(ms: number): void {
    this.primary.moveClock?.(ms);
  }
  /** Where the seasonal profile scored the point (the offset is its). */
  restoreOffset(offset: number): void {
    if (this.usingPrimary) this.primary.restoreOffset?.(offset);
  }
  learn(x: number, mode: LearnMode): void {
    this.primary.learn(x, mode);
    this.fallback.learn(x, mode);
  }
  snapshot(): FallbackState {
    return {
      type: 'fallback',
      usingPrimary: this.usingPrimary,
      primary: this.primary.snapshot(),
      fallback: this.fallback.snapshot(),
    };
  }
  restore(state: TaggedState, path = 'component'): void {
    const s = stateOfType<FallbackState>(state, 'fallback', path);
    this.primary.restore(s.primary, `${path}.primary`);
    this.fallback.restore(s.fallback, `${path}.fallback`);
    this.usingPrimary = s.usingPrimary;
  }
}
