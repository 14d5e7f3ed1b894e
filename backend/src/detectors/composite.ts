/** A detector made of components: the shape shared by robust, seasonal, kmeans and auto. */
import type {
  Component,
  ComponentState,
  Deviation,
  Detector,
  DetectorState,
  DetectorStep,
} from './detector.js';
import { emptyDeviation } from './detector.js';

/** Uses `primary` where it has an opinion, else `fallback` (e.g. seasonal before a period is known). */
export class FallbackComponent implements Component {
  readonly providesBand: boolean;
  private readonly tmp = emptyDeviation();
  private usingPrimary = false;
  constructor(
    private readonly primary: Component,
    private readonly fallback: Component,
  ) {
    this.providesBand = primary.providesBand && fallback.providesBand;
  }
  get feature(): string {
    return this.usingPrimary ? this.primary.feature : this.fallback.feature;
  }
  get kindUp() {
    return this.usingPrimary ? this.primary.kindUp : this.fallback.kindUp;
  }
  get kindDown() {
    return this.usingPrimary ? this.primary.kindDown : this.fallback.kindDown;
  }
  step(x: number, out: Deviation): void {
    this.primary.step(x, out);
    this.fallback.step(x, this.tmp);
    this.usingPrimary = !Number.isNaN(out.expected) || !Number.isNaN(out.z);
    if (!this.usingPrimary) {
      out.z = this.tmp.z;
      out.expected = this.tmp.expected;
      out.scale = this.tmp.scale;
    }
  }
  snapshot(): ComponentState {
    return { type: 'fallback', primary: this.primary.snapshot(), fallback: this.fallback.snapshot() };
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
  ) {
    this.devs = components.map(() => emptyDeviation());
    this.bandDev = band ? emptyDeviation() : null;
  }
  period(): number | null {
    return this.periodOf();
  }
  update(x: number): DetectorStep {
    for (let i = 0; i < this.components.length; i++) this.components[i].step(x, this.devs[i]);
    if (this.band && this.bandDev) this.band.step(x, this.bandDev);
    this.seen++;
    return { deviations: this.devs, band: this.bandDev };
  }
  snapshot(): DetectorState {
    return {
      detector: this.name,
      version: 1,
      seen: this.seen,
      components: this.components.map((c) => c.snapshot()),
      band: this.band?.snapshot() ?? null,
    };
  }
}
