/**
 * The detector catalogue: names, descriptions and factories. One parameter set for every series
 * (chosen on the whole NAB corpus, never per file); see docs/detection-quality.md.
 */
import type { DetectorName } from '../contract/score.js';
import type { ComponentCalibration, Detector, DetectorOptions } from './detector.js';
import { CompositeDetector } from './composite.js';
import { EwmaComponent } from './components/ewma.js';
import { FallbackComponent } from './components/fallback.js';
import { LevelShiftComponent } from './components/levelShift.js';
import { RateOfChangeComponent } from './components/rateOfChange.js';
import { ResidualShiftComponent } from './components/residualShift.js';
import { CusumComponent } from './components/cusum.js';
import { SpreadComponent } from './components/spread.js';
import { RollingMedianComponent } from './components/rollingMedian.js';
import { SeasonalComponent } from './seasonal/component.js';
import { KMeansComponent } from './kmeans.js';
import { NeuralDetectorImpl, NeuralEnsemble } from './neural.js';
import type { NeuralModel } from '../neural/artifacts.js';
import type { NeuralDetector } from '../contract/models.js';
import { DETECTOR_STATE_VERSION, DetectorState } from './snapshot.js';
import { checkVersion, parseState } from '../snapshots/codec.js';

export type { DetectorOptions } from './detector.js';

export interface DetectorDefinition {
  name: DetectorName;
  description: string;
  create(options: DetectorOptions): Detector;
}

const LEVEL_WINDOW = 100;
const CHANGE_WINDOW = 200;
const EWMA_HALF_LIFE = 5;
const WARMUP = 100;

function seasonal(options: DetectorOptions): SeasonalComponent | null {
  if (options.period === 'none') return null;
  return new SeasonalComponent({
    period: typeof options.period === 'number' ? options.period : null,
    stepMs: options.stepMs && options.stepMs > 0 ? options.stepMs : null,
    checkOffset: options.scheduleOffset ?? 0,
  });
}

export const DETECTORS: Record<DetectorName, DetectorDefinition> = {
  robust: {
    name: 'robust',
    description:
      'Rolling median/MAD of the level, a fast EWMA with winsorized updates, the rate of change and a level-shift test. No seasonality.',
    create: (options) =>
      new CompositeDetector(
        'robust',
        [
          new RollingMedianComponent(LEVEL_WINDOW),
          new EwmaComponent(EWMA_HALF_LIFE),
          new RateOfChangeComponent(CHANGE_WINDOW),
          new LevelShiftComponent(10, 300),
        ],
        WARMUP,
        () => null,
        null,
        options,
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
        null,
        options,
      );
    },
  },
  kmeans: {
    name: 'kmeans',
    description:
      'k-means (k=2) distance of window shape vectors (smoothed, differenced, lagged), refit every 250 points.',
    create: (options) =>
      new CompositeDetector(
        'kmeans',
        [new KMeansComponent()],
        WARMUP,
        () => null,
        new RollingMedianComponent(LEVEL_WINDOW),
        options,
      ),
  },
  auto: {
    name: 'auto',
    description:
      'Default ensemble: seasonal profile (daily and weekly), rolling medians over 100 and 300 points, a fast EWMA, rate of change, level shifts over 10 and 30 points, level shifts of the last 20 points against the seasonal profile’s level (now and an hour back), a CUSUM of the profile’s residuals and one of their spread (a burst of noise), each calibrated; the strongest deviation drives the score. With a trained lstm or autoencoder model (`model`), its components join.',
    create: (options) =>
      options.model ? withModel(autoDetector(options), options.model) : autoDetector(options),
  },
  autoencoder: {
    name: 'autoencoder',
    description:
      'Dense autoencoder on normalized sliding windows with the seasonal phase as context; deviation = reconstruction residual and window error against their training distribution. Needs a trained model (POST /api/v1/models); without one a statistical detector scores.',
    create: (options) => neural('autoencoder', options),
  },
  lstm: {
    name: 'lstm',
    description:
      'LSTM forecaster of the next point from a window; deviation = forecast residual against its training distribution, the forecast is `expected`. Needs a trained model.',
    create: (options) => neural('lstm', options),
  },
  classifier: {
    name: 'classifier',
    description:
      'Supervised classifier (dense layers with dropout, sigmoid output) on window features, trained from labelled anomalous ranges with both classes present. Needs a trained model.',
    create: (options) => neural('classifier', options),
  },
};

