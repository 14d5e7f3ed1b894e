/**
 * The model lifecycle's contract: what a trained model records about itself (metadata.json beside its
 * weights), the training request and the model API's answers. One zod schema each, as for scoring.
 */
import { z } from 'zod';
import { SeriesInput, Sensitivity } from './score.js';

export const NEURAL_DETECTORS = ['autoencoder', 'lstm', 'classifier'] as const;
export const NeuralDetector = z.enum(NEURAL_DETECTORS);
export type NeuralDetector = z.infer<typeof NeuralDetector>;

export const MODEL_FORMAT_VERSION = 1;

/** A model id: used as a folder name, so deliberately plain. */
export const ModelId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'expected 1–64 characters: a-z, 0-9, ".", "_", "-" (not first)');

/** A labelled anomalous range, inclusive, epoch milliseconds. */
export const LabelRange = z.object({ start: z.number().finite(), end: z.number().finite() });
export type LabelRange = z.infer<typeof LabelRange>;

export const FeatureParams = z.object({
  window: z.number().int().min(2).describe('points per sliding window'),
  center: z.number().describe('normalization: value subtracted (median of the training data)'),
  scale: z.number().positive().describe('normalization: divisor (robust σ of the training data)'),
  clip: z.number().positive().describe('normalized inputs are clipped to ±clip'),
  period: z.number().int().nullable().describe('seasonal period in points found in the training data'),
  stepMs: z.number().positive().describe('step of the training series'),
  phase: z.boolean().describe('whether sin/cos of the seasonal phase are input features'),
  inputShape: z.array(z.number().int().positive()),
});
export type FeatureParams = z.infer<typeof FeatureParams>;

/** The learned error distribution that deviations are measured against (normalized units). */
export const ModelCalibration = z.object({
  median: z.number(),
  sigma: z.number().positive(),
  /** Autoencoder only: the whole-window reconstruction error's distribution. */
  windowMedian: z.number().optional(),
  windowSigma: z.number().positive().optional(),
});
export type ModelCalibration = z.infer<typeof ModelCalibration>;

export const ModelMetadata = z.object({
  format: z.literal('trafficlens-model'),
  formatVersion: z.literal(MODEL_FORMAT_VERSION),
  id: ModelId,
  version: z.number().int().min(1),
  detector: NeuralDetector,
  createdAt: z.string(),
  trafficlensVersion: z.string(),
  training: z.object({
    from: z.number().describe('first timestamp of the training data'),
    to: z.number().describe('last timestamp of the training data'),
    points: z.number().int(),
    windows: z.number().int(),
    dataHash: z.string().describe('sha256 of the training timestamps and values'),
    epochs: z.number().int(),
    labelRanges: z.number().int().describe('labelled ranges given (classifier)'),
    positives: z.number().int().describe('training windows labelled anomalous'),
    durationMs: z.number(),
  }),
  features: FeatureParams,
  calibration: ModelCalibration,
  metrics: z.object({
    loss: z.number().describe('final training loss'),
    valLoss: z.number().nullable().describe('final validation loss (last 10 % of windows), null if too few'),
  }),
  tfjs: z.object({ backend: z.string(), version: z.string() }),
  weights: z.object({ sha256: z.string(), bytes: z.number().int() }),
});
export type ModelMetadata = z.infer<typeof ModelMetadata>;

export const TrainOptions = z
  .object({
    window: z.number().int().min(4).max(512).optional().describe('points per window (default per detector)'),
    epochs: z.number().int().min(1).max(500).optional().describe('training epochs (default per detector)'),
    sensitivity: Sensitivity.optional().describe('default sensitivity recorded with the model'),
    labels: z
      .array(LabelRange)
      .max(10000)
      .optional()
      .describe('anomalous ranges (classifier: required, with both classes present)'),
  })
  .strict();
export type TrainOptions = z.infer<typeof TrainOptions>;

export const TrainModelRequest = z
  .object({
    id: ModelId.optional().describe('model id; an existing id is retrained as its next version'),
    detector: NeuralDetector,
    series: SeriesInput,
    options: TrainOptions.optional(),
  })
  .strict();
export type TrainModelRequest = z.infer<typeof TrainModelRequest>;

export const ModelState = z.enum(['training', 'ready', 'failed', 'quarantined']);
export type ModelState = z.infer<typeof ModelState>;

export const TrainingProgress = z.object({
  state: z.enum(['queued', 'training', 'done', 'failed']),
  epoch: z.number().int(),
  epochs: z.number().int(),
  loss: z.number().nullable(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  error: z.string().nullable(),
});
export type TrainingProgress = z.infer<typeof TrainingProgress>;

export const ModelStatus = z.object({
  id: ModelId,
  detector: NeuralDetector,
  state: ModelState.describe(
    'ready: a version scores; training: none ready yet; failed: training failed and none is ready; quarantined: its files were corrupt',
  ),
  version: z.number().int().nullable().describe('the version that scores (null while none is ready)'),
  versions: z.array(z.number().int()).describe('versions on disk'),
  training: TrainingProgress.nullable().describe('the latest training job, while the service runs'),
  metadata: ModelMetadata.nullable(),
  problem: z.string().nullable().describe('why the model was quarantined or training failed'),
});
export type ModelStatus = z.infer<typeof ModelStatus>;

export const ModelsListResponse = z.object({
  models: z.array(ModelStatus),
  directory: z.string(),
});
export type ModelsListResponse = z.infer<typeof ModelsListResponse>;

export const TrainModelResponse = z.object({
  id: ModelId,
  version: z.number().int().describe('the version this job will write'),
  status: z.string().describe('URL to poll for progress'),
  training: TrainingProgress,
});
export type TrainModelResponse = z.infer<typeof TrainModelResponse>;
