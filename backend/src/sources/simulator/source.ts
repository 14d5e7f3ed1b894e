/**
 * The simulator behind the Source interface: points on the request's step grid (multiples of `step`),
 * for every simulated series matching the request's matchers.
 */
import { matches, throwIfAborted, type FetchRequest, type Source, type SourceSeries } from '../source.js';
import { TrafficSimulator, type SimulatorOptions } from './simulator.js';

/** Points computed between checks of the abort signal. */
const ABORT_CHECK_EVERY = 5000;

export class SimulatorSource implements Source {
  readonly kind = 'simulator';
  readonly simulator: TrafficSimulator;

  constructor(options: SimulatorOptions | TrafficSimulator = {}) {
    this.simulator = options instanceof TrafficSimulator ? options : new TrafficSimulator(options);
  }

  async fetch(request: FetchRequest): Promise<SourceSeries[]> {
    throwIfAborted(request.signal);
    const { start, end, step } = request;
    if (!(step > 0)) throw new Error(`simulator fetch needs a positive step, got ${step}`);
    const first = Math.ceil(start / step) * step;
    const out: SourceSeries[] = [];
    let computed = 0;
    for (const s of this.simulator.series()) {
      if (!matches(s.labels, request.matchers)) continue;
      const timestamps: number[] = [];
      const values: number[] = [];
      for (let t = first; t <= end; t += step) {
        timestamps.push(t);
        values.push(this.simulator.valueAt(s.key, t));
        if (++computed % ABORT_CHECK_EVERY === 0) throwIfAborted(request.signal);
      }
      if (timestamps.length > 0) out.push({ labels: s.labels, timestamps, values, unit: s.unit });
    }
    return out;
  }
}