/**
 * Per-component calibration of `auto`. Chosen on NAB with a split-half check (both halves of the corpus
 * improve): the fast single-point components caused most false positives, the 300-point median's range
 * benefits from a longer memory. The residual level-shift test's weight 0.85 against 1: NAB half B
 * identical, A 67.90 → 67.99; fewer false episodes a day (README seeds: weekly_weekend 0.28 → 0.24,
 * scrape_gaps 0.13 → 0.10, drop_40pct 0.22 → 0.19), for a 4σ shift covered 0.456 instead of 0.479 and a
 * slow ramp 0.001 instead of 0.150. One frozen table for every `auto` detector, not a copy each (issue
 * 15: state per stream).
 */
const AUTO_CALIBRATION: readonly ComponentCalibration[] = Object.freeze(
  [
    {},
    { weight: 0.85 },
    {},
    {},
    { halfLife: 4000 },
    { weight: 0.85 },
    { weight: 0.85 },
    { weight: 0.85 },
    {},
    {},
  ].map((c) => Object.freeze(c)),
);

/**
 * How far back the second residual level-shift test reads the profile's offset (components/residualShift.ts):
 * an hour at a 1-minute step. Chosen on the scenario suite (docs/detection-quality.md): 40 and 60 gave
 * the same NAB, 90 and 120 a lower one, 120 and 240 more false episodes (weekly_weekend 0.09 and 0.10 a
 * day on seeds 1–8, scrape_gaps 0.52 at 240); the 8th component's weight is its sibling's (0.85).
 */
const SLOW_SHIFT_BACK = 60;

/** The statistical `auto` ensemble (the default detector). */
function autoDetector(options: DetectorOptions): Detector {
  const s = seasonal(options);
  const level = new RollingMedianComponent(LEVEL_WINDOW);
  const residual = new ResidualShiftComponent(20, () => s?.period() ?? null);
  const cusum = new CusumComponent(() => s?.basePeriod() ?? null);
  return new CompositeDetector(
    'auto',
    [
      s ? new FallbackComponent(s, level) : level,
      new RateOfChangeComponent(CHANGE_WINDOW),
      new LevelShiftComponent(10, 300),
      new LevelShiftComponent(30, 600),
      new RollingMedianComponent(300),
      new EwmaComponent(5),
      residual,
      new ResidualShiftComponent(20, () => s?.period() ?? null, SLOW_SHIFT_BACK, residual),
      cusum,
      new SpreadComponent(cusum),
    ],
    WARMUP,
    () => s?.period() ?? null,
    null,
    options,
    AUTO_CALIBRATION,
  );
}

/** `auto` plus a trained model's components (see NeuralEnsemble). */
function withModel(base: Detector, model: NeuralModel): Detector {
  return new NeuralEnsemble('auto', base, new NeuralDetectorImpl(model.metadata.detector, model));
}

function neural(name: NeuralDetector, options: DetectorOptions): Detector {
  if (!options.model) {
    throw new RangeError(`detector "${name}" needs a trained model (train one with POST /api/v1/models)`);
  }
  return new NeuralDetectorImpl(name, options.model);
}

export function createDetector(name: DetectorName, options: DetectorOptions = {}): Detector {
  const def = DETECTORS[name];
  if (!def) throw new RangeError(`unknown detector "${name}"`);
  return def.create(options);
}

/**
 * A detector restored from a snapshot (`Detector.snapshot()`, possibly through JSON): it continues
 * exactly where the snapshotted one was. Throws a StateError naming what is wrong when `state` is not a
 * valid snapshot for this build.
 */
export function restoreDetector(state: unknown): Detector {
  checkVersion(state, 'detector.version', DETECTOR_STATE_VERSION, 'detector snapshots');
  const s = parseState(DetectorState, state, 'detector');
  const detector = createDetector(s.detector, { period: s.period });
  detector.restore(s);
  return detector;
}
