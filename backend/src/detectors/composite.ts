/** A detector made of components: the shape shared by robust, seasonal, kmeans and auto. */
import {
  MASK_BITS,
  componentMask,
  emptyDeviation,
  emptyDeviations,
  type Component,
  type Deviation,
  type LearnMode,
} from './component.js';
import type { Detector, DetectorOptions, DetectorStep, ComponentCalibration } from './detector.js';
import type { LeafComponentState } from './components/fallback.js';
import { StateError, expectSame } from '../snapshots/codec.js';
import { DETECTOR_STATE_VERSION, type ComponentState, type DetectorState } from './snapshot.js';

export class CompositeDetector implements Detector {
  private readonly devs: Deviation[];
  private readonly bandDev: Deviation | null;
  /** What update returns: the same two references every point, so one object (not one per point). */
  private readonly result: DetectorStep;
  /**
   * Bit i: component i reads the primary's deviation (Component.readsPrimary, fixed at construction).
   * Read once: at every step it was a lookup on eight component classes, most without the property
   * (~4 % of batch scoring). Components past the 30th are asked each time.
   */
  private readonly readers: number;
  private seen = 0;
  /**
   * @param band a component stepped only to draw the normal band, for detectors whose scored
   *   components measure something other than the level (e.g. k-means shape distance).
   */
  constructor(
    readonly name: string,
    readonly components: readonly Component<ComponentState>[],
    readonly warmup: number,
    private readonly periodOf: () => number | null = () => null,
    private readonly band: Component<LeafComponentState> | null = null,
    /** The options it was created with, recorded in snapshots. */
    readonly options: DetectorOptions = {},
    readonly calibration: readonly ComponentCalibration[] = [],
  ) {
    this.devs = emptyDeviations(components.length);
    this.bandDev = band ? emptyDeviation() : null;
    this.result = { deviations: this.devs, band: this.bandDev };
    this.readers = componentMask(components, (c) => c.readsPrimary === true);
  }
  period(): number | null {
    return this.periodOf();
  }
  update(x: number): DetectorStep {
    for (let i = 0; i < this.components.length; i++) {
      const c = this.components[i];
      const reads = i < MASK_BITS ? ((this.readers >> i) & 1) === 1 : c.readsPrimary;
      c.step(x, this.devs[i], reads ? this.devs[0] : undefined);
    }
    if (this.band && this.bandDev) this.band.step(x, this.bandDev);
    this.seen++;
    return this.result;
  }
  acceptLevel(points: number): void {
    this.components[0]?.acceptLevel?.(points);
  }
  moveClock(ms: number): void {
    for (const c of this.components) c.moveClock?.(ms);
    this.band?.moveClock?.(ms);
  }
  incidentOpened(): void {
    const primary = this.components[0];
    if (!primary?.restoreOffset) return;
    for (const c of this.components) {
      const offset = c.runStartOffset;
      if (offset !== undefined && Number.isFinite(offset)) {
        primary.restoreOffset(offset);
        return;
      }
    }
  }
  learn(x: number, mode: LearnMode, imputed = NaN, reference = NaN): void {
    // The primary learns x (its own bounded incident learning); the others learn the imputed value, and
    // their level estimates the reference (Component.learn).
    const stand = !Number.isNaN(imputed) && !Number.isNaN(x);
    for (let i = 0; i < this.components.length; i++) {
      this.components[i].learn(i > 0 && stand ? imputed : x, mode, i > 0 ? reference : NaN);
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
      band: this.band ? this.band.snapshot() : null,
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
