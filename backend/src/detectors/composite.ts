/** A detector made of components: the shape shared by robust, seasonal, kmeans and auto. */
import type {
  Component,
  Deviation,
  Detector,
  DetectorOptions,
  DetectorStep,
  ComponentCalibration,
  LearnMode,
} from './detector.js';
import { emptyDeviation } from './detector.js';
import { StateError, expectSame } from '../snapshots/codec.js';
import {
  DETECTOR_STATE_VERSION,
  stateOfType,
  type ComponentState,
  type DetectorState,
  type FallbackState,
  type LeafComponentState,
} from './state.js';

/** Uses `primary` where it has an opinion, else `fallback` (e.g. seasonal before a period is known). */
export class FallbackComponent implements Component {
  readonly providesBand: boolean;
  readonly affine: boolean;
  private readonly tmp = emptyDeviation();
  private usingPrimary = false;
  constructor(
    private readonly primary: Component,
    private readonly fallback: Component,
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
  get kindDown() {
    return this.usingPrimary ? this.primary.kindDown : this.fallback.kindDown;
  }
  step(x: number, out: Deviation): void {
    this.primary.step(x, out);
    this.fallback.step(x, this.tmp);
    this.usingPrimary = !Number.isNaN(out.expected) || !Number.isNaN(out.z);
    if (!this.usingPrimary) {
      out.pattern = NaN;
      out.z = this.tmp.z;
      out.expected = this.tmp.expected;
      out.scale = this.tmp.scale;
    }
  }
  learn(x: number, mode: LearnMode): void {
    this.primary.learn(x, mode);
    this.fallback.learn(x, mode);
  }
  snapshot(): FallbackState {
    return {
      type: 'fallback',
      usingPrimary: this.usingPrimary,
      primary: leaf(this.primary.snapshot(), 'primary'),
      fallback: leaf(this.fallback.snapshot(), 'fallback'),
    };
  }
  restore(state: ComponentState, path = 'component'): void {
    const s = stateOfType(state, 'fallback', path);
    this.primary.restore(s.primary, `${path}.primary`);
    this.fallback.restore(s.fallback, `${path}.fallback`);
    this.usingPrimary = s.usingPrimary;
  }
}

export class CompositeDetector implements Detector {
  private readonly devs: Deviation[];
  private readonly bandDev: Deviation | null;
  private seen = 0;
  /**
   * @param band a component stepped only to draw the normal band, for detectors whose scored
   *   components measure something other than the level (e.g. k-means shape distance).
   */
  constructor(
    readonly name: string,
    readonly components: readonly Component[],
    readonly warmup: number,
    private readonly periodOf: () => number | null = () => null,
    private readonly band: Component | null = null,
    /** The options it was created with, recorded in snapshots. */
    readonly options: DetectorOptions = {},
    readonly calibration: readonly ComponentCalibration[] = [],
  ) {
    this.devs = components.map(() => emptyDeviation());
    this.bandDev = band ? emptyDeviation() : null;
  }
  period(): number | null {
    return this.periodOf();
  }
  update(x: number): DetectorStep {
    for (let i = 0; i < this.components.length; i++) {
      const c = this.components[i];
      c.step(x, this.devs[i], c.readsPrimary ? this.devs[0] : undefined);
    }
    if (this.band && this.bandDev) this.band.step(x, this.bandDev);
    this.seen++;
    return { deviations: this.devs, band: this.bandDev };
  }
  learn(x: number, mode: LearnMode, imputed = NaN): void {
    // The primary learns x (its own bounded incident learning); the others learn the imputed value.
    const stand = !Number.isNaN(imputed) && !Number.isNaN(x);
    for (let i = 0; i < this.components.length; i++) {
      this.components[i].learn(i > 0 && stand ? imputed : x, mode);
    }
    this.band?.learn(x, mode);
  }
  snapshot(): DetectorState {
    return {
      detector: this.name as DetectorState['detector'],
      version: DETECTOR_STATE_VERSION,
      period: this.options.period ?? null,
      seen: this.seen,
      components: this.components.map((c) => c.snapshot()),
      band: this.band ? leaf(this.band.snapshot(), 'band') : null,
    };
  }
  restore(s: DetectorState): void {
    expectSame('detector.detector', s.detector, this.name);
    expectSame('detector.version', s.version, DETECTOR_STATE_VERSION);
    expectSame('detector.period', s.period, this.options.period ?? null);
    const n = this.components.length;
    if (s.components.length !== n) {
      throw new StateError(
        'detector.components',
        `has ${s.components.length} components, detector "${this.name}" has ${n}`,
      );
    }
    if ((s.band === null) !== (this.band === null)) {
      throw new StateError(
        'detector.band',
        this.band ? 'is missing' : `is set, detector "${this.name}" has no band component`,
      );
    }
    for (let i = 0; i < n; i++) this.components[i].restore(s.components[i], `detector.components[${i}]`);
    if (this.band && s.band) this.band.restore(s.band, 'detector.band');
    this.seen = s.seen;
  }
}

/** Nested components (fallback parts, the band) are leaves in the format. */
function leaf(s: ComponentState, role: string): LeafComponentState {
  if (s.type === 'fallback') throw new StateError(role, 'a fallback component cannot be nested');
  return s;
}
