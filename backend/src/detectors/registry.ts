/**
 * The detector catalogue: names, descriptions and factories. One parameter set for every series
 * (chosen on the whole NAB corpus, never per file); see README "Detection quality".
 */
import type { DetectorName } from '../contract/score.js';
import type { Detector } from './detector.js';
import { CompositeDetector, FallbackComponent } from './composite.js';
import {
  EwmaComponent,
  LevelShiftComponent,
  RateOfChangeComponent,
  RollingMedianComponent,
  VarianceChangeComponent,
} from './components.js';
import { SeasonalComponent } from './seasonal.js';
import { KMeansComponent } from './kmeans.js';

export interface DetectorOptions {
  /** Fixed period in points, null to detect, or 'none' to disable seasonality. */
  period?: number | null | 'none';
}

export interface DetectorDefinition {
  name: DetectorName;
  description: string;
  create(options: DetectorOptions): Detector;
}

const LEVEL_WINDOW = 100;
const CHANGE_WINDOW = 200;
const EWMA_HALF_LIFE = 20;
const WARMUP = 30;

function seasonal(options: DetectorOptions): SeasonalComponent | null {
  if (options.period === 'none') return null;
  return new SeasonalComponent({ period: typeof options.period === 'number' ? options.period : null });
}

export const DETECTORS: Record<DetectorName, DetectorDefinition> = {
  robust: {
    name: 'robust',
    description:
      'Rolling median/MAD of the level, an EWMA with winsorized updates, and the rate of change. Fast, no seasonality.',
    create: () =>
      new CompositeDetector(
        'robust',
        [
          new RollingMedianComponent(LEVEL_WINDOW),
          new EwmaComponent(EWMA_HALF_LIFE),
          new RateOfChangeComponent(CHANGE_WINDOW),
        ],
        WARMUP,
      ),
  },
  seasonal: {
    name: 'seasonal',
    description:
      'Seasonal profile (median of the same phase over the last 3 cycles, period detected automatically); rolling median until a period is known.',
    create: (options) => {
      const s = seasonal(options);
      const level = new RollingMedianComponent(LEVEL_WINDOW);
      return new CompositeDetector(
        'seasonal',
        [s ? new FallbackComponent(s, level) : level],
        WARMUP,
        () => s?.period() ?? null,
      );
    },
  },
  kmeans: {
    name: 'kmeans',
    description:
      'k-means (k=2) distance of window shape vectors (smoothed, differenced, lagged), refit every 250 points.',
    create: () =>
      new CompositeDetector('kmeans', [new KMeansComponent()], WARMUP, () => null, new RollingMedianComponent(LEVEL_WINDOW)),
  },
  auto: {
    name: 'auto',
    description:
      'Default ensemble: seasonal profile, rolling median/MAD, rate of change, level shift and variance change, each calibrated; the strongest deviation drives the score.',
    create: (options) => {
      const s = seasonal(options);
      const level = new RollingMedianComponent(LEVEL_WINDOW);
      return new CompositeDetector(
        'auto',
        [
          s ? new FallbackComponent(s, level) : level,
          new RateOfChangeComponent(CHANGE_WINDOW),
          new LevelShiftComponent(5, LEVEL_WINDOW),
          new VarianceChangeComponent(10, 400),
        ],
        WARMUP,
        () => s?.period() ?? null,
      );
    },
  },
};

export function createDetector(name: DetectorName, options: DetectorOptions = {}): Detector {
  const def = DETECTORS[name];
  if (!def) throw new RangeError(`unknown detector "${name}"`);
  return def.create(options);
}
